// Every method of js/index.d.ts, through the built Node entry
// (pkg/node/index.cjs): `node --test tests/js/`. Values are the ones worked
// out by hand in helpers.mjs and tests/data/README.md.
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, it, before } from "node:test";
import {
    DATA, EXPECTED, MEMBERS_CSV, ORDERS_CSV, PKG,
    assertReportInvariant, expectCode, parseCsv, requirePkg, utf8,
} from "./helpers.mjs";

requirePkg();
const { Workspace } = createRequire(import.meta.url)(`${PKG}node/index.cjs`);

const ORDERS_OPTIONS = { fileName: "orders.csv" };
const MEMBERS_OPTIONS = { fileName: "members.csv" };

/** A workspace with the inline orders and members loaded and analysed. */
function analysed() {
    const ws = new Workspace();
    ws.load("orders", utf8(ORDERS_CSV), ORDERS_OPTIONS);
    ws.load("members", utf8(MEMBERS_CSV), MEMBERS_OPTIONS);
    ws.analyze();
    return ws;
}

/** Feed `bytes` through beginLoad/push/finishLoad in chunks of `size` bytes. */
function streamLoad(ws, kind, bytes, size, options) {
    ws.beginLoad(kind, options);
    let last = 0;
    for (let at = 0; at < bytes.length; at += size) {
        const rows = ws.push(bytes.subarray(at, at + size));
        assert.equal(typeof rows, "number");
        assert.ok(rows >= last, `push() returned ${rows} after ${last}: rows read can only grow`);
        last = rows;
    }
    const report = ws.finishLoad();
    assert.ok(last <= report.rowsRead);
    return report;
}

const count = (counts, key) => counts.find((c) => c.key === key);

describe("load", () => {
    it("reads a Buffer, a subarray, an ArrayBuffer or a plain array of bytes alike", () => {
        const bytes = utf8(ORDERS_CSV);
        const want = new Workspace().load("orders", bytes, ORDERS_OPTIONS);
        const padded = new Uint8Array(bytes.length + 7);
        padded.set(bytes, 3);
        for (const input of [Buffer.from(bytes), padded.subarray(3, 3 + bytes.length), bytes.slice().buffer, Array.from(bytes)]) {
            assert.deepEqual(new Workspace().load("orders", input, ORDERS_OPTIONS), want);
        }
    });

    it("reads the orders file and reports every row that was not used", () => {
        const ws = new Workspace();
        const report = ws.load("orders", utf8(ORDERS_CSV), ORDERS_OPTIONS);
        assertReportInvariant(report);
        assert.equal(report.dataset, "orders");
        assert.equal(report.fileName, "orders.csv");
        assert.match(report.encoding, /utf-?8/i);
        assert.equal(report.delimiter, ",");
        assert.deepEqual(report.mapping, {
            member_id: "member_id", order_id: "order_id", paid_at: "paid_at", amount: "amount", status: "status",
        });
        assert.deepEqual(report.ignoredColumns, []);
        assert.equal(report.rowsRead, 12);
        assert.equal(report.rowsUsed, 10);
        assert.deepEqual(
            report.rejected.map(({ row, column, value, code }) => ({ row, column, value, code })),
            [
                { row: 10, column: "paid_at", value: "not-a-date", code: "bad_date" },
                { row: 11, column: "amount", value: "abc", code: "bad_money" },
            ],
        );
        for (const r of report.rejected) {
            assert.ok(r.reason.length > 0 && r.reasonZh.length > 0, "every rejection says why, in English and Chinese");
        }
        assert.equal(report.notPurchases, 1);
        assert.equal(report.members, 6);
        assert.equal(report.firstDate, "2025-05-01");
        assert.equal(report.lastDate, "2026-06-30");
        ws.free();
    });

    it("reads a UTF-8 members file with BOM and Chinese headers", () => {
        const ws = new Workspace();
        const report = ws.load("members", utf8(MEMBERS_CSV), MEMBERS_OPTIONS);
        assertReportInvariant(report);
        assert.equal(report.dataset, "members");
        assert.match(report.encoding, /utf-?8/i);
        assert.equal(report.mapping.member_id, "会员ID", "the BOM is not part of the first header");
        assert.equal(report.mapping.phone, "手机号");
        assert.equal(report.mapping.name, "姓名");
        assert.equal(report.mapping.registered_at, "注册时间");
        assert.equal(report.rowsRead, 4);
        assert.equal(report.rowsUsed, 4);
        assert.equal(report.members, 4);
        ws.free();
    });

    it("takes a mapping, a delimiter and a file name from the options", () => {
        const ws = new Workspace();
        const tsv = "卡\t时间点\t实收\nX1\t2026-01-02\t12.50\nX1\t2026-01-03\t1.50\n";
        const report = ws.load("orders", utf8(tsv), {
            fileName: "pos.tsv", delimiter: "\t", mapping: { member_id: "卡", paid_at: "时间点", amount: "实收" },
        });
        assertReportInvariant(report);
        assert.equal(report.fileName, "pos.tsv");
        assert.equal(report.delimiter, "\t");
        assert.equal(report.mapping.member_id, "卡");
        assert.equal(report.rowsUsed, 2);
        const summary = ws.analyze({ asOf: "2026-01-04" });
        assert.equal(summary.revenueFen, 1400);
        assert.equal(ws.member("X1").r, 1);
    });

    it("replaces earlier data of the same kind", () => {
        const ws = new Workspace();
        ws.load("orders", utf8(ORDERS_CSV));
        ws.load("orders", utf8("member_id,paid_at,amount\nZ1,2026-01-01,1.00\n"));
        const summary = ws.analyze({ asOf: "2026-01-02" });
        assert.equal(summary.buyersInWindow, 1);
        assert.equal(summary.revenueFen, 100);
    });

    it("loads the fixtures in tests/data, keeping the report's promise", () => {
        const files = readdirSync(DATA).filter((f) => /\.(csv|tsv|txt)$/.test(f));
        assert.ok(files.length > 0, "tests/data has fixtures");
        for (const file of files) {
            const kind = /^member/i.test(file) ? "members" : /^event/i.test(file) ? "events"
                : /^order_lines/i.test(file) ? "order_lines" : "orders";
            const report = new Workspace().load(kind, readFileSync(DATA + file), { fileName: file });
            assertReportInvariant(report);
            assert.equal(report.fileName, file);
            assert.ok(report.rowsRead > 0, `${file}: rows read`);
        }
    });

    it("gives the hand-worked answers of tests/data/README.md in all three encodings", () => {
        const expected = {
            M001: { r: 1, f: 3, mFen: 127980, rScore: 4, fScore: 4, mScore: 4, rfmClass: "important_value", valueGroup: "value", grade: "important" },
            M002: { r: 52, f: 1, mFen: 10000, rScore: 2, fScore: 1, mScore: 3, rfmClass: "general_develop", valueGroup: "potential", grade: "potential" },
            M003: { r: 153, f: 1, mFen: 4560, rScore: 1, fScore: 1, mScore: 1, rfmClass: "general_win_back", valueGroup: "churned", grade: "ordinary" },
            M004: { r: null, f: null, mFen: null, rScore: null, fScore: null, mScore: null, rfmClass: null, valueGroup: "churned", grade: "ordinary" },
            M005: { r: 27, f: 1, mFen: 6600, rScore: 3, fScore: 1, mScore: 2, rfmClass: "general_develop", valueGroup: "potential", grade: "potential" },
        };
        for (const [file, encoding] of [
            ["orders_utf8_bom.csv", /utf-?8/i], ["orders_gbk_crlf.csv", /gbk|gb18030/i], ["orders_utf16le.tsv", /utf-?16/i],
        ]) {
            const ws = new Workspace();
            const report = ws.load("orders", readFileSync(DATA + file), { fileName: file });
            assert.match(report.encoding, encoding, file);
            assert.equal(report.rowsRead, 12, file);
            assert.equal(report.rowsUsed, 9, file);
            assert.deepEqual(report.rejected.map((r) => [r.row, r.code]), [[10, "bad_date"], [11, "missing"], [12, "bad_money"]], file);
            assert.equal(report.notPurchases, 2, file);
            const summary = ws.analyze();
            assert.equal(summary.asOf, "2026-11-01", file);
            assert.equal(summary.revenueFen, 149140, file);
            assert.equal(summary.ordersInWindow, 6, file);
            assert.equal(summary.averageOrderValueFen, 24857, file);
            for (const [id, want] of Object.entries(expected)) {
                const row = ws.member(id);
                for (const [key, value] of Object.entries(want)) assert.equal(row[key], value, `${file} ${id}.${key}`);
            }
            ws.free();
        }
    });

    it("rejects what it cannot read with a coded Error", () => {
        const ws = new Workspace();
        expectCode(() => ws.load("orders", new Uint8Array(0)), "EMPTY_FILE");
        const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1]);
        expectCode(() => ws.load("orders", png), ["BINARY_FILE", "UNSUPPORTED_FORMAT"]);
        expectCode(() => ws.load("orders", utf8("foo,bar\n1,2\n")), "MISSING_COLUMN");
        expectCode(() => ws.load("orders", utf8(ORDERS_CSV), { mapping: { member_id: "no such header" } }), "BAD_MAPPING");
        expectCode(() => ws.load("order", utf8(ORDERS_CSV)), "BAD_OPTIONS");
        expectCode(() => ws.load("orders", utf8(ORDERS_CSV), { fileNam: "typo.csv" }), "BAD_OPTIONS", "fileNam");
        // A failed load leaves nothing behind.
        expectCode(() => ws.analyze(), "NO_DATA");
    });
});

describe("Excel workbooks", () => {
    it("reads every sheet of an .xlsx, whole or streamed, as its CSV reads", () => {
        const book = readFileSync(DATA + "store.xlsx");
        const ws = new Workspace();
        const report = ws.load("orders", book, { fileName: "store.xlsx" });
        assertReportInvariant(report);
        assert.equal(report.encoding, "Excel .xlsx");
        assert.equal(report.delimiter, "");
        assert.equal(report.sheet, "订单", "the first visible sheet by default");
        assert.deepEqual(report.rejected.map((r) => [r.row, r.column, r.code]),
            [[10, "下单时间", "bad_date"], [11, "会员卡号", "missing"], [12, "实付金额", "bad_money"]]);
        assert.equal(ws.analyze().revenueFen, 149140, "the hand-worked total of tests/data/README.md");
        for (const [kind, sheet, csv] of [
            ["members", "会员", "members_all_fields.csv"], ["order_lines", "订单明细", "order_lines_gbk.csv"],
            ["events", "行为", "events_utf8.csv"],
        ]) {
            const fromBook = streamLoad(new Workspace(), kind, book, 777, { fileName: "store.xlsx", sheet });
            const fromCsv = new Workspace().load(kind, readFileSync(DATA + csv));
            assert.equal(fromBook.sheet, sheet);
            assert.equal(fromCsv.sheet, null);
            for (const key of ["rowsRead", "rowsUsed", "mapping", "ignoredColumns", "members", "firstDate", "lastDate"]) {
                assert.deepEqual(fromBook[key], fromCsv[key], `${sheet} ${key}`);
            }
            assert.deepEqual(fromBook.rejected.map((r) => [r.row, r.column, r.code]),
                fromCsv.rejected.map((r) => [r.row, r.column, r.code]), sheet);
        }
    });

    it("names a missing sheet, a damaged workbook and an error cell", () => {
        const edge = readFileSync(DATA + "orders_edge.xlsx");
        const ws = new Workspace();
        const err = expectCode(() => ws.load("orders", edge, { sheet: "Sheet1" }), "BAD_OPTIONS", "说明, 订单");
        assert.equal(err.field, "sheet");
        const cut = expectCode(() => ws.load("orders", edge.subarray(0, 3000), { fileName: "cut.xlsx" }), "BAD_WORKBOOK");
        assert.equal(cut.fileName, "cut.xlsx");
        const report = ws.load("orders", edge);
        assert.deepEqual(report.rejected[0], {
            row: 4, column: "实付金额", value: "#N/A", code: "cell_error",
            reason: report.rejected[0].reason, reasonZh: report.rejected[0].reasonZh,
        });
        assert.match(report.rejected[0].reasonZh, /#N\/A/);
    });
});

describe("streaming load", () => {
    for (const size of [1, 7]) {
        it(`gives the same report as load() with ${size}-byte chunks`, () => {
            for (const [kind, csv, options] of [["orders", ORDERS_CSV, ORDERS_OPTIONS], ["members", MEMBERS_CSV, MEMBERS_OPTIONS]]) {
                const whole = new Workspace().load(kind, utf8(csv), options);
                const ws = new Workspace();
                const streamed = streamLoad(ws, kind, utf8(csv), size, options);
                assert.deepEqual(streamed, whole, `${kind} in ${size}-byte chunks`);
            }
            const ws = new Workspace();
            streamLoad(ws, "orders", utf8(ORDERS_CSV), size, ORDERS_OPTIONS);
            streamLoad(ws, "members", utf8(MEMBERS_CSV), size, MEMBERS_OPTIONS);
            assert.deepEqual(ws.analyze(), analysed().analyze());
            assert.equal(ws.member("A001").name, "张三", "multi-byte characters split across chunks");
        });
    }

    it("takes the file size as a hint that changes nothing but memory", () => {
        const bytes = utf8(ORDERS_CSV);
        const whole = analysed();
        for (const totalBytes of [bytes.length, 3, 1e12]) {
            const ws = new Workspace();
            const report = streamLoad(ws, "orders", bytes, 7, { ...ORDERS_OPTIONS, totalBytes });
            assert.deepEqual(report, new Workspace().load("orders", bytes, ORDERS_OPTIONS), `totalBytes ${totalBytes}`);
            ws.load("members", utf8(MEMBERS_CSV), MEMBERS_OPTIONS);
            assert.deepEqual(ws.analyze(), whole.analyze());
        }
    });

    it("streams the GBK fixture (characters split across chunks) like a whole load", () => {
        const bytes = readFileSync(DATA + "orders_gbk_crlf.csv");
        const whole = new Workspace().load("orders", bytes, { fileName: "g.csv" });
        assert.deepEqual(streamLoad(new Workspace(), "orders", bytes, 1, { fileName: "g.csv" }), whole);
        assert.deepEqual(streamLoad(new Workspace(), "orders", bytes, 7, { fileName: "g.csv" }), whole);
    });

    it("says when the calls come in the wrong order", () => {
        const ws = new Workspace();
        expectCode(() => ws.push(utf8("x")), "NO_LOAD_IN_PROGRESS");
        expectCode(() => ws.finishLoad(), "NO_LOAD_IN_PROGRESS");
        ws.beginLoad("orders");
        expectCode(() => ws.beginLoad("members"), "LOAD_IN_PROGRESS");
        ws.push(utf8(ORDERS_CSV));
        assert.equal(ws.finishLoad().rowsRead, 12);
        expectCode(() => ws.finishLoad(), "NO_LOAD_IN_PROGRESS");
        expectCode(() => ws.beginLoad("nope"), "BAD_OPTIONS");
    });

    it("cancelLoad() abandons a load and keeps the earlier data", () => {
        const ws = analysed();
        const before = ws.analyze();
        assert.equal(ws.cancelLoad(), false, "nothing to cancel");
        ws.beginLoad("orders");
        ws.push(utf8("会员ID,支付时间,实付金额\nZZZ,2026-06-01,5\n"));
        assert.equal(ws.cancelLoad(), true);
        expectCode(() => ws.finishLoad(), "NO_LOAD_IN_PROGRESS");
        assert.deepEqual(ws.analyze(), before);
        expectCode(() => ws.member("ZZZ"), "UNKNOWN_MEMBER");
    });

    it("never takes distinct order ids for repeats in a large file (64-bit id hashes in wasm32)", () => {
        // 300k distinct ids: a 32-bit hash would clash several times.
        const { orders } = Workspace.demoFiles({ orders: 300_000 });
        const report = new Workspace().load("orders", orders);
        assert.equal(report.rowsRead, 300_000);
        assert.deepEqual(report.rejected, []);
    });
});

describe("rules", () => {
    const DOMAIN_DEFAULTS = {
        windowDays: 365, scoring: "quintile", churnDays: 90, churnRule: "absolute", churnMaxRScore: 2,
        valueMinFScore: 4, valueMinMScore: 4, stableMinFScore: 3, coreMinFScore: 5, coreMinMScore: 5,
    };

    it("defaultRules() has DOMAIN.md's defaults and a new workspace uses them", () => {
        const rules = Workspace.defaultRules();
        assert.deepEqual(
            {
                windowDays: rules.rfm.windowDays, scoring: rules.rfm.scoring, ...rules.valueGroups, ...rules.grades,
            },
            DOMAIN_DEFAULTS,
        );
        for (const key of ["r", "f", "m"]) {
            const cuts = rules.rfm.thresholds[key];
            assert.equal(cuts.length, 4, `thresholds.${key} has four cut points`);
            assert.ok(cuts.every((c, i) => i === 0 || c > cuts[i - 1]), `thresholds.${key} ascending: ${cuts}`);
        }
        assert.deepEqual(new Workspace().rules(), rules);
    });

    it("setRules takes an object or a JSON string; missing fields keep their defaults", () => {
        const ws = new Workspace();
        ws.setRules({ rfm: { windowDays: 180 } });
        const expected = Workspace.defaultRules();
        expected.rfm.windowDays = 180;
        assert.deepEqual(ws.rules(), expected);
        ws.setRules('{"valueGroups": {"churnDays": 60}}');
        const expected2 = Workspace.defaultRules();
        expected2.valueGroups.churnDays = 60;
        assert.deepEqual(ws.rules(), expected2, "setRules replaces the whole document");
    });

    it("setRules rejects a bad field with INVALID_RULES naming it, and keeps the rules in force", () => {
        const ws = new Workspace();
        ws.setRules({ rfm: { windowDays: 200 } });
        const before = ws.rules();
        expectCode(() => ws.setRules({ rfm: { windowDayz: 30 } }), "INVALID_RULES", "windowDayz");
        expectCode(() => ws.setRules({ rfm: { windowDays: "soon" } }), "INVALID_RULES", "windowDays");
        expectCode(() => ws.setRules({ rfm: { thresholds: { f: [4, 2, 8, 16] } } }), "INVALID_RULES", "rfm.thresholds.f");
        expectCode(() => ws.setRules({ valueGroups: { valueMinFScore: 9 } }), "INVALID_RULES", "valueMinFScore");
        expectCode(() => ws.setRules({ rfm: { scoring: "deciles" } }), "INVALID_RULES", "scoring");
        expectCode(() => ws.setRules("{not json"), "INVALID_RULES");
        assert.deepEqual(ws.rules(), before);
    });

    it("validateRules checks a document without applying it and names the field at fault", () => {
        assert.equal(Workspace.validateRules({ rfm: { windowDays: 180 } }), undefined);
        assert.equal(Workspace.validateRules(JSON.stringify(Workspace.defaultRules())), undefined);
        const e = expectCode(
            () => Workspace.validateRules({ rfm: { thresholds: { f: [4, 2, 8, 16] } } }),
            "INVALID_RULES",
            "rfm.thresholds.f[1]",
        );
        assert.equal(e.field, "rfm.thresholds.f[1]");
        assert.equal(expectCode(() => Workspace.validateRules('{"grades": {"oops": 1}}'), "INVALID_RULES").field, "grades.oops");
        expectCode(() => Workspace.validateRules("{not json"), "INVALID_RULES");
    });

    it("memoryBytes reports the module's wasm memory, which never shrinks", () => {
        const before = Workspace.memoryBytes();
        assert.ok(before >= 65_536 && before % 65_536 === 0, `whole 64 KiB pages: ${before}`);
        const bytes = Workspace.demoFiles({ orders: 200_000 }).orders;
        const ws = new Workspace();
        ws.load("orders", bytes);
        const after = Workspace.memoryBytes();
        ws.free();
        assert.ok(after >= before && after > bytes.length, `${after} ≥ ${before} and holds the ${bytes.length}-byte file`);
        assert.equal(Workspace.memoryBytes(), after, "freeing a workspace does not shrink wasm memory");
    });

    it("threshold scoring uses the store's cut points", () => {
        const ws = new Workspace();
        ws.load("orders", utf8(ORDERS_CSV));
        ws.load("members", utf8(MEMBERS_CSV));
        ws.setRules({
            rfm: { scoring: "thresholds", thresholds: { r: [7, 30, 60, 90], f: [1, 2, 3, 4], m: [10, 50, 100, 500] } },
        });
        const summary = ws.analyze({ asOf: "2026-07-01" });
        assert.equal(summary.scoring, "thresholds");
        // R <= 7 → 5, <= 30 → 4 …; F >= 3 → 4; M 600 yuan >= 500 → 5.
        const scores = (id) => {
            const m = ws.member(id);
            return [m.rScore, m.fScore, m.mScore, m.valueGroup, m.grade];
        };
        assert.deepEqual(scores("A001"), [5, 4, 5, "value", "important"]);
        assert.deepEqual(scores("A002"), [4, 2, 3, "potential", "potential"]);
        assert.deepEqual(scores("A003"), [1, 2, 3, "churned", "ordinary"]);
        assert.deepEqual(scores("A005"), [5, 2, 2, "potential", "potential"]);
        assert.deepEqual(scores("A007"), [4, 2, 1, "potential", "potential"]);
        assert.deepEqual(summary.grades.map((g) => [g.key, g.members]), [
            ["core", 0], ["important", 1], ["potential", 4], ["ordinary", 2],
        ]);
    });

    it("a shorter window drops older purchases", () => {
        const ws = new Workspace();
        ws.load("orders", utf8(ORDERS_CSV));
        ws.setRules({ rfm: { windowDays: 61 } });
        const summary = ws.analyze({ asOf: "2026-07-01" });
        assert.equal(summary.windowStart, "2026-05-01");
        // In window: O1, O2 (A001), O4 (A002), O8 (A005), O11 (A007).
        assert.equal(summary.ordersInWindow, 5);
        assert.equal(summary.revenueFen, 10000 + 20000 + 5000 + 4000 + 700);
        assert.equal(ws.member("A001").f, 2);
        assert.equal(ws.member("A003").r, null);
    });
});

describe("analyze", () => {
    it("summarises the store as worked out by hand", () => {
        const ws = new Workspace();
        ws.load("orders", utf8(ORDERS_CSV));
        ws.load("members", utf8(MEMBERS_CSV));
        const s = ws.analyze();
        assert.equal(s.asOf, EXPECTED.asOf, "asOf defaults to the day after the latest record");
        assert.equal(s.windowStart, EXPECTED.windowStart);
        assert.equal(s.scoring, "quintile");
        assert.equal(s.members, 7);
        assert.equal(s.prospects, 1);
        assert.equal(s.buyersInWindow, 5);
        assert.equal(s.ordersInWindow, 7);
        assert.equal(s.revenueFen, 77700);
        assert.equal(s.averageOrderValueFen, 11100);
        assert.ok(Math.abs(s.repurchaseRate - 0.2) < 1e-12, `repurchaseRate ${s.repurchaseRate}`);
        assert.ok(Math.abs(s.top20RevenueShare - 60000 / 77700) < 1e-9, `top20RevenueShare ${s.top20RevenueShare}`);
        assert.ok(Math.abs(s.means.r - 45) < 1e-9, `means.r ${s.means.r}`);
        assert.ok(Math.abs(s.means.f - 1.4) < 1e-9, `means.f ${s.means.f}`);
        assert.ok(Math.abs(s.means.mFen - 15540) < 1e-6, `means.mFen ${s.means.mFen}`);

        const classes = Object.fromEntries(s.classes.map((c) => [c.key, [c.members, c.revenueFen]]));
        assert.deepEqual(classes, {
            important_value: [1, 60000], important_develop: [0, 0], important_keep: [0, 0], important_win_back: [0, 0],
            general_value: [0, 0], general_develop: [3, 9700], general_keep: [0, 0], general_win_back: [1, 8000],
        });
        assert.deepEqual(s.valueGroups.map((g) => [g.key, g.members]), [
            ["value", 1], ["potential", 3], ["stable", 0], ["churned", 2],
        ]);
        assert.equal(count(s.valueGroups, "value").revenueFen, 60000);
        assert.equal(count(s.valueGroups, "potential").revenueFen, 9700);
        assert.deepEqual(s.grades.map((g) => [g.key, g.members]), [
            ["core", 1], ["important", 0], ["potential", 4], ["ordinary", 2],
        ]);
        for (const c of [...s.classes, ...s.valueGroups, ...s.grades]) {
            assert.ok(c.label.length > 0 && c.labelEn.length > 0, `labels of ${c.key}`);
        }
        assert.equal(count(s.valueGroups, "churned").label, "流失用户");
    });

    it("takes an explicit asOf and is deterministic", () => {
        const ws = analysed();
        const a = ws.analyze({ asOf: "2026-07-01" });
        assert.deepEqual(analysed().analyze({ asOf: "2026-07-01" }), a);
        assert.deepEqual(ws.analyze(), a);
        const later = ws.analyze({ asOf: "2026-08-01" });
        assert.equal(later.asOf, "2026-08-01");
        assert.equal(ws.member("A001").r, 32, "R counts days to the asOf in force");
        expectCode(() => ws.analyze({ asOf: "2026-13-01" }), "BAD_OPTIONS");
        expectCode(() => ws.analyze({ asof: "2026-07-01" }), "BAD_OPTIONS", "asof");
    });

    it("needs data, and queries need an analysis", () => {
        const ws = new Workspace();
        expectCode(() => ws.analyze(), "NO_DATA");
        ws.load("orders", utf8(ORDERS_CSV));
        expectCode(() => ws.members(), "NOT_ANALYZED");
        expectCode(() => ws.member("A001"), "NOT_ANALYZED");
        expectCode(() => ws.exportMembers(), "NOT_ANALYZED");
    });
});

describe("members and member", () => {
    let ws;
    before(() => {
        ws = analysed();
    });
    const ids = (page) => page.rows.map((r) => r.id);

    it("member(id) returns the hand-worked row, with nulls for what does not apply", () => {
        for (const [id, want] of Object.entries(EXPECTED.rows)) {
            const row = ws.member(id);
            assert.equal(row.id, id);
            for (const [key, value] of Object.entries(want)) {
                assert.ok(key in row, `${id}.${key} is present (null when it does not apply, not undefined)`);
                assert.equal(row[key], value, `${id}.${key}`);
            }
        }
        const a001 = ws.member("A001");
        assert.equal(a001.phone, "138****1234");
        assert.equal(a001.name, "张三");
        assert.equal(a001.registeredAt, "2025-01-05");
        assert.equal(ws.member("A002").name, "=1+2", "member() returns names as they are");
        const a005 = ws.member("A005");
        assert.equal(a005.registeredAt, null, "A005 is only in the orders file");
        assert.equal(a005.phone, "");
    });

    it("member(unknown) throws UNKNOWN_MEMBER naming the id", () => {
        expectCode(() => ws.member("NOPE-42"), "UNKNOWN_MEMBER", "NOPE-42");
        expectCode(() => ws.member("A006"), "UNKNOWN_MEMBER", "A006");
    });

    it("pages in m_desc order by default, members without purchases in the window last", () => {
        const page = ws.members();
        assert.equal(page.total, 7);
        assert.equal(page.offset, 0);
        assert.deepEqual(ids(page).slice(0, 5), ["A001", "A003", "A002", "A005", "A007"]);
        assert.deepEqual(ids(page).slice(5).sort(), ["A004", "A008"]);
        assert.deepEqual(page.rows[0], ws.member("A001"), "a page row is the member's row");
        const second = ws.members({ offset: 1, limit: 2 });
        assert.equal(second.total, 7);
        assert.equal(second.offset, 1);
        assert.deepEqual(ids(second), ["A003", "A002"]);
        const past = ws.members({ offset: 50, limit: 10 });
        assert.equal(past.total, 7);
        assert.deepEqual(past.rows, []);
    });

    it("sorts by every key, both ways", () => {
        assert.deepEqual(ids(ws.members({ sort: "id_asc" })), ["A001", "A002", "A003", "A004", "A005", "A007", "A008"]);
        assert.deepEqual(ids(ws.members({ sort: "id_desc" })), ["A008", "A007", "A005", "A004", "A003", "A002", "A001"]);
        assert.deepEqual(ids(ws.members({ sort: "r_asc" })).slice(0, 5), ["A001", "A005", "A007", "A002", "A003"]);
        assert.deepEqual(ids(ws.members({ sort: "f_desc" }))[0], "A001");
        assert.deepEqual(ids(ws.members({ sort: "m_asc" })).filter((id) => EXPECTED.rows[id].mFen !== null),
            ["A007", "A005", "A002", "A003", "A001"]);
        assert.deepEqual(ids(ws.members({ sort: "aov_desc" })).slice(0, 2), ["A001", "A003"]);
        assert.deepEqual(ids(ws.members({ sort: "maxOrder_desc" })).slice(0, 2), ["A001", "A003"]);
        assert.deepEqual(ids(ws.members({ sort: "lastPurchase_desc" })).slice(0, 6),
            ["A001", "A005", "A007", "A002", "A003", "A008"]);
        expectCode(() => ws.members({ sort: "height_desc" }), "BAD_OPTIONS");
    });

    it("filters by value group, RFM class, grade and search", () => {
        const sorted = (q) => ids(ws.members({ ...q, sort: "id_asc" }));
        assert.deepEqual(sorted({ valueGroup: "potential" }), ["A002", "A005", "A007"]);
        assert.deepEqual(sorted({ valueGroup: "churned" }), ["A003", "A008"]);
        assert.deepEqual(sorted({ rfmClass: "general_develop" }), ["A002", "A005", "A007"]);
        assert.deepEqual(sorted({ rfmClass: "important_value" }), ["A001"]);
        assert.deepEqual(sorted({ grade: "potential" }), ["A002", "A004", "A005", "A007"]);
        assert.deepEqual(sorted({ grade: "ordinary" }), ["A003", "A008"]);
        assert.deepEqual(sorted({ valueGroup: "potential", search: "A00" }), ["A002", "A005", "A007"]);
        assert.deepEqual(sorted({ search: "张" }), ["A001"], "search matches names");
        assert.deepEqual(sorted({ search: "A003" }), ["A003"], "search matches ids");
        assert.equal(ws.members({ grade: "potential", limit: 1 }).total, 4);
        expectCode(() => ws.members({ valueGroup: "gold" }), "BAD_OPTIONS");
        expectCode(() => ws.members({ limt: 5 }), "BAD_OPTIONS", "limt");
    });
});

describe("exportMembers", () => {
    let ws;
    before(() => {
        ws = analysed();
    });
    const decode = (bytes) => {
        assert.ok(bytes instanceof Uint8Array, "exportMembers returns a Uint8Array");
        assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], "starts with the UTF-8 BOM");
        return parseCsv(new TextDecoder("utf-8", { ignoreBOM: false }).decode(bytes));
    };
    const byId = (rows) => Object.fromEntries(rows.slice(1).map((r) => [r[0], Object.fromEntries(rows[0].map((h, i) => [h, r[i]]))]));

    it("writes a BOM, an English header and one row per member", () => {
        const rows = decode(ws.exportMembers({ lang: "en" }));
        const header = rows[0];
        for (const column of ["member_id", "phone", "name", "R", "F", "M", "r_score", "f_score", "m_score", "rfm_class", "value_group"]) {
            assert.ok(header.includes(column), `column ${column} in ${header}`);
        }
        assert.equal(rows.length, 1 + 7);
        const m = byId(rows);
        assert.deepEqual(
            [m.A001.R, m.A001.F, m.A001.M, m.A001.r_score, m.A001.f_score, m.A001.m_score],
            ["1", "3", "600.00", "5", "5", "5"],
        );
        assert.equal(m.A007.M, "7.00", "M in yuan with two decimals");
        assert.deepEqual([m.A004.R, m.A004.F, m.A004.M, m.A008.R, m.A008.M], ["", "", "", "", ""],
            "empty R/F/M without purchases in the window");
    });

    it("masks phones unless asked not to", () => {
        const masked = new TextDecoder().decode(ws.exportMembers({ lang: "en" }));
        assert.ok(masked.includes("138****1234"));
        assert.ok(!/1381234123|13812341234|13900005678/.test(masked), "no full phone number in a masked export");
        assert.equal(byId(decode(ws.exportMembers({ lang: "en" }))).A002.phone, "139****5678");
        const plain = byId(decode(ws.exportMembers({ lang: "en", maskPhones: false })));
        assert.equal(plain.A001.phone, "13812341234");
    });

    it("neutralises a name that a spreadsheet would run as a formula", () => {
        const name = byId(decode(ws.exportMembers({ lang: "en" }))).A002.name;
        assert.ok(!/^[=+\-@\t\r]/.test(name), `exported name ${JSON.stringify(name)} would run as a formula`);
        assert.ok(name.endsWith("=1+2"), `the name is kept: ${JSON.stringify(name)}`);
    });

    it("writes Chinese headers by default and honours the members filter", () => {
        const zh = decode(ws.exportMembers());
        assert.equal(zh[0][0], "会员ID");
        assert.equal(zh.length, 1 + 7);
        assert.ok(zh.some((r) => r.includes("张三")));
        const potential = decode(ws.exportMembers({ lang: "en", valueGroup: "potential", sort: "id_asc" }));
        assert.deepEqual(potential.slice(1).map((r) => r[0]), ["A002", "A005", "A007"]);
        expectCode(() => ws.exportMembers({ lang: "fr" }), "BAD_OPTIONS");
    });
});

describe("demo", () => {
    it("loadDemo loads a deterministic store with consistent reports", () => {
        const ws = new Workspace();
        const { orders, members } = ws.loadDemo({ seed: 7, members: 60, orders: 500 });
        assertReportInvariant(orders);
        assertReportInvariant(members);
        assert.equal(orders.dataset, "orders");
        assert.equal(members.dataset, "members");
        assert.equal(orders.rowsRead, 500);
        assert.equal(members.rowsRead, 60);
        const summary = ws.analyze();
        assert.ok(summary.buyersInWindow > 0 && summary.revenueFen > 0);
        const again = new Workspace();
        again.loadDemo({ seed: 7, members: 60, orders: 500 });
        assert.deepEqual(again.analyze(), summary, "the same seed gives the same store");
        const other = new Workspace();
        other.loadDemo({ seed: 8, members: 60, orders: 500 });
        assert.notDeepEqual(other.analyze(), summary, "another seed gives another store");
    });

    it("loadDemo() without options is the default demo store", () => {
        const ws = new Workspace();
        const { orders, members } = ws.loadDemo();
        assertReportInvariant(orders);
        assertReportInvariant(members);
        assert.ok(members.rowsRead >= 20);
        const summary = ws.analyze();
        assert.equal(summary.members, members.members);
        expectCode(() => ws.loadDemo({ sead: 1 }), "BAD_OPTIONS", "sead");
    });

    it("Workspace.demoFiles gives the bytes loadDemo loads", () => {
        const files = Workspace.demoFiles({ seed: 7, members: 60, orders: 500 });
        assert.ok(files.orders instanceof Uint8Array && files.members instanceof Uint8Array);
        const text = new TextDecoder().decode(files.orders);
        assert.equal(text.split("\n").filter((l) => l !== "").length, 1 + 500, "header + 500 orders");
        const fromFiles = new Workspace();
        fromFiles.load("orders", files.orders);
        fromFiles.load("members", files.members);
        fromFiles.load("order_lines", files.orderLines);
        fromFiles.load("events", files.events);
        const fromDemo = new Workspace();
        fromDemo.loadDemo({ seed: 7, members: 60, orders: 500 });
        assert.deepEqual(fromFiles.analyze(), fromDemo.analyze());
        assert.deepEqual(Workspace.demoFiles({ seed: 7, members: 60, orders: 500 }), files, "deterministic bytes");
        const some = Workspace.demoFiles({ seed: 7, members: 60, orders: 500, files: ["orders", "events"] });
        assert.deepEqual(Object.keys(some), ["orders", "events"], "files picks the files");
        assert.deepEqual(some, { orders: files.orders, events: files.events });
        expectCode(() => Workspace.demoFiles({ files: ["receipts"] }), "BAD_OPTIONS", "files");
        expectCode(() => new Workspace().loadDemo({ files: ["orders"] }), "BAD_OPTIONS", "files");
    });
});

describe("Workspace lifecycle and errors", () => {
    it("free() releases the workspace; using it afterwards throws", () => {
        const ws = analysed();
        ws.free();
        assert.throws(() => ws.analyze());
    });

    it("every method's errors are real Errors with a string code", () => {
        const ws = new Workspace();
        const attempts = [
            () => ws.load("orders", new Uint8Array(0)),
            () => ws.beginLoad("bogus"),
            () => ws.push(new Uint8Array(1)),
            () => ws.finishLoad(),
            () => ws.loadDemo({ members: "many" }),
            () => ws.setRules({ nope: 1 }),
            () => ws.analyze(),
            () => ws.members(),
            () => ws.member("x"),
            () => ws.exportMembers(),
            () => ws.offers("x"),
            () => ws.planCampaign({ id: "c" }),
            () => ws.exportCampaign({ id: "c" }),
            () => ws.campaignUplift({}),
            () => Workspace.demoFiles({ bogus: true }),
        ];
        for (const attempt of attempts) expectCode(attempt);
    });
});

describe("rfmColumns", () => {
    it("gives every member's R, F, M and scores as typed arrays that agree with member(id)", () => {
        const ws = analysed();
        const { ids, r, f, mFen, scores } = ws.rfmColumns();
        assert.ok(r instanceof Uint32Array && f instanceof Uint32Array);
        assert.ok(mFen instanceof Float64Array && scores instanceof Uint8Array);
        assert.equal(scores.length, 3 * ids.length);
        for (const [id, want] of Object.entries(EXPECTED.rows)) {
            const i = ids.indexOf(id);
            assert.ok(i >= 0, id);
            assert.deepEqual(
                [r[i], f[i], mFen[i], scores[3 * i], scores[3 * i + 1], scores[3 * i + 2]],
                [want.r ?? 0, want.f ?? 0, want.mFen ?? 0, want.rScore ?? 0, want.fScore ?? 0, want.mScore ?? 0],
                id,
            );
        }
        assert.equal(mFen.reduce((a, b) => a + b, 0), ws.analyze().revenueFen);
        expectCode(() => new Workspace().rfmColumns(), "NO_DATA");
        expectCode(() => ws.rfmColumns({ asOf: "soon" }), "BAD_OPTIONS");
        expectCode(() => ws.rfmColumns({ when: "2026-11-01" }), "BAD_OPTIONS");
    });

    it("needs no analysis: the same columns straight after loading, on any date", () => {
        const fresh = new Workspace();
        fresh.load("orders", utf8(ORDERS_CSV), ORDERS_OPTIONS);
        fresh.load("members", utf8(MEMBERS_CSV), MEMBERS_OPTIONS);
        const alone = fresh.rfmColumns();
        const ws = analysed();
        const full = ws.rfmColumns();
        assert.equal(alone.asOf, full.asOf);
        assert.deepEqual(alone, full);
        const earlier = fresh.rfmColumns({ asOf: "2026-06-01" });
        assert.equal(earlier.asOf, "2026-06-01");
        ws.analyze({ asOf: "2026-06-01" });
        assert.deepEqual(ws.rfmColumns(), earlier);
        assert.equal(earlier.mFen.reduce((a, b) => a + b, 0), ws.analyze({ asOf: "2026-06-01" }).revenueFen);
    });

    it("gives every id as written, whatever it holds", () => {
        // Ids cross as one string split at newlines unless an id holds one.
        const ids = ["M1", "会员 2", "", "x".repeat(40), "a,b", "M\r3"];
        for (const extra of [[], ["two\nlines"]]) {
            const all = [...ids, ...extra].filter((id) => id !== "");
            const csv = "会员ID,支付时间,实付金额\n" + all.map((id) => `"${id}",2026-10-01,1`).join("\n") + "\n";
            const ws = new Workspace();
            ws.load("orders", utf8(csv), { fileName: "ids.csv" });
            assert.deepEqual(ws.rfmColumns().ids, all.map((id) => id.trim()));
        }
        const empty = new Workspace();
        empty.load("members", utf8("会员ID\n"), { fileName: "none.csv" });
        assert.deepEqual(empty.rfmColumns({ asOf: "2026-11-01" }).ids, []);
    });
});

describe("predict", () => {
    it("fits the demo store and puts forecasts on the member rows", () => {
        const ws = new Workspace();
        ws.loadDemo();
        expectCode(() => ws.predict(), "NOT_ANALYZED");
        ws.analyze();
        expectCode(() => ws.members({ atRisk: true }), "BAD_OPTIONS");
        assert.equal(ws.members({ limit: 1 }).rows[0].probabilityAlive, null, "no forecast before predict()");
        const p = ws.predict();
        assert.equal(p.asOf, "2026-11-01");
        assert.equal(p.parameters.purchasesMethod, "bg_nbd");
        assert.equal(p.parameters.converged, true);
        assert.equal(p.store.fallback, false);
        assert.ok(p.store.next90Days.orders > p.store.next30Days.orders && p.store.next30Days.orders > 0);
        assert.equal(p.heatmap.length, 7 * 6);
        assert.equal(p.clvHistogram.reduce((a, b) => a + b.clvFen, 0), p.totalClvFen);
        const risky = ws.members({ atRisk: true, sort: "valueAtRisk_desc", limit: 1000 });
        assert.equal(risky.total, p.atRiskMembers);
        assert.ok(risky.rows.every((m) => m.atRisk && m.probabilityAlive < 0.5));
        assert.ok(risky.rows[0].valueAtRiskFen >= risky.rows[1].valueAtRiskFen);
        const m = ws.member(risky.rows[0].id);
        assert.equal(m.valueAtRiskFen, Math.round((1 - m.probabilityAlive) * m.mFen));
        ws.analyze();
        assert.equal(ws.member(m.id).probabilityAlive, null, "analyze() discards the prediction");
    });

    it("tells a 30-member store what is missing instead of failing", () => {
        let csv = "会员ID,支付时间,实付金额\n";
        for (let m = 0; m < 30; m++) {
            for (let k = 0; k <= m % 4; k++) csv += `M${m},2026-0${1 + k}-${String(1 + (m % 28)).padStart(2, "0")},${10 + m}.00\n`;
        }
        const ws = new Workspace();
        ws.load("orders", utf8(csv));
        ws.analyze();
        const p = ws.predict();
        assert.equal(p.store.fallback, true);
        assert.equal(p.store.purchasesFallback.code, "TOO_FEW_CUSTOMERS");
        assert.match(p.store.purchasesFallback.message, /30/);
    });

    it("rejects bad prediction rules naming the field", () => {
        const ws = new Workspace();
        const err = expectCode(() => ws.setRules({ prediction: { atRiskBelow: 2 } }), "INVALID_RULES");
        assert.equal(err.field, "prediction.atRiskBelow");
    });
});

describe("lifecycle", () => {
    it("puts every member in one stage, filters by stage and counts the moves", () => {
        const ws = new Workspace();
        ws.loadDemo();
        const s = ws.analyze();
        assert.deepEqual(s.lifecycle.map((c) => c.key), ["prospect", "new", "active", "dormant", "churned"]);
        assert.equal(s.lifecycle.reduce((a, c) => a + c.members, 0), s.members);
        for (const c of s.lifecycle) {
            const page = ws.members({ lifecycle: c.key, limit: 5 });
            assert.equal(page.total, c.members, c.key);
            assert.ok(page.rows.every((m) => m.lifecycle === c.key));
        }
        assert.equal(s.lifecycleSince, "2026-10-02");
        assert.equal(s.lifecycleMoves.reduce((a, m) => a + m.members, 0), s.members);
        expectCode(() => ws.members({ lifecycle: "asleep" }), "BAD_OPTIONS");
    });
});

describe("member levels", () => {
    it("gives every member a level with growth and distance, filters by level, and takes the rules' levels", () => {
        const ws = new Workspace();
        ws.loadDemo();
        const s = ws.analyze();
        assert.deepEqual(s.levels.map((c) => c.key), ["basic", "silver", "gold", "platinum", "diamond"]);
        assert.equal(s.levels.reduce((a, c) => a + c.members, 0), s.members);
        const top = ws.members({ sort: "m_desc", limit: 1 }).rows[0];
        assert.ok(top.growth > 0 && typeof top.level === "string");
        const gold = ws.members({ level: "gold", limit: 1000 });
        assert.equal(gold.total, s.levels[2].members);
        assert.ok(gold.rows.every((m) => m.level === "gold" && m.toNextLevel === Math.max(0, 5000 - m.growth)));
        expectCode(() => ws.members({ level: "bronze" }), "BAD_OPTIONS");
        const err = expectCode(() => ws.setRules({ levels: { levels: [{ key: "a", name: "甲", nameEn: "A", growth: 5,
            discountRate: 1, pointsMultiplier: 1, freeDelivery: false, birthdayGift: false, exclusiveService: false }] } }),
            "INVALID_RULES");
        assert.equal(err.field, "levels.levels[0].growth");
    });
});

describe("crowds", () => {
    it("filters, counts and exports by a condition-language expression; ships recommended crowds", () => {
        const ws = new Workspace();
        ws.loadDemo();
        ws.analyze();
        const dormantValue = ws.members({ crowd: 'lifecycle = "dormant" and mScore >= 4', limit: 1000 });
        assert.ok(dormantValue.total > 0);
        assert.ok(dormantValue.rows.every((m) => m.lifecycle === "dormant" && m.mScore >= 4));
        const either = ws.members({ crowd: "lifecycle = dormant or lifecycle = churned", limit: 0 }).total;
        const dormant = ws.members({ lifecycle: "dormant", limit: 0 }).total;
        const churned = ws.members({ lifecycle: "churned", limit: 0 }).total;
        assert.equal(either, dormant + churned);
        assert.equal(ws.members({ crowd: "not (lifecycle = dormant or lifecycle = churned)", limit: 0 }).total,
            ws.analyze().members - either);
        const csv = new TextDecoder().decode(ws.exportMembers({ crowd: 'lifecycle = "dormant" and mScore >= 4' }));
        assert.equal(csv.trim().split("\r\n").length, 1 + dormantValue.total);
        const err = expectCode(() => ws.members({ crowd: "m >= " }), "BAD_OPTIONS");
        assert.equal(err.field, "crowd");
        assert.match(err.message, /at \d+: expected a value/);
        const recommended = Workspace.recommendedCrowds();
        assert.ok(recommended.length >= 4 && recommended.every((c) => c.key && c.name && c.nameEn && c.expr));
        // at_risk needs predict(); points_expiring is empty on 2026-11-01 (the demo's points
        // expire at the year end, 61 days later): see the points tests.
        for (const c of recommended.filter((c) => c.key !== "at_risk" && c.key !== "points_expiring")) {
            assert.ok(ws.members({ crowd: c.expr, limit: 0 }).total > 0, c.key);
        }
        assert.ok(Workspace.crowdFields().some((f) => f.name === "lifecycle"));
    });
});

describe("draw", () => {
    const SEED = "00".repeat(31) + "2a";
    it("draws reproducibly from a published seed and securely without one", () => {
        const entrants = ["M1", "M2", "M3", "M4", "M5", "M6"];
        const a = Workspace.draw({ kind: "lottery", entrants, winners: 2, seed: SEED });
        const b = Workspace.draw({ kind: "lottery", entrants: [...entrants].reverse(), winners: 2, seed: SEED });
        assert.deepEqual(a, b, "same seed and entrants, any order: same winners");
        assert.equal(a.seed, SEED);
        assert.equal(a.entrantCount, 6);
        assert.equal(new Set(a.winners).size, 2);
        assert.ok(a.winners.every((w) => entrants.includes(w)));
        const r1 = Workspace.draw({ kind: "lottery", entrants, winners: 1 });
        const r2 = Workspace.draw({ kind: "lottery", entrants, winners: 1 });
        assert.match(r1.seed, /^[0-9a-f]{64}$/);
        assert.notEqual(r1.seed, r2.seed, "a fresh secure seed each time");
        const first = Workspace.draw({ kind: "firstN", requests: [["A", 5], ["B", 3], ["A", 1], ["C", 9]], n: 2, seed: SEED });
        assert.deepEqual(first.winners, ["A", "B"]);
    });

    it("splits red packets exactly in fen and refuses impossible splits", () => {
        const p = Workspace.draw({ kind: "redPackets", totalFen: 10000, count: 7, seed: SEED });
        assert.equal(p.packetsFen.length, 7);
        assert.equal(p.packetsFen.reduce((x, y) => x + y, 0), 10000);
        assert.ok(p.packetsFen.every((f) => Number.isInteger(f) && f >= 1));
        assert.deepEqual(Workspace.draw({ kind: "redPackets", totalFen: 10000, count: 7, seed: SEED }), p);
        const err = expectCode(() => Workspace.draw({ kind: "redPackets", totalFen: 5, count: 10 }), "BAD_OPTIONS");
        assert.equal(err.field, "totalFen");
        expectCode(() => Workspace.draw({ kind: "lottery", entrants: ["A", "A"], winners: 1 }), "BAD_OPTIONS");
        expectCode(() => Workspace.draw({ kind: "dice" }), "BAD_OPTIONS");
        expectCode(() => Workspace.draw({ kind: "lottery", entrants: ["A"], winners: 1, seed: "xyz" }), "BAD_OPTIONS");
    });
});

describe("insights", () => {
    it("gives golden hours, retention cohorts, repurchase and community groups that agree with the rows", () => {
        const ws = new Workspace();
        ws.loadDemo();
        const s = ws.analyze();
        const i = ws.insights();
        assert.equal(i.goldenHours.slots.length, 11);
        assert.equal(i.goldenHours.purchases.length, 7);
        assert.ok(i.goldenHours.slots.some((x) => x.key === i.goldenHours.bestSlot));
        const busiest = i.goldenHours.slots.findIndex((x) => x.key === i.goldenHours.bestSlot);
        const bySlot = i.goldenHours.slots.map((_, k) => i.goldenHours.purchases.reduce((a, row) => a + row[k], 0));
        assert.equal(Math.max(...bySlot), bySlot[busiest]);
        assert.equal(i.retention.length, 12);
        assert.ok(i.retention.every((c) => c.retained <= c.members && c.rate >= 0 && c.rate <= 1));
        assert.equal(i.repurchase.buyers, s.buyersInWindow);
        assert.ok(i.baseGroups.every((g) => g.members <= 400));
        const vips = ws.members({ vip: true, limit: 0 }).total;
        assert.equal(vips, i.vipMembers);
        assert.equal(i.vipReview.stays + i.vipReview.joins, i.vipMembers);
        const m = ws.members({ limit: 1 }).rows[0];
        assert.ok(i.goldenHours.slots.some((x) => x.key === m.bestSlot));
        assert.equal(typeof m.homeStore, "string");
        assert.deepEqual(i.funnel.map((f) => f.key), ["reached", "visited", "picked", "bought", "bought_again"]);
        assert.ok(i.funnel.every((f, k) => k === 0 || f.members <= i.funnel[k - 1].members), "each stage implies the last");
        assert.equal(i.funnel[3].members, s.buyersInWindow);
        const lowest = i.funnel.slice(1).reduce((a, f) => (f.rate < a.rate ? f : a));
        assert.equal(i.breakpoint, lowest.key);
        expectCode(() => new Workspace().insights(), "NOT_ANALYZED");
    });
});

describe("offers and campaigns", () => {
    // The fixture of src/loyalty/playbook.rs (worked by hand there), analysed as of 2026-03-01
    // with threshold scoring: V1 value, S1 stable, P1 and N1 (new) and E1 (企业) potential,
    // C1 churned 212 days ago, R1 a prospect.
    function campaignStore() {
        let orders = "member_id,order_id,paid_at,amount,channel\n";
        for (let k = 0; k < 8; k++) orders += `V1,v${k},2026-01-${String(5 + 3 * k).padStart(2, "0")} 19:00,150,小程序\n`;
        for (const [k, day] of ["01-20", "01-30", "02-10", "02-20"].entries()) orders += `S1,s${k},2026-${day} 12:30,50,门店POS\n`;
        orders += "P1,p0,2026-02-09 09:30,30,门店POS\nN1,n0,2026-02-26 10:00,40,门店POS\nC1,c0,2025-08-01 11:00,60,门店POS\n";
        orders += "E1,e0,2026-02-01 15:00,500,门店POS\nE1,e1,2026-02-15 15:00,500,门店POS\n";
        const members = "会员ID,手机号,姓名,注册时间,会员类型,权益卡\n" +
            "V1,13812341234,张三,2025-01-01,个人,\nS1,13900005678,=1+2,2025-01-01,个人,\n" +
            "C1,13700001111,-李四,2025-01-01,,\nE1,02188886666,某某科技,2025-06-01,企业,企业卡\n" +
            "R1,13600002222,@王五,2026-01-01,个人,\n";
        const events = "member_id,event_time,event_type,channel\n" +
            "V1,2026-02-01 20:00,message_clicked,企业微信\nV1,2026-02-02 20:00,message_clicked,企业微信\n" +
            "S1,2026-02-03 12:10,message_clicked,短信\n";
        const ws = new Workspace();
        ws.load("orders", utf8(orders));
        ws.load("members", utf8(members));
        ws.load("events", utf8(events));
        ws.setRules({ rfm: { scoring: "thresholds" } });
        ws.analyze({ asOf: "2026-03-01" });
        return ws;
    }

    it("offers(memberId) ranks the playbook's offers with reasons, channel and send time", () => {
        const ws = campaignStore();
        assert.deepEqual(ws.offers("V1").map((o) => o.key), ["referral_reward", "exclusive_picks", "plus_card", "member_event"]);
        assert.deepEqual(ws.offers("N1").map((o) => o.key), ["second_order", "new_member", "flash_1yuan", "community_activity"]);
        const [recall] = ws.offers("C1");
        assert.equal(recall.reason, "已212天未消费，用新品和优惠券召回");
        assert.deepEqual(
            [recall.channel, recall.channelSource, recall.sendAt, recall.costFen, recall.coupon, recall.validUntil],
            ["wecom", "store", "2026-03-01 18:30", 1500, "recall", "2026-03-07"],
        );
        assert.equal(ws.offers("R1")[0].expectedValueFen, -1000);
        expectCode(() => ws.offers("nobody"), "UNKNOWN_MEMBER");
        assert.ok(Workspace.defaultRules().playbook.offers.some((o) => o.key === "lever_stockpiler"));
        const err = expectCode(() => ws.setRules({ playbook: { defaultSlot: "noon" } }), "INVALID_RULES");
        assert.equal(err.field, "playbook.defaultSlot");
    });

    it("planCampaign spends the budget exactly, respects the cap and keeps a stable holdout", () => {
        const ws = campaignStore();
        const plan = ws.planCampaign({ id: "b", budgetFen: 2500, holdoutShare: 0, limit: 100 });
        assert.deepEqual(plan.rows.map((r) => [r.memberId, r.offer.key]), [
            ["N1", "second_order"], ["C1", "recall"], ["E1", "enterprise_card"], ["V1", "plus_card"],
            ["S1", "member_day"], ["P1", "community_activity"],
        ]);
        assert.deepEqual([plan.costFen, plan.remainingFen, plan.targeted, plan.unfunded, plan.crowdMembers], [2500, 0, 6, 1, 7]);
        assert.equal(ws.planCampaign({ id: "c", perMemberCap: 2, holdoutShare: 0, limit: 0 }).total, 12);
        // spring-2026 at 0.5 holds back P1, E1 and R1 (README: FNV-1a 64 + fmix64).
        const held = ws.planCampaign({ id: "spring-2026", holdoutShare: 0.5 });
        assert.deepEqual([held.treated, held.holdout, held.costFen, held.holdoutCostFen], [4, 3, 5300, 2000]);
        assert.deepEqual(held.rows.filter((r) => r.holdout).map((r) => r.memberId).sort(), ["E1", "P1", "R1"]);
        const flash = ws.planCampaign({ id: "f", crowd: 'valueGroup = "potential"', offers: ["flash_1yuan"], holdoutShare: 0 });
        assert.deepEqual([flash.crowdMembers, flash.costFen, flash.perOffer.length], [3, 1500, 1]);
        assert.equal(expectCode(() => ws.planCampaign({}), "BAD_OPTIONS").field, "id");
        assert.equal(expectCode(() => ws.planCampaign({ id: "x", offers: ["nope"] }), "BAD_OPTIONS").field, "offers[0]");
        assert.equal(expectCode(() => ws.planCampaign({ id: "x", budget: 1 }), "BAD_OPTIONS").field, "budget");
    });

    it("exportCampaign writes the send list with masked phones and safe cells; the holdout apart", () => {
        const ws = campaignStore();
        const bytes = ws.exportCampaign({ id: "spring-2026", holdoutShare: 0.5 });
        assert.ok(bytes instanceof Uint8Array, "bytes, like exportMembers");
        const csv = new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes);
        assert.ok(csv.startsWith("\ufeff会员ID,手机号,姓名,权益,"));
        const rows = parseCsv(csv.slice(1));
        assert.deepEqual(rows.slice(1).map((r) => r[0]), ["N1", "C1", "V1", "S1"]);
        assert.deepEqual(rows[2].slice(0, 3), ["C1", "137****1111", "'-李四"]);
        assert.equal(rows[4][2], "'=1+2");
        const holdoutCsv = new TextDecoder().decode(ws.exportCampaign({ id: "spring-2026", holdoutShare: 0.5, list: "holdout", lang: "en" }));
        const holdout = parseCsv(holdoutCsv);
        assert.deepEqual(holdout[0].slice(0, 4), ["member_id", "phone", "name", "offer"]);
        assert.deepEqual(holdout.slice(1).map((r) => r[0]), ["P1", "R1", "E1"]);
        assert.equal(holdout[2][2], "'@王五");
    });

    it("campaignUplift compares treated and holdout, and says when there is not enough data", () => {
        const ws = new Workspace();
        ws.load("orders", utf8("member_id,order_id,paid_at,amount\n" +
            "U1,1,2026-03-05,100\nU1,2,2026-03-20,50\nU2,3,2026-03-15,80\nU2,4,2026-04-15,80\n" +
            "U4,5,2026-02-20,30\nU5,6,2026-03-30,60\nU5,7,2026-03-30,-10\nU3,8,2026-03-10,40\nU7,9,2026-03-02,999\n"));
        const options = { id: "uplift-test", sendDate: "2026-03-01", holdoutShare: 0.5, members: ["U1", "U2", "U3", "U4", "U5", "U6"] };
        const u = ws.campaignUplift(options);
        assert.equal(u.status, "ok");
        assert.deepEqual(u.treated, { members: 4, repurchased: 3, repurchaseRate: 0.75, spendFen: 28000, spendPerMemberFen: 7000 });
        assert.deepEqual(u.holdout, { members: 2, repurchased: 1, repurchaseRate: 0.5, spendFen: 4000, spendPerMemberFen: 2000 });
        assert.deepEqual(u.difference, { repurchaseRate: 0.25, spendPerMemberFen: 5000 });
        const later = ws.campaignUplift({ ...options, sendDate: "2026-05-01" });
        assert.equal(later.status, "no_data");
        assert.equal(later.difference, null);
        assert.match(later.message, /数据不足/);
        assert.equal(expectCode(() => ws.campaignUplift({ ...options, days: 0 }), "BAD_OPTIONS").field, "days");
    });

    it("plans the demo store within budget, and the export lists exactly the treated rows", () => {
        const ws = new Workspace();
        ws.loadDemo();
        ws.analyze();
        const options = { id: "demo-recall", crowd: 'lifecycle = "churned"', budgetFen: 30000, holdoutShare: 0.1, limit: 10000 };
        const plan = ws.planCampaign(options);
        assert.ok(plan.targeted > 0 && plan.costFen + plan.holdoutCostFen <= 30000);
        const lines = new TextDecoder().decode(ws.exportCampaign(options)).trim().split("\r\n");
        assert.equal(lines.length - 1, plan.rows.filter((r) => !r.holdout).length);
    });
});

describe("points", () => {
    /** The points fixture of tests/data/README.md, analysed (as of 2026-12-01). */
    function pointsWorkspace() {
        const ws = new Workspace();
        ws.load("orders", readFileSync(`${DATA}orders_points.csv`), { fileName: "orders_points.csv" });
        const events = ws.load("events", readFileSync(`${DATA}events_points.csv`), { fileName: "events_points.csv" });
        assert.deepEqual(events.rejected.map((r) => [r.row, r.code]), [[12, "missing_points"], [13, "bad_points"]]);
        ws.load("members", readFileSync(`${DATA}members_points.csv`), { fileName: "members_points.csv" });
        ws.analyze();
        return ws;
    }

    it("points() gives the liability, expiry and reconcile counts worked by hand", () => {
        const ws = pointsWorkspace();
        const p = ws.points();
        assert.equal(p.asOf, "2026-12-01");
        assert.deepEqual([p.liabilityPoints, p.liabilityFen, p.membersWithPoints], [183, 183, 3]);
        assert.deepEqual([p.overdrawnMembers, p.overCapOrders, p.expiringMembers], [1, 1, 0]);
        assert.deepEqual(p.expirySchedule.map((b) => [b.day, b.daysLeft, b.points]), [["2027-01-01", 31, 10], ["2028-01-01", 396, 173]]);
        assert.deepEqual([p.reconcile.compared, p.reconcile.matching, p.reconcile.differing], [5, 2, 3]);
        assert.equal(ws.points({ asOf: "2026-12-02" }).expiringPoints, 10);
        expectCode(() => ws.points({ asof: "2026-12-02" }), "BAD_OPTIONS");
        expectCode(() => ws.points({ asOf: "soon" }), "BAD_OPTIONS");
        expectCode(() => new Workspace().points(), "NOT_ANALYZED");
        ws.free();
    });

    it("pointsLedger, pointsReconcile and pointsExpiring page the members", () => {
        const ws = pointsWorkspace();
        const ledger = ws.pointsLedger("P1");
        assert.deepEqual(ledger.lines.map((l) => [l.day, l.kind, l.points, l.balance]), [
            ["2025-03-01", "purchase", 100, 100], ["2026-03-08", "purchase", 100, 200],
            ["2026-10-20", "cash_offset", -150, 50], ["2026-10-20", "purchase", 30, 80],
        ]);
        assert.equal(ledger.lines[2].reason, "积分抵现 ¥1.50（订单 D3）");
        assert.equal(ledger.imported, 80);
        assert.equal(ws.pointsLedger("P3", { asOf: "2027-01-01" }).balance, 27);
        expectCode(() => ws.pointsLedger("nobody"), "UNKNOWN_MEMBER");
        const diff = ws.pointsReconcile({ limit: 2 });
        assert.equal(diff.total, 3);
        assert.deepEqual(diff.rows.map((d) => [d.memberId, d.difference]), [["P4", 1990], ["P5", 500]]);
        assert.equal(diff.rows[0].phone, "136****5678");
        const soon = ws.pointsExpiring({ asOf: "2026-12-02" });
        assert.deepEqual(soon.rows.map((e) => [e.memberId, e.expiring, e.daysLeft]), [["P3", 10, 30]]);
        assert.equal(ws.members({ crowd: "pointsBalance < 0" }).rows[0].id, "P4");
        ws.free();
    });

    it("the demo store has a liability, and points expiring before the year end", () => {
        const ws = new Workspace();
        ws.loadDemo();
        ws.analyze();
        const p = ws.points();
        assert.ok(p.liabilityPoints > 0 && p.membersWithPoints > 0);
        assert.equal(p.liabilityFen, Math.floor(p.liabilityPoints * 100 / 100));
        assert.ok(p.expirySchedule[0].day === "2027-01-01" && p.expirySchedule[0].points > 0);
        ws.analyze({ asOf: "2026-12-05" });
        const crowd = Workspace.recommendedCrowds().find((c) => c.key === "points_expiring");
        const total = ws.members({ crowd: crowd.expr, limit: 0 }).total;
        assert.ok(total > 0);
        assert.equal(total, ws.points().expiringMembers);
        ws.free();
    });
});

describe("segmentation: channels, categories, manual and custom tags, crowd fields", () => {
    const fixture = (name) => readFileSync(`${DATA}${name}`);
    /** orders_gbk_crlf.csv + members_all_fields.csv + events_utf8.csv (worked out in tests/tests.rs). */
    function loaded(rules) {
        const ws = new Workspace();
        ws.load("orders", fixture("orders_gbk_crlf.csv"), { fileName: "orders.csv" });
        ws.load("members", fixture("members_all_fields.csv"), { fileName: "members.csv" });
        ws.load("events", fixture("events_utf8.csv"), { fileName: "events.csv" });
        if (rules) ws.setRules(rules);
        ws.analyze({ asOf: "2026-11-01" });
        return ws;
    }
    const ids = (ws, crowd) => ws.members({ crowd, sort: "id_asc", limit: 100 }).rows.map((m) => m.id);

    it("puts each member's preferred channel on the row, flagged when it is the store's", () => {
        const ws = loaded();
        const m1 = ws.member("M001");
        assert.deepEqual([m1.preferredChannel, m1.preferredChannelIsStore], ["短信", true], "no clicks of their own");
        const m5 = ws.member("M005");
        assert.deepEqual([m5.preferredChannel, m5.preferredChannelIsStore], ["短信", false], "one click through 短信");
        assert.equal(ws.insights().bestChannel, "短信");
        const rows = parseCsv(new TextDecoder().decode(ws.exportMembers({ lang: "en", crowd: "tag = 高价值" })));
        const at = rows[0].indexOf("preferred_channel");
        assert.ok(at > 0, `${rows[0]}`);
        assert.deepEqual([rows[1][0], rows[1][at]], ["M001", "短信"]);
        assert.ok(parseCsv(new TextDecoder().decode(ws.exportMembers()))[0].includes("偏好渠道"));
    });

    it("filters by the members' and events' crowd fields", () => {
        const ws = loaded();
        const names = Workspace.crowdFields().map((f) => f.name);
        for (const field of ["store", "wechatFan", "daysSinceFollowed", "daysSinceVisit", "daysSinceCartAdd",
            "orders2Years", "ordersNoRefund", "benefitCards", "benefitCard", "preferredChannel"]) {
            assert.ok(names.includes(field), field);
        }
        assert.deepEqual(ids(ws, "wechatFan = yes"), ["M001", "M007"]);
        assert.deepEqual(ids(ws, "daysSinceFollowed < 335"), ["M007"]);
        assert.deepEqual(ids(ws, "daysSinceVisit <= 31 and daysSinceCartAdd = 22"), ["M001"]);
        assert.deepEqual(ids(ws, "orders2Years = 1 and ordersNoRefund = 0"), ["M002"]);
        assert.deepEqual(ids(ws, 'benefitCard = "企业卡" or benefitCards >= 2'), ["M001", "M007"]);
        assert.deepEqual(ids(ws, "store = 静安寺店"), ["M001", "M004", "M005", "M007"]);
        const s = ws.analyze({ asOf: "2026-11-01" });
        assert.deepEqual(s.stores.map((c) => [c.key, c.members]), [["静安寺店", 4], ["徐家汇店", 1], ["陆家嘴店", 1]]);
        assert.deepEqual(s.benefitCards.map((c) => c.key), ["PLUS年卡", "生日礼包", "企业卡"]);
        assert.equal(s.preferredChannels[0].key, "短信");
    });

    it("shows manual tags and the rules' custom tags beside the automatic ones", () => {
        const ws = loaded({ tags: { custom: [{ key: "fan_with_cards", name: "有卡粉丝", nameEn: "Fan with cards",
            when: "wechatFan = yes and benefitCards >= 2" }] } });
        const tags = ws.member("M001").tags;
        assert.deepEqual(tags.map((t) => [t.tag, t.source]),
            [["stockpiler", "auto"], ["fan_with_cards", "custom"], ["高价值", "manual"], ["爱咖啡", "manual"]]);
        assert.deepEqual(tags[1].evidence, [{ metric: "wechatFan", value: "yes" }, { metric: "benefitCards", value: 2 }]);
        assert.deepEqual(tags[0].evidence.map((e) => [e.metric, e.op]), [["purchases", "<="], ["aovToStoreMedian", ">="]]);
        assert.deepEqual(tags[2].evidence, []);
        assert.deepEqual(ids(ws, "tag = fan_with_cards"), ["M001"]);
        assert.deepEqual(ids(ws, "tag = 宝妈"), ["M002"]);
        const counts = ws.analyze({ asOf: "2026-11-01" }).tags;
        assert.deepEqual(counts.filter((c) => c.source !== "auto").map((c) => [c.key, c.members, c.source]).slice(0, 3),
            [["fan_with_cards", 1, "custom"], ["高价值", 1, "manual"], ["爱咖啡", 1, "manual"]]);
        const err = expectCode(() => ws.setRules({ tags: { custom: [{ key: "a", name: "A", when: "f >= " }] } }), "INVALID_RULES");
        assert.equal(err.field, "tags.custom[0].when");
        assert.match(err.message, /at 3: expected a value/);
        expectCode(() => ws.setRules({ tags: { campaigns: [{ name: "x", nameEn: "x", from: "13-01", to: "12-31" }] } }), "INVALID_RULES");
        assert.equal(Workspace.defaultRules().tags.campaigns.find((c) => c.name === "618").from, "06-16");
    });

    it("lists the categories each value group buys most, by spend and by buyers", () => {
        const ws = new Workspace();
        ws.load("orders", utf8("订单号,会员ID,支付时间,实付金额\nD1,A,2026-03-01 10:00,40\nD2,A,2026-03-02,20\nD3,B,2026-04-01,45\n"));
        ws.load("order_lines", utf8("订单号,商品分类,单价,数量\nD1,咖啡,30,1\nD1,零食,10,1\nD2,咖啡,20,1\nD3,零食,25,2\nD3,咖啡,5,-1\n"));
        ws.analyze({ asOf: "2026-11-01" });
        const [all, ...groups] = ws.insights().categories;
        assert.deepEqual(groups.map((g) => g.key), ["value", "potential", "stable", "churned"]);
        // 咖啡 30 + 20 − 5 (a returned cup) = 45, 零食 10 + 50 = 60; 零食 bought by A and B, 咖啡 by A.
        assert.deepEqual([all.buyers, all.spendFen], [2, 10500]);
        assert.deepEqual(all.bySpend.map((r) => [r.category, r.spendFen, r.buyers, r.buyerShare]),
            [["零食", 6000, 2, 1], ["咖啡", 4500, 1, 0.5]]);
        assert.ok(Math.abs(all.bySpend[0].spendShare - 60 / 105) < 1e-12);

        const demo = new Workspace();
        demo.loadDemo();
        demo.analyze();
        const [everyone, value] = demo.insights().categories;
        assert.equal(value.key, "value");
        assert.ok(value.buyers > 0 && value.buyers < everyone.buyers);
        assert.ok(value.bySpend.length === 10 && value.bySpend.every((r, k) => k === 0 || r.spendFen <= value.bySpend[k - 1].spendFen));
        assert.ok(value.byBuyers.every((r, k) => k === 0 || r.buyers <= value.byBuyers[k - 1].buyers));
    });
});

describe("coupons", () => {
    // Worked out by hand (as src/loyalty/coupons.rs's tests): as of 2026-11-01 N1 joined on
    // 10-28 and bought once on 10-30 (new, potential, basic, imported tag vip_tag); D1 last
    // bought on 09-01 (dormant). Template t: ¥10 off from ¥30, issued 11-01…11-30, each valid
    // 7 days, for new members, one each, at most 2 in all.
    const MEMBERS = "会员ID,注册时间,会员标签\nN1,2026-10-28,vip_tag\nD1,2025-01-01,\n";
    const ORDERS = "会员ID,支付时间,实付金额\nN1,2026-10-30 12:00,50.00\nD1,2026-09-01 09:00,40.00\n";
    const EVENTS = "member_id,at,type,coupon\n" +
        "N1,2026-11-02 10:00,coupon_issued,t\n" +
        "X1,2026-11-03,coupon_issued,测试券\n" +
        "D1,2026-10-20,coupon_issued,fd\n" +
        "D1,2026-10-21,coupon_used,fd\n";
    const RULES = {
        // The playbook's default offers name the default templates, which these replace.
        playbook: { offers: [] },
        coupons: {
            templates: [
                { key: "t", name: "测试券", nameEn: "Test", kind: "threshold", benefit: { amountOff: 10 }, minSpend: 30,
                  validity: { from: "2026-11-01", to: "2026-11-30", days: 7 }, audience: { lifecycle: ["new"] },
                  perMemberLimit: 1, budget: { count: 2 }, stacksWith: ["freeDelivery"] },
                { key: "fd", name: "免运费", nameEn: "Free delivery", kind: "freeDelivery", benefit: "freeDelivery",
                  validity: { days: 7 }, stacksWith: [] },
            ],
        },
    };

    function store() {
        const ws = new Workspace();
        ws.setRules(RULES);
        ws.load("members", utf8(MEMBERS));
        ws.load("orders", utf8(ORDERS));
        ws.load("events", utf8(EVENTS));
        ws.analyze({ asOf: "2026-11-01" });
        return ws;
    }

    it("lists the default templates, one of every kind, with descriptions", () => {
        const ws = new Workspace();
        const list = ws.couponTemplates();
        assert.deepEqual(
            [...new Set(list.map((t) => t.kind))].sort(),
            ["flashSale", "freeDelivery", "gift", "newMember", "percent", "recall", "referral", "threshold", "vipOnly"],
        );
        const spend = list.find((t) => t.key === "spend30_save5");
        assert.deepEqual([spend.description, spend.faceValueFen, spend.minSpend], ["满30减5，领取后14天内有效", 500, 30]);
        assert.deepEqual(list.find((t) => t.key === "new_member").validity, { days: 7 });
        assert.equal(Workspace.defaultRules().coupons.reminderText, "您有一张优惠券即将到期");
        ws.free();
    });

    it("couponEligibility gives every failing rule with its reason", () => {
        const ws = store();
        const ok = ws.couponEligibility("N1", "t", { at: "2026-11-01", spendFen: 3000 });
        assert.deepEqual([ok.eligible, ok.failures, ok.issuedToMember, ok.issuedTotal, ok.expires], [true, [], 0, 0, "2026-11-07"]);
        // The issue at 10:00 on 11-02 counts on 11-02 itself; X1's (by name) on 11-03 too.
        assert.equal(ws.couponEligibility("N1", "t", { at: "2026-11-02" }).failures[0].code, "limit_reached");
        const n1 = ws.couponEligibility("N1", "t", { at: "2026-11-03", spendFen: 2999, with: ["fd"] });
        assert.equal(n1.eligible, false);
        assert.deepEqual(n1.failures.map((f) => [f.code, f.rule, f.reason]), [
            ["limit_reached", "perMemberLimit", "already received 1 of limit 1"],
            ["budget_count", "budget.count", "budget of 2 coupons used up: 2 issued"],
            ["min_spend", "minSpend", "spend ¥29.99 is below the minimum ¥30.00"],
            ["no_stacking", "stacksWith", "cannot be combined with Free delivery (free delivery)"],
        ]);
        const d1 = ws.couponEligibility("D1", "t", { at: "2026-12-01" });
        assert.deepEqual(d1.failures.map((f) => [f.code, f.reasonZh]), [
            ["ended", "优惠券已于 2026-11-30 结束"],
            ["audience_lifecycle", "不在发放人群：生命周期为沉睡，需要新客"],
            ["budget_count", "发放总量 2 张已用完：已发 2 张"],
        ]);
        expectCode(() => ws.couponEligibility("N1", "nope"), "BAD_OPTIONS", "nope");
        expectCode(() => ws.couponEligibility("Z9", "t"), "UNKNOWN_MEMBER");
        expectCode(() => ws.couponEligibility("N1", "t", { spend: 1 }), "BAD_OPTIONS", "spend");
        expectCode(() => new Workspace().couponEligibility("N1", "t"), "NOT_ANALYZED");
        ws.free();
    });

    it("couponReminders pages the coupons that expire within a day; couponStats gives the rates", () => {
        const ws = store();
        // N1's coupon: issued 11-02, last valid day 11-08, reminded on 11-07 and 11-08.
        assert.equal(ws.couponReminders({ at: "2026-11-06" }).total, 0);
        const page = ws.couponReminders({ at: "2026-11-07", offset: 0, limit: 10 });
        assert.deepEqual(
            page.rows.map((r) => [r.memberId, r.coupon, r.couponName, r.issuedAt, r.expires, r.daysLeft]),
            [["N1", "t", "测试券", "2026-11-02", "2026-11-08", 1]],
        );
        assert.deepEqual([page.at, page.total, page.message], ["2026-11-07", 1, "您有一张优惠券即将到期"]);
        const next = ws.couponReminders({ at: "2026-11-08", offset: 1, limit: 1 });
        assert.deepEqual([next.total, next.rows.map((r) => [r.memberId, r.daysLeft])], [2, [["X1", 1]]]);
        assert.equal(ws.couponReminders({ at: "2026-11-10" }).total, 0);
        expectCode(() => ws.couponReminders({ page: 1 }), "BAD_OPTIONS", "page");
        // Before the analysis date: only D1's fd (issued and used).
        const s = ws.couponStats();
        assert.deepEqual(s.coupons.map((c) => [c.key, c.issued, c.used, c.useRate]), [["t", 0, 0, 0], ["fd", 1, 1, 1]]);
        const dormant = s.byLifecycle.find((r) => r.key === "dormant");
        assert.deepEqual([dormant.members, dormant.membersIssued, dormant.issueRate, dormant.useRate], [1, 1, 1, 1]);
        assert.equal(ws.couponStats({ coupon: "t" }).byLifecycle.find((r) => r.key === "dormant").issued, 0);
        ws.free();
    });

    it("the demo store has coupon events for every template and reminders due", () => {
        const ws = new Workspace();
        ws.loadDemo();
        ws.analyze();
        const s = ws.couponStats();
        assert.ok(s.coupons.every((c) => c.issued > 0 && c.kind !== null));
        const r = ws.couponReminders({ limit: 5 });
        assert.ok(r.total > 0 && r.rows.length === 5 && r.rows.every((x) => x.phone.includes("*")));
        ws.free();
    });
});
