// The page's handle on the analysis worker: one promise per request.
// The page never touches wasm; everything goes through these calls.

/** An error from the worker, with the API's stable `code`. */
export class AnalysisError extends Error {
    constructor({ code, message, field, fileName }) {
        super(message);
        this.name = "AnalysisError";
        this.code = code;
        this.field = field;
        this.fileName = fileName;
    }
}

export class Analysis {
    constructor() {
        this.worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
        this.nextId = 1;
        this.pending = new Map();
        this.worker.onmessage = (event) => this.receive(event.data);
        this.worker.onerror = (event) => this.failAll(event.message || "worker failed to start");
    }

    receive(message) {
        const request = this.pending.get(message.id);
        if (!request) return;
        if (message.progress) {
            request.onProgress?.(message.progress);
            return;
        }
        this.pending.delete(message.id);
        if (message.ok) request.resolve(message.result);
        else request.reject(new AnalysisError(message.error));
    }

    failAll(message) {
        for (const request of this.pending.values()) {
            request.reject(new AnalysisError({ code: "INTERNAL", message }));
        }
        this.pending.clear();
    }

    request(type, args = {}, onProgress) {
        const id = this.nextId++;
        return new Promise((resolve, reject) => {
            this.pending.set(id, { resolve, reject, onProgress });
            this.worker.postMessage({ id, type, ...args });
        });
    }

    /** → `{ orders: ImportReport, members: ImportReport }` */
    loadDemo() {
        return this.request("loadDemo");
    }

    /**
      * Stream a File (kept in this browser unless `persist` is false); `onProgress({ bytes, total, rows, memory })`
      * after each chunk. → `{ report, fresh, memory }` (`memory`: wasm memory in bytes, its peak so far).
      * Rejects with code `CANCELLED` after `cancelLoad()`.
      */
    loadFile(file, kind, onProgress, { persist = true } = {}) {
        return this.request("loadFile", { file, kind, persist }, onProgress);
    }

    /** Stop the running `loadFile` at its next chunk (answered at once; the earlier data stays). */
    cancelLoad() {
        return this.request("cancelLoad");
    }

    /** The rules document the editor shows: `{ text, custom }` (`custom`: the user's, not the defaults). */
    rulesDocument() {
        return this.request("rulesDocument");
    }

    /** Check a rules document (JSON text) without applying it; rejects with `INVALID_RULES` and `field`. → null */
    validateRules(text) {
        return this.request("validateRules", { text });
    }

    /** Apply and keep a rules document (JSON text; null = the defaults); call `analyze()` after. → null */
    setRules(text) {
        return this.request("setRules", { text });
    }

    /** Every member id a members query selects (a draw's entrants). → string[] */
    memberIds(query) {
        return this.request("memberIds", { query });
    }

    /** A fair draw, as `Workspace.draw` takes it. → the draw with its seed */
    draw(request) {
        return this.request("draw", { request });
    }

    /** The files kept in this browser by earlier loads. → `[{ kind, file: File }]`, in load order */
    storedFiles() {
        return this.request("storedFiles");
    }

    /** Forget the files kept in this browser (deletes the IndexedDB database). → null */
    clearStored() {
        return this.request("clearStored");
    }

    /** → `{ summary: Summary, insights: Insights, prediction: PredictionSummary | null }` (null when predict() failed) */
    analyze(options) {
        return this.request("analyze", { options });
    }

    /** → MembersPage; `{ atRisk: true, sort: "valueAtRisk_desc" }` needs the prediction */
    members(query) {
        return this.request("members", { query });
    }

    /** → MemberRow */
    member(memberId) {
        return this.request("member", { memberId });
    }

    /** → Rules (the member levels give the choices of the crowd field `level`) */
    rules() {
        return this.request("rules");
    }

    /** → `{ recommended: [{ key, name, nameEn, expr }], fields: [{ name, meaning }] }` (the crowd language's) */
    crowds() {
        return this.request("crowds");
    }

    /** The rules' coupon templates with descriptions. */
    couponTemplates() {
        return this.request("couponTemplates");
    }

    /** → CouponEligibility: eligible, or every failing rule with its reason */
    couponEligibility(memberId, coupon, options) {
        return this.request("couponEligibility", { memberId, coupon, options });
    }

    /** → a page of the coupons to remind members of */
    couponReminders(query) {
        return this.request("couponReminders", { query });
    }

    /** → CouponStats: issue and use rates by coupon and segment */
    couponStats(query) {
        return this.request("couponStats", { query });
    }

    /** → Uint8Array (CSV, UTF-8 with BOM) */
    exportMembers(options) {
        return this.request("exportMembers", { options });
    }

    /** → PointsSummary (liability, expiring soon, expiry schedule, reconcile counts); `{ asOf }` optional */
    points(options) {
        return this.request("points", { options });
    }

    /** → MemberLedger: `{ balance, imported, lots, lines: [{ day, kind, points, balance, reason, reasonEn }] }` */
    pointsLedger(memberId, options) {
        return this.request("pointsLedger", { memberId, options });
    }

    /** → `{ total, offset, rows: [{ memberId, name, phone, imported, ledger, difference }] }` */
    pointsReconcile(query) {
        return this.request("pointsReconcile", { query });
    }

    /** → `{ total, offset, rows: [{ memberId, name, phone, balance, expiring, firstExpiry, daysLeft }] }` */
    pointsExpiring(query) {
        return this.request("pointsExpiring", { query });
    }

    /** A member's ranked offers from the playbook. → Offer[] */
    offers(memberId) {
        return this.request("offers", { memberId });
    }

    /** → CampaignPlan (counts, cost, per offer, a page of rows) */
    planCampaign(options) {
        return this.request("planCampaign", { options });
    }

    /** The send list (`list: "send"`) or the holdout (`list: "holdout"`). → Uint8Array (CSV, UTF-8 with BOM) */
    exportCampaign(options) {
        return this.request("exportCampaign", { options });
    }

    /** Treated against holdout over `days` from the send date, for the members the plan `options` targets. → CampaignUplift */
    campaignUplift(options, days) {
        return this.request("campaignUplift", { options, days });
    }
}
