// A plain JavaScript baseline: what a developer would write by hand without
// a library. TextDecoder over 8 MiB slices cut at line ends (a whole 5M-row
// file would come close to V8's string length limit), split on lines and
// commas, a Map from member id to a dense index, typed arrays for R/F/M, and
// quintile scores from sorted copies with binary search.
//
// It assumes what the demo file guarantees and checks it: a header naming
// the columns, no quoted fields (it stops if it sees a '"'), dates written
// `YYYY-MM-DD HH:MM:SS`, money as plain decimals.
import { args, bytesOf, digest, now, repeat, report, run } from "./common.mjs";

const DAY_MS = 86_400_000;
const dayNumber = (ymd) => Date.UTC(+ymd.slice(0, 4), +ymd.slice(5, 7) - 1, +ymd.slice(8, 10)) / DAY_MS;
const fen = (s) => (s === "" ? 0 : Math.round(Number(s) * 100)); // exact for 2 decimals at these sizes

/** The RFM task of BENCHMARKS.md: returns the per-member columns of the buyers in the window. */
function rfm(bytes, asOf, windowDays = 365) {
    const asOfDay = dayNumber(asOf);
    const startDay = asOfDay - windowDays;
    const decoder = new TextDecoder("utf-8");
    let pos = bytes.indexOf(10) + 1;
    const header = decoder.decode(bytes.subarray(0, pos)).replace(/^\uFEFF/, "").trim().split(",");
    const col = (name) => {
        const i = header.indexOf(name);
        if (i < 0) throw new Error(`no column ${name}`);
        return i;
    };
    const [iMember, iPaid, iAmount, iStatus, iRefund] = ["会员ID", "支付时间", "实付金额", "订单状态", "退款金额"].map(col);

    const index = new Map();
    let cap = 1 << 16;
    let last = new Int32Array(cap), f = new Uint32Array(cap), m = new Float64Array(cap);
    const ids = [];
    const days = new Map(); // "YYYY-MM-DD" -> day number, for the few hundred dates of a file

    const CHUNK = 8 << 20;
    while (pos < bytes.length) {
        let end = Math.min(pos + CHUNK, bytes.length);
        if (end < bytes.length) end = bytes.lastIndexOf(10, end - 1) + 1;
        if (end <= pos) end = (bytes.indexOf(10, pos) + 1) || bytes.length; // a line longer than a chunk
        const text = decoder.decode(bytes.subarray(pos, end));
        pos = end;
        if (text.includes('"')) throw new Error("quoted fields: this baseline does not parse them");
        for (const raw of text.split("\n")) {
            if (raw === "") continue;
            const c = (raw.endsWith("\r") ? raw.slice(0, -1) : raw).split(",");
            const status = c[iStatus];
            if (status === "已关闭" || status === "已退款") continue;
            const ymd = c[iPaid].slice(0, 10);
            let day = days.get(ymd);
            if (day === undefined) days.set(ymd, (day = dayNumber(ymd)));
            if (day < startDay || day >= asOfDay) continue;
            const amount = fen(c[iAmount]);
            const refundText = c[iRefund];
            const refund = fen(refundText);
            if (refundText !== "" && refund === amount) continue; // refunded in full
            const id = c[iMember];
            let k = index.get(id);
            if (k === undefined) {
                k = ids.length;
                index.set(id, k);
                ids.push(id);
                if (k === cap) {
                    cap *= 2;
                    const grow = (a) => {
                        const b = new a.constructor(cap);
                        b.set(a);
                        return b;
                    };
                    last = grow(last), f = grow(f), m = grow(m);
                }
                last[k] = -1;
            }
            if (day > last[k]) last[k] = day;
            f[k]++;
            m[k] += amount - refund;
        }
    }

    const n = ids.length; // every member here bought in the window
    const r = new Uint32Array(n);
    for (let i = 0; i < n; i++) r[i] = asOfDay - last[i];
    f = f.subarray(0, n);
    m = m.subarray(0, n);
    const sr = r.slice().sort(), sf = f.slice().sort(), sm = m.slice().sort();
    // First position whose value is >= x (strict = false) or > x (strict = true).
    const bound = (a, x, strict) => {
        let lo = 0, hi = a.length;
        while (lo < hi) {
            const mid = (lo + hi) >>> 1;
            if (a[mid] < x || (strict && a[mid] === x)) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    };
    const scores = new Uint8Array(3 * n);
    for (let i = 0; i < n; i++) {
        scores[3 * i] = 1 + Math.floor((5 * (n - bound(sr, r[i], true))) / n); // members with a larger R
        scores[3 * i + 1] = 1 + Math.floor((5 * bound(sf, f[i], false)) / n); // with a smaller F
        scores[3 * i + 2] = 1 + Math.floor((5 * bound(sm, m[i], false)) / n); // with a smaller M
    }
    return { ids, r, f, mFen: m, scores };
}

run(async () => {
    const a = args();
    if (a.task !== "rfm") throw new Error("the plain JS baseline runs the rfm task only");
    const bytes = bytesOf(a.file);
    const seconds = [];
    const check = await repeat(a.runs, () => {
        const t = now();
        const c = rfm(bytes, a.asOf); // held by the caller
        seconds.push(now() - t);
        return digest(c.ids.length, (i) => c.f[i], (i) => c.r[i], (i) => c.mFen[i], (i, j) => c.scores[3 * i + j]);
    });
    report({ tool: "plainjs", init: 0, seconds, ...check });
});
