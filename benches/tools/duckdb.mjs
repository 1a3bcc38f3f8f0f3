// DuckDB-WASM in Node: the package's blocking Node bundle
// (@duckdb/duckdb-wasm/dist/duckdb-node-blocking.cjs with NODE_RUNTIME),
// which picks duckdb-eh.wasm when the engine has wasm exceptions (Node 20
// has) and duckdb-mvp.wasm otherwise. Single-threaded, like the project.
//
// Per run: register the CSV bytes as a file buffer, one SQL query with
// read_csv and explicit column types, result held as an Arrow table.
import { createRequire } from "node:module";
import path from "node:path";
import { args, bytesOf, digest, now, report, run } from "./common.mjs";

const require = createRequire(import.meta.url);

/** The RFM task of BENCHMARKS.md in SQL. */
function rfmSql(file, asOf, windowDays = 365) {
    return `
WITH orders AS (
    SELECT "会员ID" AS id, "支付时间" AS paid_at, "实付金额" AS amount, "订单状态" AS status, "退款金额" AS refund
    FROM read_csv('${file}', header = true, auto_detect = false, delim = ',', quote = '"', escape = '"',
        columns = {'订单号': 'VARCHAR', '会员ID': 'VARCHAR', '支付时间': 'TIMESTAMP', '实付金额': 'DECIMAL(18,2)',
                   '订单状态': 'VARCHAR', '退款金额': 'DECIMAL(18,2)', '门店': 'VARCHAR', '渠道': 'VARCHAR'})
),
purchases AS (
    SELECT id, CAST(paid_at AS DATE) AS day,
           CAST(amount * 100 AS BIGINT) - CAST(coalesce(refund, 0) * 100 AS BIGINT) AS net_fen
    FROM orders
    WHERE paid_at >= DATE '${asOf}' - INTERVAL ${windowDays} DAY AND paid_at < DATE '${asOf}'
      AND status NOT IN ('已关闭', '已退款')
      AND refund IS DISTINCT FROM amount
),
rfm AS (
    SELECT id, DATE '${asOf}' - max(day) AS r, count(*) AS f, sum(net_fen) AS m
    FROM purchases
    GROUP BY id
),
ranked AS (
    -- rank() - 1 = members with a strictly larger R (smaller F, smaller M):
    -- equal values share a score, as DOMAIN §3 requires (ntile would split ties).
    SELECT id, r, f, m, count(*) OVER () AS n,
           rank() OVER (ORDER BY r DESC) - 1 AS larger_r,
           rank() OVER (ORDER BY f) - 1 AS smaller_f,
           rank() OVER (ORDER BY m) - 1 AS smaller_m
    FROM rfm
)
SELECT id, CAST(r AS INTEGER) AS r, CAST(f AS INTEGER) AS f, CAST(m AS BIGINT) AS m_fen,
       CAST(1 + (5 * larger_r) // n AS TINYINT) AS r_score,
       CAST(1 + (5 * smaller_f) // n AS TINYINT) AS f_score,
       CAST(1 + (5 * smaller_m) // n AS TINYINT) AS m_score
FROM ranked`;
}

run(async () => {
    const a = args();
    if (a.task !== "rfm") throw new Error("duckdb-wasm runs the rfm task only");
    const duckdb = require("@duckdb/duckdb-wasm/dist/duckdb-node-blocking.cjs");
    const dist = path.dirname(require.resolve("@duckdb/duckdb-wasm/dist/duckdb-node-blocking.cjs"));
    const bundles = {
        mvp: { mainModule: path.join(dist, "duckdb-mvp.wasm"), mainWorker: path.join(dist, "duckdb-node-mvp.worker.cjs") },
        eh: { mainModule: path.join(dist, "duckdb-eh.wasm"), mainWorker: path.join(dist, "duckdb-node-eh.worker.cjs") },
    };
    let t = now();
    const db = await duckdb.createDuckDB(bundles, new duckdb.VoidLogger(), duckdb.NODE_RUNTIME);
    await db.instantiate(() => {});
    db.open({});
    const conn = db.connect();
    const init = now() - t;
    const bundle = (await duckdb.getPlatformFeatures()).wasmExceptions ? "eh" : "mvp";
    const version = `${duckdb.PACKAGE_VERSION} (DuckDB ${db.getVersion()}, ${bundle})`;

    const bytes = bytesOf(a.file);
    const seconds = [];
    let check;
    for (let k = 0; k < a.runs; k++) {
        // A new name each run, so that no cache of an earlier run can answer.
        const name = `orders-${k}.csv`;
        const sql = rfmSql(name, a.asOf);
        t = now();
        db.registerFileBuffer(name, bytes);
        const table = conn.query(sql); // an Arrow table, held by the caller
        seconds.push(now() - t);
        // Outside the clock.
        const col = (c) => table.getChild(c).toArray();
        const [f, r, m, rs, fs, ms] = ["f", "r", "m_fen", "r_score", "f_score", "m_score"].map(col);
        const scores = [rs, fs, ms];
        check = digest(table.numRows, (i) => f[i], (i) => r[i], (i) => Number(m[i]), (i, j) => scores[j][i]);
        db.dropFile(name);
    }
    conn.close();
    report({ tool: "duckdb", version, init, seconds, ...check });
});
