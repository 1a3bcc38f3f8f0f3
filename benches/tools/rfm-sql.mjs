// The RFM task of BENCHMARKS.md in DuckDB's SQL, shared by DuckDB-WASM
// (duckdb.mjs) and native DuckDB (duckdb-native.mjs): the same query for both.

/** The RFM task of BENCHMARKS.md in SQL. */
export function rfmSql(file, asOf, windowDays = 365) {
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
