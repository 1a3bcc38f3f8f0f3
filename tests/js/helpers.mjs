// Shared by the JS tests of the built package (tests/js, tests/miniprogram,
// tests/readme.test.mjs): where pkg/ is, small CSVs whose answers are worked
// out by hand below, and assertion helpers.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const PKG = `${ROOT}pkg/`;
export const DATA = `${ROOT}tests/data/`;

export function requirePkg() {
    if (!existsSync(`${PKG}node/index.cjs`)) {
        throw new Error("pkg/ is not built: run `make build` (scripts/build.sh) first");
    }
}

export const utf8 = (text) => new TextEncoder().encode(text);

/**
 * Members, UTF-8 with BOM, Chinese headers. A004 registered and never bought
 * (a prospect); A002's name is a spreadsheet formula.
 */
export const MEMBERS_CSV =
    "\ufeff会员ID,手机号,姓名,注册时间\n" +
    "A001,13812341234,张三,2025-01-05\n" +
    "A002,13900005678,=1+2,2025-02-01\n" +
    "A003,13700001111,李四,2025-03-01\n" +
    "A004,13600002222,王五,2026-06-20\n";

/**
 * Orders, no BOM, English headers. The latest date is 2026-06-30, so the
 * analysis date defaults to 2026-07-01 and the 365-day window is
 * 2025-07-01 <= paid_at < 2026-07-01.
 *
 * row  member order date        amount  status    counts as
 *  2   A001   O1    2026-06-30  100.00  paid      purchase 10 000 fen
 *  3   A001   O2    2026-05-01  200.00  paid      purchase 20 000
 *  4   A001   O3    2026-03-01  300.00  paid      purchase 30 000
 *  5   A002   O4    2026-06-01   50.00  paid      purchase  5 000
 *  6   A002   O5    2026-04-01   25.50  refunded  not a purchase
 *  7   A003   O6    2026-01-15   80.00  paid      purchase  8 000
 *  8   A003   O7    2025-06-30  999.00  paid      purchase before the window
 *  9   A005   O8    2026-06-25   40     paid      purchase  4 000
 * 10   A005   O9    not-a-date   10     paid      rejected: bad_date in paid_at
 * 11   A006   O10   2026-02-01   abc    paid      rejected: bad_money in amount
 * 12   A007   O11   2026-06-10    7.00  paid      purchase    700
 * 13   A008   O12   2025-05-01   60.00  paid      purchase before the window
 *
 * 12 rows read = 10 used + 2 rejected; 1 used row is not a purchase.
 */
export const ORDERS_CSV =
    "member_id,order_id,paid_at,amount,status\n" +
    "A001,O1,2026-06-30 10:00:00,100.00,paid\n" +
    "A001,O2,2026-05-01,200.00,paid\n" +
    "A001,O3,2026-03-01,300.00,paid\n" +
    "A002,O4,2026-06-01,50.00,paid\n" +
    "A002,O5,2026-04-01,25.50,refunded\n" +
    "A003,O6,2026-01-15,80.00,paid\n" +
    "A003,O7,2025-06-30,999.00,paid\n" +
    "A005,O8,2026-06-25,40,paid\n" +
    "A005,O9,not-a-date,10,paid\n" +
    "A006,O10,2026-02-01,abc,paid\n" +
    "A007,O11,2026-06-10,7.00,paid\n" +
    "A008,O12,2025-05-01,60.00,paid\n";

/**
 * By hand, as of 2026-07-01 with the default rules (quintiles, N = 5 scored
 * members). R score = 1 + floor(5 * (members with larger R) / 5), F and M
 * score = 1 + floor(5 * (members with smaller F or M) / 5).
 * Means: R (1+30+167+6+21)/5 = 45, F 7/5 = 1.4, M 77 700/5 = 15 540 fen;
 * no value equals its mean, so H/L is unambiguous (R is H when below the mean).
 *
 * member  R    F  M fen   Rs Fs Ms  class              value group  grade
 * A001      1  3  60 000  5  5  5   important_value    value        core
 * A002     30  1   5 000  2  1  3   general_develop    potential    potential
 * A003    167  1   8 000  1  1  4   general_win_back   churned      ordinary   (167 > 90)
 * A005      6  1   4 000  4  1  2   general_develop    potential    potential
 * A007     21  1     700  3  1  1   general_develop    potential    potential
 * A008      –  –       –  –  –  –   –                  churned      ordinary   (last purchase before the window)
 * A004      –  –       –  –  –  –   –                  –            potential  (prospect)
 *
 * Store: 7 members (A006 only on a rejected row), 1 prospect, 5 buyers,
 * 7 orders, revenue 77 700 fen, average order 11 100, repurchase 1/5,
 * top 20% (= 1 buyer, A001) share 60 000 / 77 700.
 */
export const EXPECTED = {
    asOf: "2026-07-01",
    windowStart: "2025-07-01",
    rows: {
        A001: { r: 1, f: 3, mFen: 60000, aovFen: 20000, maxOrderFen: 30000, rScore: 5, fScore: 5, mScore: 5,
                rfmClass: "important_value", valueGroup: "value", grade: "core",
                firstPurchase: "2026-03-01", lastPurchase: "2026-06-30" },
        A002: { r: 30, f: 1, mFen: 5000, aovFen: 5000, maxOrderFen: 5000, rScore: 2, fScore: 1, mScore: 3,
                rfmClass: "general_develop", valueGroup: "potential", grade: "potential",
                firstPurchase: "2026-06-01", lastPurchase: "2026-06-01" },
        A003: { r: 167, f: 1, mFen: 8000, aovFen: 8000, maxOrderFen: 8000, rScore: 1, fScore: 1, mScore: 4,
                rfmClass: "general_win_back", valueGroup: "churned", grade: "ordinary",
                firstPurchase: "2025-06-30", lastPurchase: "2026-01-15" },
        A005: { r: 6, f: 1, mFen: 4000, aovFen: 4000, maxOrderFen: 4000, rScore: 4, fScore: 1, mScore: 2,
                rfmClass: "general_develop", valueGroup: "potential", grade: "potential",
                firstPurchase: "2026-06-25", lastPurchase: "2026-06-25" },
        A007: { r: 21, f: 1, mFen: 700, aovFen: 700, maxOrderFen: 700, rScore: 3, fScore: 1, mScore: 1,
                rfmClass: "general_develop", valueGroup: "potential", grade: "potential",
                firstPurchase: "2026-06-10", lastPurchase: "2026-06-10" },
        A008: { r: null, f: null, mFen: null, aovFen: null, maxOrderFen: null, rScore: null, fScore: null, mScore: null,
                rfmClass: null, valueGroup: "churned", grade: "ordinary",
                firstPurchase: "2025-05-01", lastPurchase: "2025-05-01" },
        A004: { r: null, f: null, mFen: null, aovFen: null, maxOrderFen: null, rScore: null, fScore: null, mScore: null,
                rfmClass: null, valueGroup: null, grade: "potential",
                firstPurchase: null, lastPurchase: null },
    },
};

/** Call `fn`, expect it to throw a real Error with this `code`; return the error. */
export function expectCode(fn, code, messagePart) {
    let thrown;
    try {
        fn();
    } catch (err) {
        thrown = err;
    }
    assert.ok(thrown !== undefined, `expected an error with code ${code}, nothing was thrown`);
    assertCoded(thrown, code, messagePart);
    return thrown;
}

/** Like expectCode, for a promise. */
export async function rejectsWithCode(promise, code, messagePart) {
    let thrown;
    try {
        await promise;
    } catch (err) {
        thrown = err;
    }
    assert.ok(thrown !== undefined, `expected a rejection with code ${code}, the promise resolved`);
    assertCoded(thrown, code, messagePart);
    return thrown;
}

function assertCoded(err, code, messagePart) {
    assert.ok(err instanceof Error, `expected an Error, got ${typeof err}: ${String(err)}`);
    assert.equal(typeof err.code, "string", `error without a string code: ${err.message}`);
    if (code !== undefined) {
        const codes = Array.isArray(code) ? code : [code];
        assert.ok(codes.includes(err.code), `expected code ${codes.join(" or ")}, got ${err.code}: ${err.message}`);
    }
    if (messagePart !== undefined) {
        assert.ok(err.message.includes(messagePart), `message should name ${messagePart}: ${err.message}`);
    }
}

/** The report's own promise: nothing is lost silently. */
export function assertReportInvariant(report) {
    assert.equal(
        report.rowsUsed + report.rejected.length,
        report.rowsRead,
        `rowsUsed + rejected.length !== rowsRead in ${JSON.stringify(report)}`,
    );
}

/** RFC 4180 CSV (quotes, doubled quotes, CRLF or LF) → rows of fields. */
export function parseCsv(text) {
    const rows = [];
    let row = [];
    let field = "";
    let quoted = false;
    for (let i = 0; i < text.length; i++) {
        const c = text[i];
        if (quoted) {
            if (c === '"' && text[i + 1] === '"') {
                field += '"';
                i++;
            } else if (c === '"') {
                quoted = false;
            } else {
                field += c;
            }
        } else if (c === '"') {
            quoted = true;
        } else if (c === ",") {
            row.push(field);
            field = "";
        } else if (c === "\n" || c === "\r") {
            if (c === "\r" && text[i + 1] === "\n") i++;
            row.push(field);
            rows.push(row);
            row = [];
            field = "";
        } else {
            field += c;
        }
    }
    if (field !== "" || row.length > 0) {
        row.push(field);
        rows.push(row);
    }
    return rows;
}
