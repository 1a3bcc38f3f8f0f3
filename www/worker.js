// The analysis worker: owns the one Workspace, so parsing and analysis never
// block the page. Messages are `{ id, type, ...args }`; each gets exactly one
// `{ id, ok: true, result }` or `{ id, ok: false, error: { code, message, field, fileName } }`,
// and loads also send `{ id, progress: { bytes, total, rows, memory } }` after each chunk.
// Requests run one at a time, in the order they arrive, except `cancelLoad`,
// which is answered at once and stops the running load at its next chunk.

import init, { Workspace } from "./pkg/web/index.js";
import { clearStored, saveFile, saveRules, storedFiles, storedRules } from "./store.js";

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
/** The user's rules document (JSON text), or null for the defaults; every new workspace gets it. */
let rulesText = null;
/** Set by `cancelLoad`; the running load stops at its next chunk. */
let cancelRequested = false;

function boot() {
    ready ??= (async () => {
        const response = await fetch("pkg/member_analytics_bg.wasm");
        if (!response.ok) throw new Error(`wasm: HTTP ${response.status}`);
        await init(await response.arrayBuffer());
        rulesText = await keptRules();
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

/** The rules kept in this browser, if they are still valid (else forgotten: the defaults apply). */
async function keptRules() {
    try {
        const text = await storedRules();
        if (text !== null) Workspace.validateRules(text);
        return text;
    } catch (e) {
        console.warn(`the kept rules are not used: ${e?.message ?? e}`);
        return null;
    }
}

/** A new workspace with the rules in force. */
function newWorkspace() {
    const next = new Workspace();
    if (rulesText !== null) next.setRules(rulesText);
    return next;
}

/** Check, apply and keep a rules document; `null` goes back to the defaults. → null */
async function setRules(text) {
    if (text !== null) Workspace.validateRules(text);
    if (ws) ws.setRules(text ?? Workspace.defaultRules());
    rulesText = text;
    try {
        await saveRules(text);
    } catch (e) {
        console.warn(`could not keep the rules in this browser: ${e?.message ?? e}`);
    }
    return null;
}

/** The rules document as the editor shows it: `{ text, custom }` (`custom`: not the defaults). */
function rulesDocument() {
    const text = rulesText ?? JSON.stringify(Workspace.defaultRules(), null, 2);
    return { text, custom: rulesText !== null };
}

/**
  * Every row of a paged result: `fetch(offset, limit)` → `{ total, rows }`, asked
  * `pageSize` rows at a time so no single answer is huge. → `{ rows, last }`
  */
function allRows(fetch, pageSize) {
    const rows = [];
    for (let offset = 0; ; ) {
        const last = fetch(offset, pageSize);
        rows.push(...last.rows);
        offset += last.rows.length;
        if (!last.rows.length || offset >= last.total) return { rows, last };
    }
}

/** Every member id the members query selects (for a draw's entrants). */
function memberIds(query) {
    return allRows((offset, limit) => ws.members({ ...query, offset, limit }), 1000).rows.map((row) => row.id);
}

/**
  * A campaign's uplift (`campaignUplift`) over the members its plan targets, treated
  * and holdout: the plan is paged for their ids (no CSV to parse). Each page plans
  * the campaign again, so the pages are large.
  */
function campaignUplift(options, days) {
    const { rows, last } = allRows((offset, limit) => ws.planCampaign({ ...options, offset, limit }), 50_000);
    const { id, sendDate, holdoutShare } = last;
    return ws.campaignUplift({ id, sendDate, holdoutShare, members: rows.map((row) => row.memberId), days });
}

function replaceWorkspace(next) {
    if (ws && ws !== next) ws.free();
    ws = next;
}

function loadDemo() {
    const next = newWorkspace();
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
    const target = fresh ? newWorkspace() : ws;
    const total = file.size;
    cancelRequested = false;
    try {
        target.beginLoad(kind, { fileName: file.name, totalBytes: total });
        for (let offset = 0; offset < total; offset += CHUNK_BYTES) {
            let chunk;
            try {
                chunk = new Uint8Array(await file.slice(offset, offset + CHUNK_BYTES).arrayBuffer());
            } catch (e) {
                throw Object.assign(new Error(`${file.name}: ${e.message}`), { code: "READ_FAILED" });
            }
            if (cancelRequested) {
                throw Object.assign(new Error(`${file.name}: cancelled`), { code: "CANCELLED", fileName: file.name });
            }
            const rows = target.push(chunk);
            const bytes = Math.min(offset + CHUNK_BYTES, total);
            postMessage({ id, progress: { bytes, total, rows, memory: Workspace.memoryBytes() } });
        }
        const report = target.finishLoad();
        replaceWorkspace(target);
        startFresh = false;
        if (persist) await keep(kind, file, fresh);
        return { report: forPage(report), fresh, memory: Workspace.memoryBytes() };
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

function exportCampaign(options) {
    const bytes = ws.exportCampaign(options);
    return new Transfer(bytes, [bytes.buffer]);
}

async function handle(message) {
    await boot();
    const { type } = message;
    if (type === "loadDemo") return loadDemo();
    if (type === "loadFile") return loadFile(message.id, message.file, message.kind, message.persist);
    if (type === "storedFiles") return stored();
    if (type === "clearStored") {
        rulesText = null; // the next workspace (the demo store, loaded next) has the defaults
        return clearStored().then(() => null);
    }
    if (type === "crowds") return { recommended: Workspace.recommendedCrowds(), fields: Workspace.crowdFields() };
    if (type === "rulesDocument") return rulesDocument();
    if (type === "validateRules") return Workspace.validateRules(message.text) ?? null;
    if (type === "setRules") return setRules(message.text);
    if (type === "draw") return Workspace.draw(message.request);
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
        case "memberIds":
            return memberIds(message.query);
        case "exportMembers":
            return exportMembers(message.options);
        case "points":
            return ws.points(message.options);
        case "pointsLedger":
            return ws.pointsLedger(message.memberId, message.options);
        case "pointsReconcile":
            return ws.pointsReconcile(message.query);
        case "pointsExpiring":
            return ws.pointsExpiring(message.query);
        case "offers":
            return ws.offers(message.memberId);
        case "planCampaign":
            return ws.planCampaign(message.options);
        case "exportCampaign":
            return exportCampaign(message.options);
        case "campaignUplift":
            return campaignUplift(message.options, message.days);
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
    if (message.type === "cancelLoad") {
        cancelRequested = true;
        postMessage({ id: message.id, ok: true, result: null });
        return;
    }
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
