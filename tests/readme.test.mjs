// README examples run as tests (STYLE 16), so the docs cannot rot.
//
// Every fenced block whose info string is `js readme-test` is one complete
// program. It runs in its own Node process against the built package, which
// it reaches as `member-analytics` (`import … from "member-analytics"` or
// `require("member-analytics")`, the Node entry), with the repository root as
// the working directory. A block passes when it exits with status 0; use
// `node:assert` in it to check what it shows.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { promisify } from "node:util";
import { PKG, ROOT, requirePkg } from "./js/helpers.mjs";

const README = join(ROOT, "README.md");
const INFO = "js readme-test";

/** The `js readme-test` blocks of a markdown text, with the line each starts on. */
export function readmeBlocks(markdown) {
    const blocks = [];
    const lines = markdown.split(/\r?\n/);
    for (let i = 0; i < lines.length; i++) {
        const open = lines[i].match(/^( {0,3})(`{3,}|~{3,})\s*(.*?)\s*$/);
        if (!open) continue;
        const [, , fence, info] = open;
        const body = [];
        let j = i + 1;
        const close = new RegExp(`^ {0,3}${fence[0] === "`" ? "`" : "~"}{${fence.length},}\\s*$`);
        while (j < lines.length && !close.test(lines[j])) body.push(lines[j++]);
        if (info === INFO) blocks.push({ line: i + 1, code: body.join("\n") + "\n" });
        i = j;
    }
    return blocks;
}

describe("README.md", () => {
    it(`has a usage example in a \`\`\`${INFO} fence`, () => {
        assert.ok(existsSync(README), "README.md is missing: write one with a usage example in a ```js readme-test fence");
        const blocks = readmeBlocks(readFileSync(README, "utf8"));
        assert.ok(
            blocks.length > 0,
            "README.md has no ```js readme-test block: mark the usage example's fence `js readme-test` so that it runs as a test",
        );
    });

    const blocks = existsSync(README) ? readmeBlocks(readFileSync(README, "utf8")) : [];
    if (blocks.length === 0) return;
    requirePkg();
    const dir = mkdtempSync(join(tmpdir(), "readme-test-"));
    mkdirSync(join(dir, "node_modules"));
    symlinkSync(PKG, join(dir, "node_modules", "member-analytics"), "dir");
    after(() => rmSync(dir, { recursive: true, force: true }));
    const run = promisify(execFile);

    for (const [n, { line, code }] of blocks.entries()) {
        it(`example ${n + 1} (README.md line ${line}) runs`, async () => {
            const commonjs = /\brequire\(/.test(code) && !/^\s*import\s/m.test(code);
            const file = join(dir, `example-${n + 1}.${commonjs ? "cjs" : "mjs"}`);
            writeFileSync(file, code);
            try {
                await run(process.execPath, [file], { cwd: ROOT, timeout: 120000 });
            } catch (err) {
                assert.fail(`README.md line ${line}: the example failed (exit ${err.code}):\n${err.stderr || err.message}`);
            }
        });
    }
});
