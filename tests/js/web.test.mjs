// The web entry (pkg/web/index.js) in Node: `init(source)` is explicit and
// idempotent, fetches only when given a URL, and the Workspace it exports
// computes what the Node entry computes.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, it } from "node:test";
import { promisify } from "node:util";
import { EXPECTED, MEMBERS_CSV, ORDERS_CSV, PKG, ROOT, rejectsWithCode, requirePkg, utf8 } from "./helpers.mjs";

requirePkg();
const WEB = `${PKG}web/index.js`;
const WASM = `${PKG}member_analytics_bg.wasm`;

describe("web entry", () => {
    it("init() without a source rejects and fetches nothing; init(bytes) is idempotent", async () => {
        const { default: init, Workspace } = await import(WEB);
        const realFetch = globalThis.fetch;
        globalThis.fetch = () => assert.fail("init fetched without being given a URL");
        try {
            await rejectsWithCode(init(), "BAD_OPTIONS");
            await rejectsWithCode(init({ not: "a source" }), "BAD_OPTIONS");
            const first = init(readFileSync(WASM));
            assert.ok(first instanceof Promise);
            assert.equal(init(), first, "a second call returns the first call's promise");
            assert.equal(init(new Uint8Array([1, 2, 3])), first, "whatever it is given");
            assert.equal(await first, undefined);
            assert.equal(init(), first);
        } finally {
            globalThis.fetch = realFetch;
        }

        const ws = new Workspace();
        ws.load("orders", utf8(ORDERS_CSV));
        ws.load("members", utf8(MEMBERS_CSV));
        const summary = ws.analyze();
        assert.equal(summary.asOf, EXPECTED.asOf);
        assert.equal(summary.revenueFen, 77700);
        assert.equal(ws.member("A001").name, "张三");

        const node = createRequire(import.meta.url)(`${PKG}node/index.cjs`);
        const other = new node.Workspace();
        other.load("orders", utf8(ORDERS_CSV));
        other.load("members", utf8(MEMBERS_CSV));
        assert.deepEqual(other.analyze(), summary, "the web and Node entries agree");
        assert.deepEqual(ws.members(), other.members());
        ws.free();
        other.free();
    });

    // Each kind of source in a fresh process, since init runs once per process.
    const run = promisify(execFile);
    const sources = {
        "a Uint8Array": `readFileSync(WASM)`,
        "an ArrayBuffer": `(() => { const b = readFileSync(WASM); return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength); })()`,
        "a WebAssembly.Module": `new WebAssembly.Module(readFileSync(WASM))`,
        "a Response": `new Response(readFileSync(WASM), { headers: { "Content-Type": "application/wasm" } })`,
        "a URL string (served from 127.0.0.1)": `(await serve({ root: PKG, port: 0 })).url + "member_analytics_bg.wasm"`,
        "a URL object (served from 127.0.0.1)": `new URL("member_analytics_bg.wasm", (await serve({ root: PKG, port: 0 })).url)`,
    };
    for (const [what, expression] of Object.entries(sources)) {
        it(`init accepts ${what}`, async () => {
            const script = `
                import { readFileSync } from "node:fs";
                import { serve } from ${JSON.stringify(`${ROOT}scripts/serve.mjs`)};
                import init, { Workspace } from ${JSON.stringify(WEB)};
                const PKG = ${JSON.stringify(PKG)}, WASM = ${JSON.stringify(WASM)};
                await init(${expression});
                const ws = new Workspace();
                ws.load("orders", new TextEncoder().encode(${JSON.stringify(ORDERS_CSV)}));
                console.log(JSON.stringify(ws.analyze()));
                process.exit(0);
            `;
            const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], { timeout: 30000 });
            const summary = JSON.parse(stdout);
            assert.equal(summary.asOf, EXPECTED.asOf);
            assert.equal(summary.revenueFen, 77700);
        });
    }

    it("a failed first init can be retried", async () => {
        const script = `
            import { readFileSync } from "node:fs";
            import init, { Workspace } from ${JSON.stringify(WEB)};
            const failed = await init(new Uint8Array([0, 97, 115, 109, 9, 9, 9, 9])).then(() => "resolved", (e) => e instanceof Error);
            await init(readFileSync(${JSON.stringify(WASM)}));
            console.log(JSON.stringify({ failed, works: typeof new Workspace().rules() }));
        `;
        const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], { timeout: 30000 });
        assert.deepEqual(JSON.parse(stdout), { failed: true, works: "object" });
    });

    it("the web entry and the glue use no import.meta and fetch only in the URL branch", () => {
        const web = readFileSync(WEB, "utf8");
        const glue = readFileSync(`${PKG}member_analytics_bg.js`, "utf8");
        assert.ok(!/import\.meta/.test(web + glue));
        assert.ok(!/fetch\(/.test(glue));
        assert.equal(web.match(/fetch\(/g)?.length, 1);
    });
});
