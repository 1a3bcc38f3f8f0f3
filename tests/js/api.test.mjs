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
        expectCode(() => new Workspace().rfmColumns(), "NOT_ANALYZED");
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
        for (const c of recommended.filter((c) => c.key !== "at_risk")) {
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
