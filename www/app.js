// The dashboard: loads the demo store on open, imports the store's own files,
// and shows the analysis. All computing happens in the worker (analysis.js).

import { Analysis } from "./analysis.js";
import { CampaignBuilder } from "./campaigns.js";
import { Charts } from "./charts.js";
import { CouponChecker } from "./coupons.js";
import { CrowdBuilder } from "./crowds.js";
import { $, el } from "./dom.js";
import { DrawPage } from "./draws.js";
import { applyStaticText, currentLang, formatInt, formatMoney, formatPercent, has, setLang, t } from "./i18n.js";
import { StoreInsights } from "./insights.js";
import { renderMoves } from "./lifecycle.js";
import { MemberTable } from "./members-table.js";
import { PointsPage } from "./points.js";
import { Predictions, RECALL_ROWS } from "./predictions.js";
import { renderReports } from "./report.js";
import { RulesEditor } from "./rules-editor.js";

const analysis = new Analysis();
const state = {
    summary: null,
    /** The latest `insights()`, or null (no analysis: the section is hidden). */
    insights: null,
    /** The latest `predict()`, or null (not run, or it failed: the section is hidden). */
    prediction: null,
    /** "demo" or "files": what the worker's workspace holds. */
    source: "demo",
    /** The latest import report of each kind. */
    reports: { orders: null, members: null },
    /** Status line to redraw after a language switch: [key, params] pairs. */
    status: [],
    busy: false,
};

const table = new MemberTable(analysis, {
    onError: showError,
    onFiltersChange: (filters) => state.summary && charts.render(state.summary, filters),
    onLedger: (id) => points.showLedger(id),
});
const charts = new Charts(
    {
        classes: $("chart-classes"),
        valueGroups: $("chart-groups"),
        grades: $("chart-grades"),
        lifecycle: $("chart-lifecycle"),
    },
    (name, key) => {
        table.setFilter(name, key, true);
        toMembers();
    },
);
const predictions = new Predictions((id) => table.showMember(id));
const storeInsights = new StoreInsights(() => {
    table.setVip(true);
    toMembers();
});
const crowds = new CrowdBuilder(analysis, {
    onError: showError,
    onApply: (expr, label) => {
        table.setCrowd({ expr, label });
        toMembers();
    },
    onExport: (crowd) => exportCsv({ crowd, lang: currentLang() }, "crowd"),
    onCounted: () => campaigns.builderChanged(),
});
const campaigns = new CampaignBuilder(analysis, {
    builderCrowd: () => crowds.text(),
    crowdLabel: (expr) => crowds.label(expr),
    showMember: (id) => table.showMember(id),
    onError: showError,
});

const points = new PointsPage(analysis, {
    onError: showError,
    onCrowd: (expr, label) => {
        table.setCrowd({ expr, label });
        toMembers();
    },
    crowdLabel: (expr) => crowds.label(expr),
});

new DrawPage(analysis, { tableQuery: () => table.query(), onError: showError });
const rulesEditor = new RulesEditor(analysis, { onApplied: reanalyze, onError: showError });

/** Analyse again after the rules changed. */
function reanalyze() {
    return whileBusy("analyzing", runAnalysis);
}

/** Run `body` with the page busy and status `key` shown; an error goes to the banner. */
async function whileBusy(key, body) {
    if (state.busy) return;
    hideError();
    setBusy(true);
    setStatus([key]);
    try {
        await body();
        setStatus();
    } catch (e) {
        setStatus();
        showError(e);
    } finally {
        setBusy(false);
    }
}

const coupons = new CouponChecker(analysis, { onError: showError });

/** Bring the member table into view (after a filter was set elsewhere). */
function toMembers() {
    $("members").scrollIntoView({ behavior: "smooth", block: "start" });
}

// ---- errors --------------------------------------------------------------

let shownError = null;

function showError(error) {
    shownError = error;
    const key = `err_${error.code}`;
    $("error-title").textContent = has(key) ? t(key) : t("errorTitle");
    $("error-message").textContent = error.message;
    $("error-banner").hidden = false;
    $("error-banner").dataset.code = error.code ?? "";
}

function hideError() {
    shownError = null;
    $("error-banner").hidden = true;
}

// ---- status and progress -------------------------------------------------

function setStatus(...lines) {
    state.status = lines;
    renderStatus();
}

function renderStatus() {
    const parts = state.status.map(([key, params]) => t(key, params));
    const report = state.status.some(([key]) => key === "loaded");
    $("status").hidden = parts.length === 0;
    const link = report ? [" ", el("a", { href: "#report" }, t("seeReport"))] : [];
    $("status-text").replaceChildren(parts.join(" "), ...link);
}

/** Bytes → "312 MB". */
function formatMemory(bytes) {
    return `${formatInt(Math.round(bytes / 1048576))} MB`;
}

/** Seconds → "8 秒" / "2 分 5 秒"; "—" before there is a rate to go by. */
function formatDuration(seconds) {
    if (!Number.isFinite(seconds)) return "—";
    const whole = Math.max(1, Math.ceil(seconds));
    return whole < 60 ? t("seconds", { n: whole }) : t("minutes", { m: Math.floor(whole / 60), s: whole % 60 });
}

function showProgress({ bytes, total, rows, memory = 0 }, started) {
    const seconds = (performance.now() - started) / 1000;
    const pct = total ? Math.floor((bytes / total) * 100) : 100;
    const bytesPerSecond = seconds > 0 && bytes > 0 ? bytes / seconds : NaN;
    $("progress").hidden = false;
    $("progress-bar").style.width = `${pct}%`;
    $("progress-text").textContent = t("progress", {
        pct,
        rows: formatInt(rows),
        rate: seconds > 0 && rows > 0 ? formatInt(Math.round(rows / seconds)) : "—",
        left: formatDuration((total - bytes) / bytesPerSecond),
        memory: memory ? formatMemory(memory) : "—",
    });
}

/** While loading: no second load, no export, and member queries wait for the new analysis. */
function setBusy(busy) {
    state.busy = busy;
    $("reload-demo").disabled = busy;
    $("clear-local").disabled = busy;
    $("file-input").disabled = busy;
    $("cancel-load").disabled = !busy;
    $("export").disabled = busy;
    $("drop-zone").classList.toggle("busy", busy);
    document.body.classList.toggle("busy", busy);
    if (busy) table.hold();
    else table.release();
}

// ---- the summary ---------------------------------------------------------

function dayBefore(date) {
    const d = new Date(`${date}T00:00:00Z`);
    d.setUTCDate(d.getUTCDate() - 1);
    return d.toISOString().slice(0, 10);
}

function renderContext() {
    const s = state.summary;
    const files = [state.reports.orders, state.reports.members].filter(Boolean).map((r) => r.fileName);
    const source = state.source === "demo" ? t("sourceDemo") : t("sourceFiles", { files: files.join("、") });
    const parts = [el("strong", {}, source)];
    if (s) {
        const span = t("window", { start: s.windowStart, end: dayBefore(s.asOf) });
        parts.push(" · ", t("asOf", { date: s.asOf }), " · ", span);
    }
    $("context").replaceChildren(...parts);
}

function renderKpis() {
    const s = state.summary;
    const set = (id, text) => ($(id).textContent = text);
    set("kpi-members", s ? formatInt(s.members) : "—");
    set("kpi-members-sub", s ? t("kpiMembersSub", { n: formatInt(s.prospects) }) : "");
    set("kpi-buyers", s ? formatInt(s.buyersInWindow) : "—");
    set("kpi-buyers-sub", s ? t("kpiBuyersSub", { n: formatInt(s.ordersInWindow) }) : "");
    set("kpi-revenue", s ? formatMoney(s.revenueFen) : "—");
    set("kpi-aov", s ? formatMoney(s.averageOrderValueFen) : "—");
    set("kpi-repurchase", s ? formatPercent(s.repurchaseRate) : "—");
    set("kpi-top20", s ? t("kpiTop20", { pct: formatPercent(s.top20RevenueShare) }) : "");
}

function renderAll() {
    applyStaticText();
    renderContext();
    renderKpis();
    if (state.summary) charts.render(state.summary, table.filters);
    renderMoves(state.summary);
    storeInsights.refresh();
    predictions.refresh();
    points.refresh();
    if (table.crowd) table.crowd.label = points.crowdLabel(table.crowd.expr) ?? crowds.label(table.crowd.expr);
    table.render();
    crowds.render();
    campaigns.render();
    rulesEditor.render();
    coupons.render();
    renderReports($("reports"), [state.reports.orders, state.reports.members]);
    renderStatus();
    if (shownError) showError(shownError);
}

async function runAnalysis() {
    try {
        ({ summary: state.summary, insights: state.insights, prediction: state.prediction } = await analysis.analyze());
    } catch (e) {
        state.summary = null;
        state.insights = null;
        state.prediction = null;
        table.clear();
        charts.clear();
        renderMoves(null);
        storeInsights.clear();
        predictions.clear();
        points.clear();
        crowds.clear();
        campaigns.clear();
        coupons.clear();
        throw e;
    } finally {
        renderContext();
        renderKpis();
    }
    const members = table.setSummary(state.summary, state.insights); // resets the filters at once
    charts.render(state.summary, table.filters);
    renderMoves(state.summary);
    storeInsights.render(state.insights);
    await Promise.all([
        members,
        renderPredictions(),
        crowds.setSummary(state.summary),
        coupons.setSummary(state.summary),
        campaigns.setSummary(state.summary),
        points.load(),
    ]);
}

/** The predictions section with its recall list; hidden when predict() failed. */
async function renderPredictions() {
    const prediction = state.prediction;
    if (!prediction) return predictions.clear();
    let atRisk = null;
    try {
        atRisk = await analysis.members({ atRisk: true, sort: "valueAtRisk_desc", limit: RECALL_ROWS });
    } catch {
        // The forecast still shows; the list says there is no one to call.
    }
    if (state.prediction === prediction) predictions.render(prediction, atRisk);
}

// ---- loading -------------------------------------------------------------

function loadDemo() {
    return whileBusy("loadingDemo", async () => {
        const reports = await analysis.loadDemo();
        state.source = "demo";
        state.reports = { orders: reports.orders, members: reports.members };
        renderReports($("reports"), [reports.orders, reports.members]);
        await runAnalysis();
    });
}

/** Members files are named so (会员, member) and are not orders (订单, order). */
function guessKind(name) {
    const lower = name.toLowerCase();
    const members = name.includes("会员") || lower.includes("member");
    const orders = name.includes("订单") || lower.includes("order");
    return members && !orders ? "members" : "orders";
}

/** Stream the files into the worker one after another, then analyse once. */
async function importFiles(files) {
    const chosen = $("file-kind").value;
    await loadEntries(files.map((file) => ({ file, kind: chosen === "auto" ? guessKind(file.name) : chosen })));
}

/**
  * Stream `[{ file, kind }]` into the worker one after another, then analyse once.
  * `restored`: the files come from this browser's store (not kept again, and said so).
  * → how many files loaded.
  */
async function loadEntries(entries, { restored = false } = {}) {
    if (state.busy || !entries.length) return 0;
    hideError();
    setBusy(true);
    const loaded = [];
    let cancelled = null;
    let memory = 0;
    try {
        for (const { file, kind } of entries) {
            const started = performance.now();
            setStatus(["reading", { file: file.name }]);
            showProgress({ bytes: 0, total: file.size, rows: 0 }, started);
            const onProgress = (p) => showProgress(p, started);
            const result = await analysis.loadFile(file, kind, onProgress, { persist: !restored });
            if (result.fresh) state.reports = { orders: null, members: null };
            state.source = "files";
            state.reports[kind] = result.report;
            loaded.push(result.report);
            memory = result.memory;
        }
    } catch (e) {
        if (e.code === "CANCELLED") cancelled = e.fileName;
        else showError(e);
    }
    $("progress").hidden = true;
    const memoryLine = memory ? [["memoryPeak", { memory: formatMemory(memory) }]] : [];
    const cancelLine = cancelled ? [["cancelled", { file: cancelled }]] : [];
    if (loaded.length) {
        renderReports($("reports"), [state.reports.orders, state.reports.members]);
        setStatus(["analyzing"]);
        try {
            await runAnalysis();
        } catch (e) {
            showError(e);
        }
        setStatus(
            ...(restored ? [["restored"]] : []),
            ...loaded.map((r) => [
                "loaded",
                {
                    file: r.fileName,
                    read: formatInt(r.rowsRead),
                    used: formatInt(r.rowsUsed),
                    rejected: formatInt(r.rejectedTotal),
                },
            ]),
            ...memoryLine,
            ...cancelLine,
        );
    } else {
        setStatus(...cancelLine);
    }
    setBusy(false);
    return loaded.length;
}

/** On open: the files kept in this browser if there are any (and they load), else the demo store. */
async function startUp() {
    let stored = [];
    try {
        stored = await analysis.storedFiles();
    } catch {
        // No stored files to restore: the demo store.
    }
    if (!stored.length || !(await loadEntries(stored, { restored: true }))) await loadDemo();
    await rulesEditor.load();
}

/** Forget the files kept in this browser (after asking) and show the demo store again. */
async function clearLocal() {
    if (state.busy || !confirm(t("clearLocalConfirm"))) return;
    try {
        await analysis.clearStored();
    } catch (e) {
        showError(e);
        return;
    }
    await loadDemo();
    await rulesEditor.load();
}

// ---- wiring --------------------------------------------------------------

$("lang-switch").addEventListener("click", () => {
    setLang(currentLang() === "zh" ? "en" : "zh");
    renderAll();
});
$("reload-demo").addEventListener("click", loadDemo);
$("clear-local").addEventListener("click", clearLocal);
$("error-dismiss").addEventListener("click", hideError);
$("cancel-load").addEventListener("click", () => analysis.cancelLoad());

$("file-input").addEventListener("change", (e) => {
    const files = [...e.target.files];
    e.target.value = ""; // choosing the same file again still imports it
    importFiles(files);
});

const dropZone = $("drop-zone");
dropZone.addEventListener("dragover", (e) => {
    e.preventDefault();
    dropZone.classList.add("dragging");
});
dropZone.addEventListener("dragleave", () => dropZone.classList.remove("dragging"));
dropZone.addEventListener("drop", (e) => {
    e.preventDefault();
    dropZone.classList.remove("dragging");
    importFiles([...e.dataTransfer.files]);
});
// A file dropped beside the zone must not make the browser open it.
window.addEventListener("dragover", (e) => e.preventDefault());
window.addEventListener("drop", (e) => e.preventDefault());

/** Export members (`options` as `exportMembers` takes them) and download `<prefix>-<asOf>.csv`. */
async function exportCsv(options, prefix) {
    if (!state.summary) return;
    try {
        const bytes = await analysis.exportMembers(options);
        const url = URL.createObjectURL(new Blob([bytes], { type: "text/csv;charset=utf-8" }));
        el("a", { href: url, download: `${prefix}-${state.summary.asOf}.csv` }).click();
        setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (e) {
        showError(e);
    }
}

$("export").addEventListener("click", async () => {
    if (!state.summary) return;
    const button = $("export");
    button.disabled = true;
    button.textContent = t("exporting");
    try {
        await exportCsv({ lang: currentLang(), ...table.query() }, "members");
    } finally {
        button.disabled = false;
        button.textContent = t("exportCsv");
    }
});

renderAll();
startUp();
