// Shared by the tool runners of benches/run.mjs. Each runner is a child
// process: `node benches/tools/<tool>.mjs rfm <orders.csv> <runs> <asOf>`;
// it reads the file into memory (not timed), runs the task `runs` times on
// the same bytes and prints one JSON line (see `report`).
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";

/** The command line of a runner: `rfm <file> <runs> <asOf>`, `load <kind> <file> <runs>` or `full <runs> <asOf> <kind=path>...`,
 *  plus `--flags` anywhere. */
export function args() {
    const all = process.argv.slice(2);
    const flags = new Set(all.filter((a) => a.startsWith("--")));
    const [task, ...rest] = all.filter((a) => !a.startsWith("--"));
    if ((task === "rfm" || task === "predict") && rest.length === 3) {
        return { task, flags, file: rest[0], runs: Math.max(1, Number(rest[1])), asOf: rest[2] };
    }
    if (task === "load" && rest.length === 3) {
        return { task, flags, kind: rest[0], file: rest[1], runs: Math.max(1, Number(rest[2])) };
    }
    if (task === "full" && rest.length >= 3) {
        const inputs = rest.slice(2).map((s) => {
            const i = s.indexOf("=");
            return { kind: s.slice(0, i), file: s.slice(i + 1) };
        });
        return { task, flags, runs: Math.max(1, Number(rest[0])), asOf: rest[1], inputs };
    }
    throw new Error(
        `usage: ${process.argv[1]} rfm|predict <orders.csv> <runs> <asOf> | load <kind> <file> <runs> | full <runs> <asOf> <kind=path>...`,
    );
}

/** The file as bytes (a Buffer is a Uint8Array). */
export function bytesOf(file) {
    return readFileSync(file);
}

export const now = () => performance.now() / 1000;

/**
 * Runs `once(k)` for k = 0 … runs − 1 and returns what the last run returned.
 * Each run is a call of its own, so nothing of it is reachable once it returns
 * (a loop's locals left in its registers kept a run's result alive through the
 * next run), and each starts after a full garbage collection when the runner
 * has `--expose-gc` (benches/run.mjs starts them so). A run's peak RSS is then
 * its own, not its own plus the previous run's uncollected result, which no
 * user who loads one file pays. Outside the clock; every Node runner uses it.
 * It also notes the process's peak RSS once the first run is over: what a
 * process that loads one file once peaks at.
 */
export async function repeat(runs, once) {
    let last;
    for (let k = 0; k < runs; k++) {
        globalThis.gc?.();
        last = await once(k);
        firstRunPeakKiB ??= peakRssKiB();
    }
    return last;
}

let firstRunPeakKiB;

/** Peak resident set size of this process, in KiB (Linux: ru_maxrss is in KiB). */
export function peakRssKiB() {
    return process.resourceUsage().maxRSS;
}

/**
 * What every tool must agree on, from per-member columns: members with F > 0,
 * total M (fen), sums of R and F, and the joint histogram of the (R, F, M)
 * scores (125 cells, `25 * (r - 1) + 5 * (f - 1) + (m - 1)`). `m(i)` returns
 * a Number (exact: fen totals stay far below 2^53); `score(i, k)` the k-th score.
 */
export function digest(n, f, r, m, score) {
    let members = 0, totalM = 0, sumR = 0, sumF = 0;
    const hist = new Array(125).fill(0);
    const cell = (x) => Math.min(5, Math.max(1, x)) - 1;
    for (let i = 0; i < n; i++) {
        const fi = f(i);
        if (fi === 0) continue;
        members++;
        totalM += m(i);
        sumR += r(i);
        sumF += fi;
        hist[25 * cell(score(i, 0)) + 5 * cell(score(i, 1)) + cell(score(i, 2))]++;
    }
    return { members, totalM, sumR, sumF, scoreHist: hist };
}

/** Prints the runner's one JSON line and exits. */
export function report(result) {
    const peak = peakRssKiB();
    process.stdout.write(JSON.stringify({ ...result, peakRssKiB: peak, firstRunPeakRssKiB: firstRunPeakKiB ?? peak }) + "\n");
}

/** Runs `main`, turning any error into a message on stderr and exit code 1. */
export function run(main) {
    Promise.resolve()
        .then(main)
        .catch((err) => {
            process.stderr.write(`${err && err.stack ? err.stack : err}\n`);
            process.exit(1);
        });
}
