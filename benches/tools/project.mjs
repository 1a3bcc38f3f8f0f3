// The project's wasm build in Node (pkg/node/index.cjs, built by `make build`).
//
//   rfm:  ws.load("orders", bytes) + ws.analyze({ asOf }) + ws.rfmColumns();
//         with --stream, beginLoad + push(4 MiB slices) + finishLoad instead
//         of load, as the dashboard reads files (same bytes in memory)
//   load: one file alone, `load` or streamed (--stream), for profiling
//   full: every module: load each input (orders, members, events), analyze,
//         predict, one page of members, the member export.
import { createRequire } from "node:module";
import { args, bytesOf, digest, now, report, run } from "./common.mjs";

const require = createRequire(import.meta.url);

/** The streaming load: the whole file never sits in wasm memory at once. */
function streamed(ws, bytes, fileName, kind = "orders") {
    const CHUNK = 4 << 20;
    ws.beginLoad(kind, { fileName });
    for (let o = 0; o < bytes.length; o += CHUNK) ws.push(bytes.subarray(o, o + CHUNK));
    return ws.finishLoad();
}

run(() => {
    const a = args();
    let t = now();
    // Reads and instantiates the .wasm synchronously.
    const { Workspace } = require("../../pkg/node/index.cjs");
    const init = now() - t;

    if (a.task === "predict") {
        // The predictive models alone: fit + every member's forecast + store forecast.
        const bytes = bytesOf(a.file);
        const ws = new Workspace();
        ws.load("orders", bytes, { fileName: a.file });
        ws.analyze({ asOf: a.asOf });
        const seconds = [];
        let p;
        for (let k = 0; k < a.runs; k++) {
            t = now();
            p = ws.predict();
            seconds.push(now() - t);
        }
        report({ tool: "project", init, seconds, customers: p.store.customers, method: p.parameters.purchasesMethod, converged: p.parameters.converged });
        return;
    }

    if (a.task === "load") {
        // Loading one file alone (for profiling the ingest), streamed with --stream.
        const bytes = bytesOf(a.file);
        const seconds = [];
        let imported;
        for (let k = 0; k < a.runs; k++) {
            t = now();
            const ws = new Workspace();
            imported = a.flags.has("--stream") ? streamed(ws, bytes, a.file, a.kind) : ws.load(a.kind, bytes, { fileName: a.file });
            seconds.push(now() - t);
            ws.free();
        }
        report({ tool: "project", init, seconds, rowsRead: imported.rowsRead, rowsUsed: imported.rowsUsed, rejected: imported.rejected.length });
        return;
    }

    if (a.task === "rfm") {
        const bytes = bytesOf(a.file);
        const seconds = [];
        let check;
        for (let k = 0; k < a.runs; k++) {
            t = now();
            const ws = new Workspace();
            const imported = a.flags.has("--stream") ? streamed(ws, bytes, a.file) : ws.load("orders", bytes, { fileName: a.file });
            ws.analyze({ asOf: a.asOf });
            const c = ws.rfmColumns(); // held by the caller: ids, r, f, mFen, scores
            seconds.push(now() - t);
            // Outside the clock.
            check = {
                rowsRead: imported.rowsRead,
                rowsUsed: imported.rowsUsed,
                rejected: imported.rejected.length,
                ...digest(c.ids.length, (i) => c.f[i], (i) => c.r[i], (i) => c.mFen[i], (i, j) => c.scores[3 * i + j]),
            };
            ws.free();
        }
        report({ tool: a.flags.has("--stream") ? "project-stream" : "project", init, seconds, ...check });
        return;
    }

    const files = a.inputs.map(({ kind, file }) => ({ kind, file, bytes: bytesOf(file) }));
    const runs = [];
    let check;
    for (let k = 0; k < a.runs; k++) {
        const phases = {};
        const start = now();
        let lap = start;
        const mark = (name) => {
            const x = now();
            phases[name] = x - lap;
            lap = x;
        };
        const ws = new Workspace();
        const rows = {};
        for (const { kind, file, bytes } of files) {
            const r = ws.load(kind, bytes, { fileName: file });
            rows[kind] = [r.rowsUsed, r.rejected.length];
            mark(`load ${kind}`);
        }
        const summary = ws.analyze({ asOf: a.asOf });
        mark("analyze");
        ws.predict();
        mark("predict");
        const page = ws.members({ sort: "m_desc", offset: 0, limit: 50 });
        mark("members page");
        const csv = ws.exportMembers({ lang: "zh" });
        mark("export");
        runs.push({ total: now() - start, phases });
        check = { rows, members: summary.members, pageRows: page.rows.length, pageTotal: page.total, exportBytes: csv.length };
        ws.free();
    }
    report({ tool: "project", init, runs, ...check });
});
