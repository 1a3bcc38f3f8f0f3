// The project's wasm build in Node (pkg/node/index.cjs, built by `make build`).
//
//   rfm:  ws.load("orders", bytes) + ws.rfmColumns({ asOf }) (RFM alone, no analyze);
//         with --stream, beginLoad + push(4 MiB slices) + finishLoad instead
//         of load, as the dashboard reads files (same bytes in memory); with
//         --disk, the same pushes read from the file on disk into one 4 MiB
//         buffer (fs.readSync), so the whole file is never in memory, as
//         with the dashboard's File.slice reads (the reads are timed)
//   load: one file alone, `load` or streamed (--stream), for profiling
//   full: every module: load each input (orders, members, events), analyze,
//         predict, one page of members, the member export.
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { createRequire } from "node:module";
import { args, bytesOf, digest, now, repeat, report, run } from "./common.mjs";

const require = createRequire(import.meta.url);

/** The streaming load: the whole file never sits in wasm memory at once. */
function streamed(ws, bytes, fileName, kind = "orders") {
    const CHUNK = 4 << 20;
    ws.beginLoad(kind, { fileName });
    for (let o = 0; o < bytes.length; o += CHUNK) ws.push(bytes.subarray(o, o + CHUNK));
    return ws.finishLoad();
}

/** The streaming load from disk: one 4 MiB buffer, refilled by fs.readSync. */
function fromDisk(ws, file, kind = "orders") {
    const CHUNK = 4 << 20;
    const fd = openSync(file, "r");
    try {
        ws.beginLoad(kind, { fileName: file, totalBytes: fstatSync(fd).size });
        const buffer = Buffer.allocUnsafe(CHUNK);
        for (let n; (n = readSync(fd, buffer, 0, CHUNK, null)) > 0; ) ws.push(buffer.subarray(0, n));
    } finally {
        closeSync(fd);
    }
    return ws.finishLoad();
}

/** Loads `file` of `kind` the way the flags say: from disk, streamed from memory, or in one call. */
function loadFile(ws, a, bytes, kind = "orders") {
    if (a.flags.has("--disk")) return fromDisk(ws, a.file, kind);
    if (a.flags.has("--stream")) return streamed(ws, bytes, a.file, kind);
    return ws.load(kind, bytes, { fileName: a.file });
}

/** The tool's key in the results: project, project-stream or project-disk. */
const variant = (a) => (a.flags.has("--disk") ? "project-disk" : a.flags.has("--stream") ? "project-stream" : "project");

run(async () => {
    const a = args();
    const t = now();
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
        const p = await repeat(a.runs, () => {
            const t = now();
            const p = ws.predict();
            seconds.push(now() - t);
            return p;
        });
        report({ tool: "project", init, seconds, customers: p.store.customers, method: p.parameters.purchasesMethod, converged: p.parameters.converged });
        return;
    }

    if (a.task === "load") {
        // Loading one file alone (for profiling the ingest), streamed with --stream, from disk with --disk.
        const bytes = a.flags.has("--disk") ? null : bytesOf(a.file);
        const seconds = [];
        const imported = await repeat(a.runs, () => {
            const t = now();
            const ws = new Workspace();
            const imported = loadFile(ws, a, bytes, a.kind);
            seconds.push(now() - t);
            ws.free();
            return imported;
        });
        report({ tool: variant(a), init, seconds, rowsRead: imported.rowsRead, rowsUsed: imported.rowsUsed, rejected: imported.rejected.length });
        return;
    }

    if (a.task === "rfm") {
        const bytes = a.flags.has("--disk") ? null : bytesOf(a.file);
        const seconds = [];
        const check = await repeat(a.runs, () => {
            const t = now();
            const ws = new Workspace();
            const imported = loadFile(ws, a, bytes);
            const c = ws.rfmColumns({ asOf: a.asOf }); // held by the caller: ids, r, f, mFen, scores
            seconds.push(now() - t);
            // Outside the clock.
            ws.free();
            return {
                rowsRead: imported.rowsRead,
                rowsUsed: imported.rowsUsed,
                rejected: imported.rejected.length,
                ...digest(c.ids.length, (i) => c.f[i], (i) => c.r[i], (i) => c.mFen[i], (i, j) => c.scores[3 * i + j]),
            };
        });
        report({ tool: variant(a), init, seconds, ...check });
        return;
    }

    const files = a.inputs.map(({ kind, file }) => ({ kind, file, bytes: bytesOf(file) }));
    const runs = [];
    const check = await repeat(a.runs, () => {
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
        ws.free();
        return { rows, members: summary.members, pageRows: page.rows.length, pageTotal: page.total, exportBytes: csv.length };
    });
    report({ tool: "project", init, runs, ...check });
});
