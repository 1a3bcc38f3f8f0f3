// DuckDB-WASM in Node: the package's blocking Node bundle
// (@duckdb/duckdb-wasm/dist/duckdb-node-blocking.cjs with NODE_RUNTIME),
// which picks duckdb-eh.wasm when the engine has wasm exceptions (Node 20
// has) and duckdb-mvp.wasm otherwise. Single-threaded, like the project.
//
// Per run: register the CSV bytes as a file buffer, one SQL query with
// read_csv and explicit column types, result held as an Arrow table. With
// --disk the file is not read into memory first: it is registered by path
// (registerFileURL with the NODE_FS protocol) and DuckDB reads it from disk
// as the query runs (the read is then inside the clock).
import { createRequire } from "node:module";
import path from "node:path";
import { args, bytesOf, digest, now, repeat, report, run } from "./common.mjs";
import { rfmSql } from "./rfm-sql.mjs";

const require = createRequire(import.meta.url);

run(async () => {
    const a = args();
    if (a.task !== "rfm") throw new Error("duckdb-wasm runs the rfm task only");
    const duckdb = require("@duckdb/duckdb-wasm/dist/duckdb-node-blocking.cjs");
    const dist = path.dirname(require.resolve("@duckdb/duckdb-wasm/dist/duckdb-node-blocking.cjs"));
    const bundles = {
        mvp: { mainModule: path.join(dist, "duckdb-mvp.wasm"), mainWorker: path.join(dist, "duckdb-node-mvp.worker.cjs") },
        eh: { mainModule: path.join(dist, "duckdb-eh.wasm"), mainWorker: path.join(dist, "duckdb-node-eh.worker.cjs") },
    };
    const t = now();
    const db = await duckdb.createDuckDB(bundles, new duckdb.VoidLogger(), duckdb.NODE_RUNTIME);
    await db.instantiate(() => {});
    db.open({});
    const conn = db.connect();
    const init = now() - t;
    const bundle = (await duckdb.getPlatformFeatures()).wasmExceptions ? "eh" : "mvp";
    const version = `${duckdb.PACKAGE_VERSION} (DuckDB ${db.getVersion()}, ${bundle})`;

    const disk = a.flags.has("--disk");
    const bytes = disk ? null : bytesOf(a.file);
    const seconds = [];
    const check = await repeat(a.runs, (k) => {
        // A new name each run, so that no cache of an earlier run can answer.
        const name = `orders-${k}.csv`;
        const sql = rfmSql(name, a.asOf);
        const t = now();
        if (disk) db.registerFileURL(name, path.resolve(a.file), duckdb.DuckDBDataProtocol.NODE_FS, false);
        else db.registerFileBuffer(name, bytes);
        const table = conn.query(sql); // an Arrow table, held by the caller
        seconds.push(now() - t);
        // Outside the clock.
        const col = (c) => table.getChild(c).toArray();
        const [f, r, m, rs, fs, ms] = ["f", "r", "m_fen", "r_score", "f_score", "m_score"].map(col);
        const scores = [rs, fs, ms];
        db.dropFile(name);
        return digest(table.numRows, (i) => f[i], (i) => r[i], (i) => Number(m[i]), (i, j) => scores[j][i]);
    });
    conn.close();
    report({ tool: disk ? "duckdb-disk" : "duckdb", version, init, seconds, ...check });
});
