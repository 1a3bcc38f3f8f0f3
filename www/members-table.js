// The member table: paged and sorted by the worker (`members(query)`), filtered
// by value group, RFM class, grade, lifecycle stage, a crowd (from the crowd builder)
// or the VIPs (from the store insights), each shown as a chip that clears it, and a
// search box; a row opens the member's details (`member(id)`): level, best slot,
// preferred channel, home store, the tags — automatic with their evidence and
// levers, custom (the rules') with the values their condition read, manual
// (imported) marked as such — the forecast once `predict()` has run, the
// member's ranked offers (`offers(id)`) and a button that opens the member's
// points ledger.

import { renderOffers } from "./campaigns.js";
import { $, el, fact, fillRows } from "./dom.js";
import { slotLabel } from "./insights.js";
import { countLabel, currentLang, formatInt, formatPercent, formatYuan, has, t } from "./i18n.js";

const FILTERS = [
    { name: "valueGroup", select: "filter-group", counts: "valueGroups", all: "allGroups" },
    { name: "rfmClass", select: "filter-class", counts: "classes", all: "allClasses" },
    { name: "grade", select: "filter-grade", counts: "grades", all: "allGrades" },
    { name: "lifecycle", select: "filter-lifecycle", counts: "lifecycle", all: "allLifecycle" },
];

/** Every filter off: `{ valueGroup: "", rfmClass: "", grade: "", lifecycle: "" }`. */
const noFilters = () => Object.fromEntries(FILTERS.map((f) => [f.name, ""]));

/** Columns of the table: field, label, numeric. The header is in index.html. */
const TABLE = [
    ["id", "colId"],
    ["name", "colName"],
    ["phone", "colPhone"],
    ["r", "colR", true],
    ["f", "colF", true],
    ["m", "colM", true],
    ["aov", "colAov", true],
    ["maxOrder", "colMax", true],
    ["lastPurchase", "colLast"],
    ["scores", "colScores", true],
    ["rfmClass", "colClass"],
    ["valueGroup", "colGroup"],
    ["grade", "colGrade"],
    ["lifecycle", "colLifecycle"],
    ["preferredChannel", "colChannel"],
];

/** Fields of the member dialog. */
const DETAILS = [
    ["name", "colName"],
    ["phone", "colPhone"],
    ["registeredAt", "registeredAt"],
    ["firstPurchase", "firstPurchase"],
    ...TABLE.slice(3),
    ["level", "colLevel"],
    ["growth", "colGrowth"],
    ["bestSlot", "colBestSlot"],
    ["homeStore", "colHomeStore"],
    ["vip", "colVip"],
    ["probabilityAlive", "colAlive"],
    ["expectedPurchases30", "colExpected30"],
    ["clv", "colClv"],
    ["valueAtRisk", "colValueAtRisk"],
    ["nextOrderDate", "colNextOrder"],
];

/** Direction a column sorts in on its first click: ids in order, the most recent and the largest first. */
const FIRST_DIRECTION = { id: "asc", r: "asc" };

const yuan = (fen) => (fen == null ? "—" : formatYuan(fen));
const dash = (v) => (v == null ? "—" : v);

/** Evidence metrics that are shares (shown as %) and ratios (one decimal); the rest are counts. */
const SHARES = new Set(["discountedShare", "campaignShare", "afterContentShare"]);
const RATIOS = new Set(["aovToStoreMedian", "cartAddsPerPurchase"]);

function metricValue(metric, value) {
    if (SHARES.has(metric)) return formatPercent(value);
    if (RATIOS.has(metric)) return String(Number(value.toFixed(1)));
    return formatInt(value);
}

/** One number behind a tag in plain words: "平均客单价是门店中位数的 4.3 倍 (≥ 2)"; a custom tag's
 *  field as read: "权益卡数 = 2". */
export function evidenceText({ metric, value, threshold, op }) {
    if (threshold == null) {
        const field = has(`crowdField_${metric}`) ? t(`crowdField_${metric}`) : metric;
        const shown = value == null ? "—" : Array.isArray(value) ? value.join("、") || "—" : typeof value === "number" ? String(Number(value.toFixed(2))) : value;
        return t("evidenceRead", { field, value: shown });
    }
    const key = `evidence_${metric}`;
    const shown = metricValue(metric, value);
    const said = has(key) ? t(key, { value: shown }) : `${metric} ${shown}`;
    return `${said} (${op === "<=" ? "≤" : "≥"} ${metricValue(metric, threshold)})`;
}

/** A fired tag: its chip (with the family in Chinese), the evidence and the levers. */
function renderTag(tag) {
    return el(
        "div",
        { className: "member-tag", dataset: { tag: tag.tag, source: tag.source ?? "auto" } },
        el(
            "p",
            { className: "member-tag-head" },
            el("span", { className: "tag-chip" }, countLabel(tag)),
            currentLang() === "zh" && tag.source === "auto" ? el("span", { className: "muted" }, tag.family) : null,
            tag.source && tag.source !== "auto" ? el("span", { className: `tag-source ${tag.source}` }, t(`tagSource_${tag.source}`)) : null,
        ),
        tag.evidence.length
            ? el("ul", { className: "evidence" }, tag.evidence.map((e) => el("li", { dataset: { metric: e.metric } }, evidenceText(e))))
            : null,
        tag.levers.length
            ? el(
                  "p",
                  { className: "levers" },
                  el("span", { className: "muted" }, t("levers")),
                  tag.levers.map((lever) => el("span", { className: "chip" }, lever)),
              )
            : null,
    );
}

export class MemberTable {
    /**
      * @param {import("./analysis.js").Analysis} analysis
      * @param {{ onError: (e: Error) => void, onFiltersChange: (filters: object) => void, onLedger?: (id: string) => void }} hooks
      */
    constructor(analysis, hooks) {
        this.analysis = analysis;
        this.hooks = hooks;
        this.summary = null;
        this.filters = noFilters();
        /** A crowd applied from the crowd builder: `{ expr, label }`, or null. */
        this.crowd = null;
        /** Only the VIPs (from the store insights). */
        this.vip = false;
        /** The golden-hours slots of the latest insights: the labels of `bestSlot`. */
        this.slots = [];
        this.search = "";
        this.sort = "m_desc";
        this.offset = 0;
        this.limit = 20;
        this.page = null;
        this.sequence = 0;
        /** While a load runs the worker's data is being replaced: queries wait. */
        this.held = false;
        this.stale = false;
        this.bind();
    }

    bind() {
        for (const f of FILTERS) {
            $(f.select).addEventListener("change", (e) => this.setFilter(f.name, e.target.value));
        }
        let typing;
        $("member-search").addEventListener("input", (e) => {
            clearTimeout(typing);
            typing = setTimeout(() => {
                this.search = e.target.value.trim();
                this.offset = 0;
                this.refresh();
            }, 250);
        });
        $("clear-filters").addEventListener("click", () => {
            this.filters = noFilters();
            this.crowd = null;
            this.vip = false;
            this.filtersChanged();
        });
        $("crowd-filter-clear").addEventListener("click", () => this.setCrowd(null));
        $("vip-filter-clear").addEventListener("click", () => this.setVip(false));
        $("page-size").addEventListener("change", (e) => {
            this.limit = Number(e.target.value);
            this.offset = 0;
            this.refresh();
        });
        $("page-prev").addEventListener("click", () => this.turn(-1));
        $("page-next").addEventListener("click", () => this.turn(1));
        for (const button of document.querySelectorAll("#member-table th button[data-sort]")) {
            button.addEventListener("click", () => this.sortBy(button.dataset.sort));
        }
        $("member-rows").addEventListener("click", (e) => {
            const row = e.target.closest("tr[data-id]");
            if (row) this.showMember(row.dataset.id);
        });
        $("member-dialog-points").addEventListener("click", (e) => {
            const id = e.currentTarget.dataset.id;
            if (id) this.hooks.onLedger?.(id);
        });
    }

    /** Hold queries while a load replaces the data (they would find it unanalysed). */
    hold() {
        this.held = true;
    }

    /** Let queries run again; catch up on a change made while held. */
    release() {
        this.held = false;
        if (this.stale) this.refresh();
    }

    /** New analysis (and its insights): filters and paging start over. */
    setSummary(summary, insights) {
        this.summary = summary;
        this.slots = insights?.goldenHours.slots ?? [];
        this.held = false;
        this.filters = noFilters();
        this.crowd = null;
        this.vip = false;
        this.offset = 0;
        this.renderFilters();
        return this.refresh();
    }

    /** Clear everything shown (the analysis failed). */
    clear() {
        this.summary = null;
        this.page = null;
        this.render();
    }

    /** Set one filter; choosing the selected one again clears it (chart clicks). */
    setFilter(name, key, toggle = false) {
        this.filters[name] = toggle && this.filters[name] === key ? "" : key;
        this.filtersChanged();
    }

    /** Narrow the table to a crowd (`{ expr, label }`), or null for none. */
    setCrowd(crowd) {
        this.crowd = crowd;
        this.filtersChanged();
    }

    /** Narrow the table to the VIPs (true), or not. */
    setVip(vip) {
        this.vip = vip;
        this.filtersChanged();
    }

    filtersChanged() {
        this.offset = 0;
        this.renderFilters();
        this.hooks.onFiltersChange(this.filters);
        this.refresh();
    }

    sortBy(key) {
        const [current, direction] = this.sort.split("_");
        const next = current === key ? (direction === "asc" ? "desc" : "asc") : (FIRST_DIRECTION[key] ?? "desc");
        this.sort = `${key}_${next}`;
        this.offset = 0;
        this.refresh();
    }

    turn(step) {
        this.offset = Math.max(0, this.offset + step * this.limit);
        this.refresh();
    }

    /** The filter, search and sort in force, as a `MembersQuery` without paging. */
    query() {
        const q = { sort: this.sort };
        for (const [name, value] of Object.entries(this.filters)) if (value) q[name] = value;
        if (this.crowd) q.crowd = this.crowd.expr;
        if (this.vip) q.vip = true;
        if (this.search) q.search = this.search;
        return q;
    }

    async refresh() {
        if (!this.summary) return;
        this.stale = this.held;
        if (this.held) return;
        const sequence = ++this.sequence;
        try {
            const page = await this.analysis.members({ ...this.query(), offset: this.offset, limit: this.limit });
            if (sequence === this.sequence) {
                this.page = page;
                this.render();
            }
        } catch (e) {
            this.hooks.onError(e);
        }
    }

    label(counts, key) {
        const count = this.summary?.[counts].find((c) => c.key === key);
        return count ? countLabel(count) : (key ?? "—");
    }

    renderFilters() {
        for (const f of FILTERS) {
            const select = $(f.select);
            const counts = this.summary?.[f.counts] ?? [];
            select.replaceChildren(
                el("option", { value: "" }, t(f.all)),
                ...counts.map((c) => el("option", { value: c.key }, `${countLabel(c)} (${formatInt(c.members)})`)),
            );
            select.value = this.filters[f.name];
        }
        $("clear-filters").hidden = !this.crowd && !this.vip && !Object.values(this.filters).some(Boolean);
        $("vip-filter").hidden = !this.vip;
        $("crowd-filter").hidden = !this.crowd;
        $("crowd-filter-name").textContent = this.crowd?.label ?? "";
        $("crowd-filter").title = this.crowd?.expr ?? "";
    }

    /** A member's fields as shown, by name. */
    display(m) {
        return {
            id: m.id,
            name: m.name || "—",
            phone: m.phone || "—",
            registeredAt: dash(m.registeredAt),
            firstPurchase: dash(m.firstPurchase),
            lastPurchase: dash(m.lastPurchase),
            r: dash(m.r),
            f: dash(m.f),
            m: yuan(m.mFen),
            aov: yuan(m.aovFen),
            maxOrder: yuan(m.maxOrderFen),
            scores: m.rScore == null ? "—" : `${m.rScore}/${m.fScore}/${m.mScore}`,
            rfmClass: m.rfmClass ? this.label("classes", m.rfmClass) : "—",
            valueGroup: m.valueGroup ? this.label("valueGroups", m.valueGroup) : "—",
            grade: this.label("grades", m.grade),
            lifecycle: m.lifecycle ? this.label("lifecycle", m.lifecycle) : "—",
            level: this.label("levels", m.level),
            growth: `${formatInt(m.growth)} · ${m.toNextLevel == null ? t("topLevel") : t("toNextLevel", { n: formatInt(m.toNextLevel) })}`,
            bestSlot:
                m.bestSlot == null
                    ? "—"
                    : `${slotLabel(this.slots, m.bestSlot)}${m.bestSlotIsStore ? ` ${t("storeSlot")}` : ""}`,
            preferredChannel: m.preferredChannel == null ? "—" : `${m.preferredChannel}${m.preferredChannelIsStore ? ` ${t("storeChannel")}` : ""}`,
            homeStore: m.homeStore == null ? "—" : [m.homeStore, m.baseGroup == null ? null : t("baseGroupN", { n: m.baseGroup })].filter(Boolean).join(" · "),
            vip: m.vip ? t("yes") : t("no"),
            probabilityAlive: m.probabilityAlive == null ? "—" : formatPercent(m.probabilityAlive),
            expectedPurchases30: m.expectedPurchases30 == null ? "—" : m.expectedPurchases30.toFixed(2),
            clv: yuan(m.clvFen),
            valueAtRisk: yuan(m.valueAtRiskFen),
            nextOrderDate: dash(m.nextOrderDate),
        };
    }

    renderRow(m) {
        const shown = this.display(m);
        return el(
            "tr",
            { className: "clickable", dataset: { id: m.id } },
            TABLE.map(([name, , numeric]) => el("td", numeric ? { className: "num" } : {}, shown[name])),
        );
    }

    /** Draw the current page (also after a language switch). */
    render() {
        const page = this.page;
        const rows = page?.rows ?? [];
        fillRows($("member-rows"), rows, (m) => this.renderRow(m), TABLE.length, t("noRows"));
        const total = page?.total ?? 0;
        const pages = Math.max(1, Math.ceil(total / this.limit));
        const current = Math.floor(this.offset / this.limit) + 1;
        $("members-total").textContent = t("total", { n: formatInt(total) });
        $("page-info").textContent = t("pageOf", { page: current, pages });
        $("page-prev").disabled = this.offset === 0;
        $("page-next").disabled = this.offset + this.limit >= total;
        const [key, direction] = this.sort.split("_");
        for (const button of document.querySelectorAll("#member-table th button[data-sort]")) {
            const th = button.parentElement;
            if (button.dataset.sort !== key) th.removeAttribute("aria-sort");
            else th.setAttribute("aria-sort", direction === "asc" ? "ascending" : "descending");
        }
        this.renderFilters();
    }

    async showMember(id) {
        if (this.held) return;
        try {
            // The offers are extra: if they fail, the profile still opens and says why.
            const [m, offers] = await Promise.all([this.analysis.member(id), this.analysis.offers(id).catch((e) => e)]);
            const shown = this.display(m);
            $("member-dialog-title").textContent = `${t("detailTitle")} ${m.id}`;
            $("member-dialog-body").replaceChildren(...DETAILS.map(([name, label]) => fact(t(label), shown[name])));
            $("member-dialog-tags").replaceChildren(
                el("h3", {}, t("tagsTitle")),
                ...(m.tags.length ? m.tags.map(renderTag) : [el("p", { className: "muted" }, t("noTags"))]),
            );
            $("member-dialog-points").dataset.id = m.id;
            $("member-dialog-offers").replaceChildren(
                el("h3", {}, t("offersTitle")),
                offers instanceof Error ? el("p", { className: "crowd-error" }, offers.message) : renderOffers(offers),
            );
            $("member-dialog").showModal();
        } catch (e) {
            this.hooks.onError(e);
        }
    }
}
