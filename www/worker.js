// The analysis worker: owns the one Workspace, so parsing and analysis never
// block the page. Messages are `{ id, type, ...args }`; each gets exactly one
// `{ id, ok: true, result }` or `{ id, ok: false, error: { code, message, field, fileName } }`,
// and loads also send `{ id, progress: { bytes, total, rows } }` after each chunk.
// Requests run one at a time, in the order they arrive.

import init, { Workspace } from "./pkg/web/index.js";
import { clearStored, saveFile, storedFiles } from "./store.js";

const CHUNK_BYTES = 4 * 1024 * 1024;
/** Rejected rows sent to the page per report; the total is always sent. */
const REJECTED_SHOWN = 1000;

let ready = null;
let ws = null;
/**
  * Whether the next file starts a new workspace: true while the demo store is
  * shown, false once the user's own files are in (they combine), and true again
  * after a load that could not be finished (its open load blocks the workspace).
  */
let startFresh = true;

function boot() {
    ready ??= (async () => {
        const response = await fetch("pkg/member_analytics_bg.wasm");
        if (!response.ok) throw new Error(`wasm: HTTP ${response.status}`);
        await init(await response.arrayBuffer());
    })().catch((e) => {
        ready = null; // the next request tries again
        throw e;
    });
    return ready;
}

/** The report as the page shows it: rejected rows capped, their total kept. */
function forPage(report) {
    const { rejected, ...rest } = report;
    return { ...rest, rejectedTotal: rejected.length, rejected: rejected.slice(0, REJECTED_SHOWN) };
}

function replaceWorkspace(next) {
    if (ws && ws !== next) ws.free();
    ws = next;
}

function loadDemo() {
    const next = new Workspace();
    try {
        const reports = next.loadDemo();
        replaceWorkspace(next);
        startFresh = true;
        return { orders: forPage(reports.orders), members: forPage(reports.members) };
    } catch (e) {
        next.free();
        throw e;
    }
}

/**
  * Stream a File into the workspace; → `{ report, fresh }`, `fresh` when the
  * file started a new workspace (the page then forgets the earlier reports).
  * A new workspace is kept only if the load succeeds.
  */
async function loadFile(id, file, kind, persist = true) {
    const fresh = startFresh;
    const target = fresh ? new Workspace() : ws;
    const total = file.size;
    try {
        target.beginLoad(kind, { fileName: file.name });
        for (let offset = 0; offset < total; offset += CHUNK_BYTES) {
            let chunk;
            try {
                chunk = new Uint8Array(await file.slice(offset, offset + CHUNK_BYTES).arrayBuffer());
            } catch (e) {
                throw Object.assign(new Error(`${file.name}: ${e.message}`), { code: "READ_FAILED" });
            }
            const rows = target.push(chunk);
            postMessage({ id, progress: { bytes: Math.min(offset + CHUNK_BYTES, total), total, rows } });
        }
        const report = target.finishLoad();
        replaceWorkspace(target);
        startFresh = false;
        if (persist) await keep(kind, file, fresh);
        return { report: forPage(report), fresh };
    } catch (e) {
        // Nothing of a failed load is kept; the data already loaded stays.
        if (target !== ws) target.free();
        else target.cancelLoad();
        throw e;
    }
}

/** Keep a loaded file in IndexedDB (a fresh workspace forgets the stored ones); a failure only loses the keeping. */
async function keep(kind, file, fresh) {
    try {
        await saveFile(kind, file.name, file, { replaceAll: fresh });
    } catch (e) {
        console.warn(`could not keep ${file.name} in this browser: ${e?.message ?? e}`);
    }
}

/** The stored files as Files: `[{ kind, file }]`, in load order; none when IndexedDB fails. */
async function stored() {
    try {
        return (await storedFiles()).map(({ kind, name, file }) => ({ kind, file: new File([file], name) }));
    } catch (e) {
        console.warn(`could not read the stored files: ${e?.message ?? e}`);
        return [];
    }
}

/**
  * Analyse, take its insights, then fit the predictive models on the same analysis
  * (a new analysis discards the last prediction). → `{ summary, insights, prediction }`;
  * `prediction` is null when predict() throws, so a failed forecast never hides the analysis.
  */
function analyze(options) {
    const summary = ws.analyze(options);
    const insights = ws.insights();
    let prediction = null;
    try {
        prediction = ws.predict();
    } catch {
        // The page shows no predictions section; everything else stands.
    }
    return { summary, insights, prediction };
}

/** A result whose buffers move to the page instead of being copied. */
class Transfer {
    constructor(value, buffers) {
        this.value = value;
        this.buffers = buffers;
    }
}

function exportMembers(options) {
    const bytes = ws.exportMembers(options);
    return new Transfer(bytes, [bytes.buffer]);
}

async function handle(message) {
    await boot();
    const { type } = message;
    if (type === "loadDemo") return loadDemo();
    if (type === "loadFile") return loadFile(message.id, message.file, message.kind, message.persist);
    if (type === "storedFiles") return stored();
    if (type === "clearStored") return clearStored().then(() => null);
    if (type === "crowds") return { recommended: Workspace.recommendedCrowds(), fields: Workspace.crowdFields() };
    if (!ws) throw Object.assign(new Error("no data loaded"), { code: "NO_DATA" });
    switch (type) {
        case "analyze":
            return analyze(message.options);
        case "members":
            return ws.members(message.query);
        case "member":
            return ws.member(message.memberId);
        case "rules":
            return ws.rules();
        case "exportMembers":
            return exportMembers(message.options);
        case "couponTemplates":
            return ws.couponTemplates();
        case "couponEligibility":
            return ws.couponEligibility(message.memberId, message.coupon, message.options);
        case "couponReminders":
            return ws.couponReminders(message.query);
        case "couponStats":
            return ws.couponStats(message.query);
        default:
            throw Object.assign(new Error(`unknown request ${type}`), { code: "INTERNAL" });
    }
}

function reply(id, outcome) {
    if (outcome instanceof Transfer) {
        postMessage({ id, ok: true, result: outcome.value }, outcome.buffers);
    } else {
        postMessage({ id, ok: true, result: outcome });
    }
}

let queue = Promise.resolve();

self.onmessage = (event) => {
    const message = event.data;
    queue = queue
        .then(() => handle(message))
        .then(
            (outcome) => reply(message.id, outcome),
            (e) =>
                postMessage({
                    id: message.id,
                    ok: false,
                    error: {
                        code: e?.code ?? "INTERNAL",
                        message: e?.message ?? String(e),
                        field: e?.field,
                        fileName: e?.fileName,
                    },
                }),
        );
};
