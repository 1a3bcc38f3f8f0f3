#!/usr/bin/env node
// `make bench`: the project against the tools a user would pick instead, on
// the same files in the same run (BENCHMARKS.md has the task, the numbers
// and how to read them).
//
//   1. builds the native runner (benches/native/bench_native.rs, release);
//   2. writes benches/data/orders-{100k,1m,5m}.csv with the crate's demo
//      generator, only when missing (gitignored);
//   3. per size, runs each tool in its own child process on the same file —
//      DuckDB-WASM (bytes in memory, and reading the file from disk), native
//      DuckDB on 2 threads, the project's wasm build in Node (one `load`
//      call, streamed in 4 MiB pushes from memory, and from disk), a plain
//      JavaScript baseline, the project built natively — several runs each; checks
//      that they all agree (members, total M to the fen, sums of R and F,
//      the joint histogram of the scores) and prints one table per size;
//   4. times the full analysis (every module) at 1M orders, 100k members and
//      1M events, wasm and native;
//   5. prints the package sizes.
//
// Environment: BENCH_SIZES=100k,1m (default 100k,1m,5m); BENCH_RUNS=n (runs
// per tool and size; default 5, 3 at 5m); BENCH_TOOLS=duckdb,duckdb-disk,duckdb-native,project,project-stream,project-disk,plainjs,native;
// BENCH_FULL=0 to skip step 4. Exits non-zero if any tool fails or disagrees.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import zlib from "node:zlib";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const DATA = path.join(ROOT, "benches", "data");
const NATIVE = path.join(ROOT, "target", "release", "examples", "bench-native");
const PATH = `${path.join(os.homedir(), ".cargo", "bin")}${path.delimiter}${process.env.PATH}`;

/** The demo's latest order is 2026-10-31: the window is [2025-11-01, 2026-11-01). */
const AS_OF = "2026-11-01";
const SIZES = { "100k": 100_000, "1m": 1_000_000, "5m": 5_000_000 };
const DEFAULT_RUNS = { "100k": 5, "1m": 5, "5m": 3 };
const FULL_RUNS = 3;
const CHILD_TIMEOUT_MS = 20 * 60_000;

const TOOLS = [
    { key: "duckdb", label: "DuckDB-WASM", node: "duckdb.mjs" },
    // The same engine reading the file from disk as the query runs (registerFileURL, NODE_FS).
    { key: "duckdb-disk", label: "DuckDB-WASM, file read from disk", node: "duckdb.mjs", flags: ["--disk"] },
    // Native DuckDB (@duckdb/node-api), the same SQL on 2 threads.
    { key: "duckdb-native", label: "DuckDB native, 2 threads", node: "duckdb-native.mjs" },
    { key: "project", label: "member-analytics, wasm in Node", node: "project.mjs" },
    // The same, reading the bytes in 4 MiB pushes as the dashboard does (not one load call).
    { key: "project-stream", label: "member-analytics, wasm, streamed load", node: "project.mjs", flags: ["--stream"] },
    // Streamed from the file on disk through one 4 MiB buffer: the whole file is never in memory.
    { key: "project-disk", label: "member-analytics, wasm, streamed from disk", node: "project.mjs", flags: ["--disk"] },
    { key: "plainjs", label: "plain JavaScript", node: "plainjs.mjs" },
    { key: "native", label: "member-analytics, native (ceiling)" },
];

// The full analysis reads these inputs, in this order. The 1M-row orders
// file has 100k members (the generator's orders / 10); its members and events
// files come from the same demo options, so all three describe one store. The
// demo writes about 80 events per member; `gen-events` keeps 1M of them,
// spread evenly over the file (so over the members).
const FULL_INPUTS = [
    { kind: "orders", file: "orders-1m.csv", gen: ["gen-orders", "1000000"] },
    { kind: "members", file: "members-of-orders-1m.csv", gen: ["gen-members", "1000000"] },
    { kind: "events", file: "events-1m.csv", gen: ["gen-events", "1000000", "1000000"] },
];

const say = (s = "") => process.stdout.write(`${s}\n`);
const failures = [];
const fail = (msg) => {
    failures.push(msg);
    say(`\n!!! ${msg}\n`);
};

function env(name, fallback) {
    const v = process.env[name];
    return v === undefined || v === "" ? fallback : v;
}

function sh(cmd, args, opts = {}) {
    return spawnSync(cmd, args, {
        cwd: ROOT,
        env: { ...process.env, PATH },
        encoding: "utf8",
        maxBuffer: 64 << 20,
        timeout: CHILD_TIMEOUT_MS,
        ...opts,
    });
}

function version(cmd, args) {
    const r = sh(cmd, args);
    return r.status === 0 ? r.stdout.trim() : "?";
}

// --- the machine ---------------------------------------------------------------
function machine() {
    const cpus = os.cpus();
    return {
        date: new Date().toISOString().slice(0, 16).replace("T", " ") + " UTC",
        nproc: version("nproc", []),
        cpu: cpus.length ? cpus[0].model.trim() : "?",
        ramGiB: (os.totalmem() / 2 ** 30).toFixed(1),
        os: `${os.type()} ${os.release()} ${os.arch()}`,
        node: process.version,
        rustc: version("rustc", ["--version"]),
        loadavg: os.loadavg().map((x) => x.toFixed(2)).join(" "),
    };
}

// --- data ----------------------------------------------------------------------
function ensureFile(file, gen) {
    const full = path.join(DATA, file);
    if (existsSync(full)) return full;
    mkdirSync(DATA, { recursive: true });
    const t = Date.now();
    process.stdout.write(`bench: writing benches/data/${file} … `);
    const r = sh(NATIVE, [...gen, full], { stdio: ["ignore", "pipe", "inherit"] });
    if (r.status !== 0) throw new Error(`bench-native ${gen.join(" ")} failed (${r.status ?? r.signal})`);
    say(`${JSON.parse(r.stdout).rows.toLocaleString("en")} rows, ${mb(statSync(full).size)} MB, ${((Date.now() - t) / 1000).toFixed(1)} s`);
    return full;
}

// --- running one tool ------------------------------------------------------------
/** Runs a tool's child process; returns its JSON line, or { error }. */
function runTool(tool, args) {
    const [cmd, argv] = tool.node
        ? [process.execPath, ["--expose-gc", path.join(ROOT, "benches", "tools", tool.node), ...args, ...(tool.flags ?? [])]]
        : [NATIVE, args];
    const r = sh(cmd, argv, { stdio: ["ignore", "pipe", "pipe"] });
    if (r.status !== 0) {
        const why = r.error?.code === "ETIMEDOUT" ? "timed out" : r.signal ? `killed by ${r.signal}` : `exit ${r.status}`;
        const tail = (r.stderr || "").trim().split("\n").slice(-6).join("\n    ");
        return { error: `${why}${tail ? `:\n    ${tail}` : ""}` };
    }
    try {
        return JSON.parse(r.stdout.trim().split("\n").pop());
    } catch {
        return { error: `no JSON on stdout: ${r.stdout.slice(0, 200)}` };
    }
}

// --- statistics and formatting -----------------------------------------------------
const min = (xs) => Math.min(...xs);
const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    const k = s.length >> 1;
    return s.length % 2 ? s[k] : (s[k - 1] + s[k]) / 2;
};
const sec = (x) => (x < 0.1 ? x.toFixed(4) : x < 10 ? x.toFixed(3) : x.toFixed(2));
const mb = (bytes) => (bytes / 2 ** 20).toFixed(1);
const int = (x) => Math.round(x).toLocaleString("en");

function table(header, rows) {
    const lines = [`| ${header.join(" | ")} |`, `|${header.map((h, i) => (i === 0 ? "---" : "---:")).join("|")}|`];
    for (const r of rows) lines.push(`| ${r.join(" | ")} |`);
    return lines.join("\n");
}

// --- the RFM task at one size ------------------------------------------------------------
function rfmAtSize(size, tools, runs) {
    const file = ensureFile(`orders-${size}.csv`, ["gen-orders", String(SIZES[size])]);
    const bytes = statSync(file).size;
    say(`\n### RFM, ${SIZES[size].toLocaleString("en")} orders (benches/data/orders-${size}.csv, ${mb(bytes)} MB), ${runs} runs per tool\n`);
    const results = [];
    for (const tool of tools) {
        process.stdout.write(`bench: ${size} ${tool.key} … `);
        const res = runTool(tool, ["rfm", file, String(runs), AS_OF]);
        say(res.error ? `FAILED (${res.error})` : `median ${sec(median(res.seconds))} s`);
        results.push({ tool, res });
        if (res.error) fail(`${tool.label} failed at ${size}: ${res.error}`);
    }
    const ok = results.filter((x) => !x.res.error);

    // Agreement: members and total M (the contract), then the finer digest.
    const project = ok.find((x) => x.tool.key === "project");
    if (project && project.res.rejected !== 0) {
        fail(`member-analytics rejected ${project.res.rejected} of ${project.res.rowsRead} rows of orders-${size}.csv`);
    }
    const disagreements = [];
    if (ok.length > 1) {
        const ref = ok[0];
        for (const key of ["members", "totalM", "sumR", "sumF", "scoreHist"]) {
            const want = JSON.stringify(ref.res[key]);
            const off = ok.filter((x) => JSON.stringify(x.res[key]) !== want);
            if (off.length) {
                disagreements.push(key);
                fail(
                    `DISAGREEMENT at ${size} on ${key}:\n` +
                        ok.map((x) => `    ${x.tool.label.padEnd(40)} ${JSON.stringify(x.res[key])}`).join("\n"),
                );
            }
        }
    }

    const duck = ok.find((x) => x.tool.key === "duckdb");
    const rows = results.map(({ tool, res }) => {
        if (res.error) return [tool.label, "failed", "", "", "", "", "", "", "", ""];
        const ratio = duck ? `${(median(duck.res.seconds) / median(res.seconds)).toFixed(2)}×` : "–";
        return [
            tool.label,
            sec(min(res.seconds)),
            sec(median(res.seconds)),
            ratio,
            sec(res.seconds[0]),
            mb(res.firstRunPeakRssKiB * 1024),
            mb(res.peakRssKiB * 1024),
            sec(res.init ?? 0),
            int(res.members),
            int(res.totalM),
        ];
    });
    const md = table(
        ["tool", "min s", "median s", "speed-up vs DuckDB-WASM (median)", "first run s", "peak RSS MiB, first run", "peak RSS MiB, all runs", "start-up s (not timed)", "members", "total M (fen)"],
        rows,
    );
    say(`\n${md}\n`);
    const targets = targetLines(ok);
    if (targets) say(targets);
    say(
        disagreements.length
            ? `agreement: FAILED on ${disagreements.join(", ")}`
            : `agreement: all ${ok.length} tools report ${int(ok[0]?.res.members ?? 0)} members and ${int(ok[0]?.res.totalM ?? 0)} fen; sums of R and F and the (R,F,M) score histogram match too`,
    );
    return { size, rows: SIZES[size], fileBytes: bytes, runs, results: results.map(({ tool, res }) => ({ tool: tool.key, ...res })), md };
}

/** The issue's targets as ratios within this run (medians; peak RSS like for like). */
function targetLines(ok) {
    const of = (key) => ok.find((x) => x.tool.key === key)?.res;
    const ratio = (a, b, f) => (a && b ? f(a) / f(b) : null);
    const t = (res) => median(res.seconds);
    const rss = (res) => res.peakRssKiB;
    const firstRss = (res) => res.firstRunPeakRssKiB;
    const lines = [];
    const line = (what, x, goal) => x !== null && lines.push(`- ${what}: ${x.toFixed(3)} (target ${goal})`);
    // Peak RSS: once the first run is over (a process that loads one file
    // once), and over all the runs.
    const rssLine = (what, a, b) =>
        a && b && lines.push(`- ${what}: ${(firstRss(a) / firstRss(b)).toFixed(3)} first run, ${(rss(a) / rss(b)).toFixed(3)} all runs (target ≤ 0.33)`);
    line("time, wasm (load) ÷ DuckDB-WASM", ratio(of("project"), of("duckdb"), t), "≤ 0.20");
    line("time, wasm streamed from disk ÷ DuckDB-WASM from disk", ratio(of("project-disk"), of("duckdb-disk"), t), "≤ 0.20");
    line("time, wasm (load) ÷ DuckDB native 2 threads", ratio(of("project"), of("duckdb-native"), t), "≤ 1");
    rssLine("peak RSS, wasm (load) ÷ DuckDB-WASM, both holding the file in memory", of("project"), of("duckdb"));
    rssLine("peak RSS, wasm streamed from disk ÷ DuckDB-WASM from disk", of("project-disk"), of("duckdb-disk"));
    return lines.length ? `targets (issue 5), from this run:\n${lines.join("\n")}` : "";
}

// --- the predictive models alone, at the size of the CDNOW-style target (~23k customers) ---
function predictAt23k(tools) {
    const project = tools.find((t) => t.key === "project");
    if (!project) return null;
    // 260,000 orders of the demo store: 26,000 members, about 23k of whom have bought.
    const file = ensureFile("orders-260k.csv", ["gen-orders", "260000"]);
    say("\n### Predictive models (BG/NBD + Gamma-Gamma fit, every member's forecast, store forecast), wasm\n");
    const res = runTool(project, ["predict", file, "5", AS_OF]);
    if (res.error) {
        fail(`the project's predict failed: ${res.error}`);
        return null;
    }
    if (res.method !== "bg_nbd" || !res.converged) fail(`predict at 23k customers fell back or did not converge: ${res.method}`);
    const md = table(["customers", "method", "min s", "median s"], [[int(res.customers), res.method, sec(min(res.seconds)), sec(median(res.seconds))]]);
    say(`${md}\n`);
    say(`Target: within 0.5 s. ${median(res.seconds) <= 0.5 ? "Met." : "NOT met."}`);
    return { ...res, md };
}

// --- the full analysis ---------------------------------------------------------------
function fullAnalysis(tools) {
    const inputs = FULL_INPUTS.map((x) => ({ ...x, path: ensureFile(x.file, x.gen) }));
    say(
        `\n### Full analysis (every module: RFM, value groups, grades, lifecycle, events, predictions, member page, export), ` +
            `1,000,000 orders, 100,000 members, 1,000,000 events, ${FULL_RUNS} runs\n`,
    );
    const args = ["full", String(FULL_RUNS), AS_OF, ...inputs.map((x) => `${x.kind}=${x.path}`)];
    const results = [];
    for (const tool of tools.filter((t) => t.key === "project" || t.key === "native")) {
        process.stdout.write(`bench: full ${tool.key} … `);
        const res = runTool(tool, args);
        say(res.error ? `FAILED (${res.error})` : `median ${sec(median(res.runs.map((r) => r.total)))} s`);
        if (res.error) fail(`${tool.label} failed the full analysis: ${res.error}`);
        results.push({ tool, res });
    }
    const ok = results.filter((x) => !x.res.error);
    for (const key of ["rows", "members", "pageTotal", "exportBytes"]) {
        const want = JSON.stringify(ok[0]?.res[key]);
        if (ok.some((x) => JSON.stringify(x.res[key]) !== want)) {
            fail(`DISAGREEMENT in the full analysis on ${key}: ${ok.map((x) => `${x.tool.key} ${JSON.stringify(x.res[key])}`).join(", ")}`);
        }
    }
    for (const x of ok) {
        for (const [kind, [, rejected]] of Object.entries(x.res.rows)) {
            if (rejected) fail(`${x.tool.label} rejected ${rejected} rows of the ${kind} file`);
        }
    }
    const phases = ok.length ? Object.keys(ok[0].res.runs[0].phases) : [];
    const rows = ok.map(({ tool, res }) => [
        tool.label,
        sec(min(res.runs.map((r) => r.total))),
        sec(median(res.runs.map((r) => r.total))),
        ...phases.map((p) => sec(median(res.runs.map((r) => r.phases[p])))),
        mb(res.peakRssKiB * 1024),
    ]);
    const md = table(["build", "min s", "median s", ...phases.map((p) => `${p} s (median)`), "peak RSS MiB"], rows);
    say(`\n${md}\n`);
    if (ok.length) {
        const r = ok[0].res;
        say(`${int(r.members)} members analysed; page of ${r.pageRows} of ${int(r.pageTotal)}; export ${mb(r.exportBytes)} MB`);
    }
    return { inputs: inputs.map((x) => x.file), results: results.map(({ tool, res }) => ({ tool: tool.key, ...res })), md };
}

// --- sizes ------------------------------------------------------------------------
function sizes() {
    const wasm = path.join(ROOT, "pkg", "member_analytics_bg.wasm");
    const br = path.join(ROOT, "pkg", "miniprogram", "member_analytics_bg.wasm.br");
    const raw = readFileSync(wasm);
    const brotli = zlib.brotliCompressSync(raw, {
        params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: raw.length },
    }).length;
    const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
    const sized = (n) => `${n.toLocaleString("en-US")} bytes (${kb(n)})`;
    const rows = [
        ["pkg/member_analytics_bg.wasm (dashboard, web and Node entries)", kb(raw.length), sized(brotli)],
        ["pkg/miniprogram/member_analytics_bg.wasm.br (mini-program)", "", sized(statSync(br).size)],
    ];
    const md = table(["file", "raw", "brotli (q 11)"], rows);
    say(`\n### Package sizes\n\n${md}\n`);
    return { wasm: raw.length, wasmBrotli: brotli, miniprogramBr: statSync(br).size, md };
}

// --- main -----------------------------------------------------------------------------
function main() {
    const sizeKeys = env("BENCH_SIZES", "100k,1m,5m").split(",").map((s) => s.trim().toLowerCase()).filter(Boolean);
    for (const s of sizeKeys) if (!SIZES[s]) throw new Error(`BENCH_SIZES: unknown size ${s} (use ${Object.keys(SIZES).join(", ")})`);
    const toolKeys = env("BENCH_TOOLS", TOOLS.map((t) => t.key).join(",")).split(",").map((s) => s.trim());
    const tools = TOOLS.filter((t) => toolKeys.includes(t.key));
    const runsOverride = env("BENCH_RUNS", "");

    if (!existsSync(path.join(ROOT, "pkg", "node", "index.cjs"))) {
        throw new Error("pkg/node/index.cjs is missing: run `make build` (or `make bench`, which builds first)");
    }
    say("bench: cargo build --release --example bench-native");
    const b = sh("cargo", ["build", "--release", "--example", "bench-native"], { stdio: ["ignore", "pipe", "pipe"] });
    if (b.status !== 0) throw new Error(`cargo build of the native runner failed:\n${b.stderr}`);

    const m = machine();
    say(`\n## member-analytics benchmarks, ${m.date}\n`);
    say(`machine: ${m.nproc} CPUs (${m.cpu}), ${m.ramGiB} GiB RAM, ${m.os}; node ${m.node}; ${m.rustc}; load average ${m.loadavg}`);
    say(`task: RFM over the 365-day window as of ${AS_OF} (BENCHMARKS.md), from CSV bytes in memory to per-member R/F/M and scores held by the caller`);

    const out = { machine: m, asOf: AS_OF, rfm: [], full: null, sizes: null };
    for (const size of sizeKeys) {
        const runs = Number(runsOverride || DEFAULT_RUNS[size]);
        out.rfm.push(rfmAtSize(size, tools, runs));
    }
    if (env("BENCH_FULL", "1") !== "0") out.full = fullAnalysis(tools);
    out.predict = predictAt23k(tools);
    out.sizes = sizes();

    mkdirSync(DATA, { recursive: true });
    writeFileSync(path.join(DATA, "results.json"), JSON.stringify(out, null, 2) + "\n");
    say("bench: results also in benches/data/results.json");
    if (failures.length) {
        say(`\nbench: FAILED (${failures.length}):\n${failures.map((f) => `  - ${f.split("\n")[0]}`).join("\n")}`);
        process.exit(1);
    }
}

try {
    main();
} catch (err) {
    process.stderr.write(`bench: ${err.message}\n`);
    process.exit(1);
}
