// The mini-program entry (pkg/miniprogram/index.js) in a sandbox shaped like
// a WeChat mini-program: a `vm` context with `WXWebAssembly` (which, like
// WeChat's, takes only a path inside the code package) and CommonJS
// `module`/`exports`, but no WebAssembly, fetch, URL, TextDecoder,
// TextEncoder or Node modules.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, it } from "node:test";
import vm from "node:vm";
import { brotliDecompressSync } from "node:zlib";
import { DATA, MEMBERS_CSV, ORDERS_CSV, PKG, requirePkg } from "../js/helpers.mjs";

requirePkg();
const ENTRY = `${PKG}miniprogram/index.js`;
const DEFAULT_PATH = "/miniprogram_npm/member-analytics/member_analytics_bg.wasm.br";

/**
 * A fresh mini-program-like realm. `files` maps code-package paths to files
 * on disk; `calls` records what WXWebAssembly.instantiate was asked for.
 */
function sandbox(files = { [DEFAULT_PATH]: `${PKG}miniprogram/member_analytics_bg.wasm.br` }) {
    const calls = [];
    let RealmError = Error; // the sandbox's own Error, once it exists
    const WXWebAssembly = {
        instantiate(path, imports) {
            calls.push({ path, importModules: Object.keys(imports) });
            if (typeof path !== "string") return Promise.reject(new RealmError("WXWebAssembly: path must be a string"));
            const file = files[path];
            if (!file) return Promise.reject(new RealmError(`WXWebAssembly: no file ${path} in the code package`));
            let bytes = readFileSync(file);
            if (path.endsWith(".br")) bytes = brotliDecompressSync(bytes);
            return WebAssembly.instantiate(bytes, imports);
        },
    };
    const logs = [];
    const console = {
        log: (...a) => logs.push(a.join(" ")),
        info: (...a) => logs.push(a.join(" ")),
        warn: (...a) => logs.push(a.join(" ")),
        error: (...a) => logs.push(a.join(" ")),
        debug: () => {},
    };
    const module = { exports: {} };
    const context = vm.createContext({ WXWebAssembly, console, module, exports: module.exports });
    // V8 gives every context its own WebAssembly; a mini-program has none.
    vm.runInContext("delete globalThis.WebAssembly;", context);
    RealmError = vm.runInContext("Error", context);
    const missing = vm.runInContext(
        `["WebAssembly", "fetch", "URL", "TextDecoder", "TextEncoder", "require", "process", "Buffer"]
            .filter((name) => typeof globalThis[name] !== "undefined")`,
        context,
    );
    assert.deepEqual([...missing], [], "the sandbox has none of these");
    // WeChat wraps every file of the package in a function, as Node does.
    const wrapped = `(function (module, exports) {\n${readFileSync(ENTRY, "utf8")}\n})(module, module.exports);`;
    vm.runInContext(wrapped, context, { filename: "miniprogram/index.js", lineOffset: -1 });
    return { context, calls, logs, exports: module.exports };
}

/** Run `body` (an async function body) inside the sandbox; it returns JSON-able data. */
async function inside(box, body) {
    box.context.__csv = { orders: ORDERS_CSV, members: MEMBERS_CSV };
    const json = await vm.runInContext(
        `(async () => { const ma = module.exports; ${body} })().then((value) => JSON.stringify(value))`,
        box.context,
    );
    return JSON.parse(json);
}

/**
 * Every method that returns a result, over a demo store, with the error each
 * throws for a bad argument: the body of a function of `ma` (an initialised
 * entry) and `files` (the demo files as arrays of bytes) that returns the
 * results as JSON text. Floats that are not finite are marked, since JSON
 * would turn them into null.
 */
const EVERY_RESULT = `
    const out = {};
    const attempt = (name, fn) => {
        try { out[name] = fn(); } catch (e) { out[name] = { code: e.code, field: e.field, message: e.message }; }
    };
    const ws = new ma.Workspace();
    for (const kind of ["orders", "members", "order_lines", "events"]) {
        attempt("load " + kind, () => ws.load(kind, new Uint8Array(files[kind]), { fileName: kind + ".csv" }));
    }
    attempt("analyze", () => ws.analyze());
    attempt("insights", () => ws.insights());
    attempt("members", () => ws.members({ sort: "m_desc", limit: 40 }));
    attempt("crowd", () => ws.members({ crowd: "lifecycle = churned or f >= 3", offset: 5, limit: 20 }));
    attempt("bad query", () => ws.members({ limit: -1 }));
    const ids = out.members.rows.map((row) => row.id).concat(out.crowd.rows.map((row) => row.id));
    const coupons = ws.couponTemplates();
    out.couponTemplates = coupons;
    for (const id of ids) {
        attempt("member " + id, () => ws.member(id));
        attempt("offers " + id, () => ws.offers(id));
        attempt("pointsLedger " + id, () => ws.pointsLedger(id));
        for (const c of coupons) {
            attempt("couponEligibility " + id + " " + c.key, () => ws.couponEligibility(id, c.key, { spendFen: 2500 }));
        }
    }
    attempt("couponReminders", () => ws.couponReminders({ limit: 50 }));
    attempt("couponStats", () => ws.couponStats());
    attempt("points", () => ws.points());
    attempt("pointsReconcile", () => ws.pointsReconcile({ limit: 50 }));
    attempt("pointsExpiring", () => ws.pointsExpiring({ limit: 50 }));
    attempt("exportMembers", () => Array.from(ws.exportMembers({ lang: "en" })));
    attempt("rules", () => ws.rules());
    attempt("setRules", () => ws.setRules({ rfm: { windowDays: 180 }, points: { perYuan: 1.5 } }));
    attempt("analyze 180", () => ws.analyze({ asOf: "2026-01-01" }));
    attempt("rules 180", () => ws.rules());
    attempt("bad rules", () => ws.setRules({ rfm: { windowDays: 2.5 } }));
    attempt("defaultRules", () => ma.Workspace.defaultRules());
    attempt("recommendedCrowds", () => ma.Workspace.recommendedCrowds());
    attempt("crowdFields", () => ma.Workspace.crowdFields());
    const seed = "0123456789abcdef".repeat(4);
    attempt("lottery", () => ma.Workspace.draw({ kind: "lottery", entrants: out.members.rows.map((row) => row.id), winners: 3, seed }));
    attempt("firstN", () => ma.Workspace.draw({ kind: "firstN", requests: [["a", 3], ["b", 1]], n: 1, seed }));
    attempt("redPackets", () => ma.Workspace.draw({ kind: "redPackets", totalFen: 10000, count: 7, seed }));
    attempt("bad draw", () => ma.Workspace.draw({ kind: "lottery", entrants: ids, winners: 3, seed: "00" }));
    ws.free();
    return JSON.stringify(out, (key, value) =>
        typeof value === "number" && !Number.isFinite(value) ? "not finite: " + value : value);
`;

/** UTF-8 bytes made inside the sandbox, without TextEncoder (the inputs are what the test feeds). */
const UTF8_IN_SANDBOX = `
    const utf8 = (s) => {
        const out = [];
        for (const ch of s) {
            const c = ch.codePointAt(0);
            if (c < 0x80) out.push(c);
            else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
            else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
            else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
        }
        return new Uint8Array(out);
    };`;

describe("mini-program entry", () => {
    it("contains no fetch, URL, import.meta, eval or new Function", () => {
        const source = readFileSync(ENTRY, "utf8");
        for (const pattern of [/fetch\(/, /new URL/, /import\.meta/, /\beval\(/, /new Function/]) {
            assert.ok(!pattern.test(source), `pkg/miniprogram/index.js matches ${pattern}`);
        }
    });

    it("instantiates through WXWebAssembly from the package path and analyses orders", async () => {
        const box = sandbox();
        assert.equal(typeof box.exports.init, "function");
        assert.equal(typeof box.exports.Workspace, "function");
        const result = await inside(box, `
            ${UTF8_IN_SANDBOX}
            const first = ma.init();
            const same = ma.init() === first;
            await first;
            const ws = new ma.Workspace();
            const report = ws.load("orders", utf8(__csv.orders), { fileName: "订单.csv" });
            ws.load("members", utf8(__csv.members));
            const summary = ws.analyze();
            const a001 = ws.member("A001");
            let error;
            try { ws.member("没有这个人"); } catch (e) {
                error = { isError: e instanceof Error, code: e.code, message: e.message };
            }
            const csv = ws.exportMembers({ lang: "en" });
            ws.free();
            return { same, report, summary, a001, error, bom: Array.from(csv.subarray(0, 3)) };
        `);
        assert.equal(result.same, true, "init is idempotent");
        assert.deepEqual(box.calls, [{ path: DEFAULT_PATH, importModules: ["./member_analytics_bg.js"] }]);
        assert.equal(result.report.fileName, "订单.csv", "a Chinese string in and out through the polyfills");
        assert.equal(result.report.rowsRead, 12);
        assert.equal(result.report.rowsUsed + result.report.rejected.length, result.report.rowsRead);
        assert.equal(result.summary.asOf, "2026-07-01");
        assert.equal(result.summary.buyersInWindow, 5);
        assert.equal(result.summary.revenueFen, 77700);
        assert.deepEqual(result.summary.valueGroups.map((g) => [g.key, g.members]), [
            ["value", 1], ["potential", 3], ["stable", 0], ["churned", 2],
        ]);
        assert.equal(result.a001.name, "张三");
        assert.equal(result.a001.phone, "138****1234");
        assert.equal(result.a001.mFen, 60000);
        assert.equal(result.a001.rfmClass, "important_value");
        assert.deepEqual(result.error, {
            isError: true, code: "UNKNOWN_MEMBER", message: result.error.message,
        });
        assert.ok(result.error.message.includes("没有这个人"), result.error.message);
        assert.deepEqual(result.bom, [0xef, 0xbb, 0xbf]);
        const leaked = vm.runInContext(`[typeof TextDecoder, typeof TextEncoder]`, box.context);
        assert.deepEqual([...leaked], ["undefined", "undefined"], "the polyfills stay inside the bundle");
    });

    it("returns what the full build returns, key for key (its results cross as JSON text)", async () => {
        const full = createRequire(import.meta.url)(`${PKG}node/index.cjs`);
        const demo = full.Workspace.demoFiles({ seed: 11, members: 400, orders: 4000 });
        const files = {
            orders: Array.from(demo.orders),
            members: Array.from(demo.members),
            order_lines: Array.from(demo.orderLines),
            events: Array.from(demo.events),
        };
        const expected = new Function("ma", "files", EVERY_RESULT)(full, files);
        const box = sandbox();
        box.context.__files = files;
        const actual = await inside(box, `await ma.init(); const files = __files; ${EVERY_RESULT}`);
        assert.ok(expected.length > 100_000, "a demo store's worth of results");
        assert.ok(!expected.includes("not finite"), "no result holds NaN or an infinity");
        let at = 0;
        while (at < expected.length && actual[at] === expected[at]) at++;
        assert.ok(actual === expected, `first difference at ${at}: …${actual.slice(at - 200, at + 100)} / …${expected.slice(at - 200, at + 100)}`);
    });

    it("takes the caller's own path, and can retry after a failed init", async () => {
        const custom = "/packageA/lib/member_analytics_bg.wasm.br";
        const box = sandbox({ [custom]: `${PKG}miniprogram/member_analytics_bg.wasm.br` });
        const result = await inside(box, `
            const failure = await ma.init().then(() => null, (e) => ({ isError: e instanceof Error, message: e.message }));
            await ma.init(${JSON.stringify(custom)});
            return { failure, rules: new ma.Workspace().rules().rfm.windowDays };
        `);
        assert.equal(result.failure.isError, true);
        assert.ok(result.failure.message.includes(DEFAULT_PATH), "the default path was tried first");
        assert.equal(result.rules, 365);
        assert.deepEqual(box.calls.map((c) => c.path), [DEFAULT_PATH, custom]);
    });

    it("is the small build: GBK through its own GB18030 decoder, no xlsx, no demo store, no predictions, no campaigns", async () => {
        const box = sandbox();
        box.context.__files = {
            gbk: Array.from(readFileSync(`${DATA}orders_gbk_crlf.csv`)),
            xlsx: Array.from(readFileSync(`${DATA}store.xlsx`)),
        };
        const result = await inside(box, `
            await ma.init();
            const ws = new ma.Workspace();
            const report = ws.load("orders", new Uint8Array(__files.gbk), { fileName: "订单.csv" });
            let xlsx;
            try { ws.load("orders", new Uint8Array(__files.xlsx), { fileName: "store.xlsx" }); } catch (e) {
                xlsx = { isError: e instanceof Error, code: e.code, message: e.message };
            }
            const absent = ["loadDemo", "predict", "planCampaign", "exportCampaign", "campaignUplift"]
                .filter((m) => typeof ws[m] === "undefined")
                .concat(["demoFiles"].filter((m) => typeof ma.Workspace[m] === "undefined"));
            const present = ["load", "beginLoad", "analyze", "members", "member", "exportMembers", "insights",
                "points", "couponEligibility", "offers"].filter((m) => typeof ws[m] === "function")
                .concat(["draw", "recommendedCrowds"].filter((m) => typeof ma.Workspace[m] === "function"));
            return { report, xlsx, absent, present, revenue: ws.analyze().revenueFen };
        `);
        assert.equal(result.report.encoding, "GBK/GB18030");
        assert.deepEqual([result.report.rowsRead, result.report.rowsUsed], [12, 9]);
        assert.equal(result.revenue, 149140, "the hand-worked answer of tests/data/README.md");
        assert.equal(result.xlsx.isError, true);
        assert.equal(result.xlsx.code, "UNSUPPORTED_FORMAT");
        assert.match(result.xlsx.message, /xlsx/);
        assert.deepEqual(result.absent,
            ["loadDemo", "predict", "planCampaign", "exportCampaign", "campaignUplift", "demoFiles"],
            "README: the mini-program build lacks these");
        assert.equal(result.present.length, 12);
    });
});
