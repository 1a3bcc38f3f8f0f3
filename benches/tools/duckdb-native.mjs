// Native DuckDB in Node (the npm package @duckdb/node-api, whose prebuilt
// binding comes from the npm registry), on 2 threads (SET threads = 2): the
// engine a user would run outside the browser, for the issue's "no slower
// than native DuckDB on 2 threads".
//
// Per run: the same SQL as DuckDB-WASM (rfm-sql.mjs), read_csv over the file
// by path (native DuckDB reads files itself; the file is in the page cache
// after the first run), the result held as DuckDB's materialized result.
import { DuckDBInstance, version } from "@duckdb/node-api";
import path from "node:path";
import { args, digest, now, repeat, report, run } from "./common.mjs";
import { rfmSql } from "./rfm-sql.mjs";

const THREADS = 2;

run(async () => {
    const a = args();
    if (a.task !== "rfm") throw new Error("native DuckDB runs the rfm task only");
    const t = now();
    const instance = await DuckDBInstance.create(":memory:", { threads: String(THREADS) });
    const conn = await instance.connect();
    await conn.run(`SET threads = ${THREADS}`);
    const init = now() - t;
    const threads = (await (await conn.runAndReadAll("SELECT current_setting('threads')")).getRows())[0][0];
    if (Number(threads) !== THREADS) throw new Error(`DuckDB runs ${threads} threads, not ${THREADS}`);

    const file = path.resolve(a.file).replaceAll("'", "''");
    const seconds = [];
    const check = await repeat(a.runs, async () => {
        const t = now();
        const result = await conn.run(rfmSql(file, a.asOf)); // materialized, held by the caller
        seconds.push(now() - t);
        // Outside the clock.
        const cols = await result.getColumnsObject();
        const [f, r, m, rs, fs, ms] = ["f", "r", "m_fen", "r_score", "f_score", "m_score"].map((c) => cols[c]);
        const scores = [rs, fs, ms];
        return digest(f.length, (i) => f[i], (i) => r[i], (i) => Number(m[i]), (i, j) => scores[j][i]);
    });
    conn.closeSync();
    report({ tool: "duckdb-native", version: `@duckdb/node-api (DuckDB ${version()}, ${THREADS} threads)`, init, seconds, ...check });
});
