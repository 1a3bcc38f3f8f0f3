// The points section (积分, DOMAIN §8): the liability and its yuan value, the
// members with points, the points expiring soon and the next expiry date as
// KPI cards; the expiry schedule as a bar chart; the members with points
// expiring soon (a button narrows the member table to them); the reconcile
// of the members file's balance against the ledger; and a member's ledger,
// line by line with their lots, in a dialog opened from these lists or from
// the member's details.
//
// When nothing expires within `points.expiringWithinDays` (the demo store on
// 2026-11-01: its points go at the year end, 61 days later), the list shows
// the members of the next expiry date instead, as of the day that date enters
// the window, and says so; the crowd it applies is `pointsExpiryDays <= N`.

import { AXIS, FONT, clearChart, draw, escapeHtml } from "./charts.js";
import { $, el, td, fact, fillRows, memberRow } from "./dom.js";
import { currentLang, formatInt, formatMoney, t } from "./i18n.js";

/** Rows per page of the two lists. */
export const POINTS_ROWS = 10;

/** The recommended crowd 积分即将过期. */
export const EXPIRING_CROWD = "pointsExpiring > 0";

const DAY_MS = 86_400_000;

/** Whole days from `from` to `to` (both `YYYY-MM-DD`). */
export function daysBetween(from, to) {
    return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

/** `YYYY-MM-DD` plus `days`. */
function addDays(date, days) {
    return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** 150 → "+150", -150 → "−150". */
export function signedPoints(n) {
    return n > 0 ? `+${formatInt(n)}` : n < 0 ? `−${formatInt(-n)}` : "0";
}

function scheduleOption(schedule) {
    return {
        textStyle: { fontFamily: FONT },
        grid: { left: 8, right: 16, top: 24, bottom: 8, containLabel: true },
        tooltip: {
            trigger: "item",
            formatter: (p) => {
                const b = schedule[p.dataIndex];
                return [
                    `<b>${escapeHtml(b.day)}</b> · ${escapeHtml(t("pointsDaysLeft", { n: formatInt(b.daysLeft) }))}`,
                    `${escapeHtml(t("pointsUnit"))}: ${formatInt(b.points)} (${formatMoney(b.valueFen)})`,
                    `${escapeHtml(t("members"))}: ${formatInt(b.members)}`,
                ].join("<br>");
            },
        },
        xAxis: { type: "category", data: schedule.map((b) => b.day), ...AXIS },
        yAxis: { type: "value", splitLine: { lineStyle: { color: "#eef0f3" } }, axisLabel: { color: "#868e96" } },
        series: [
            {
                type: "bar",
                barMaxWidth: 40,
                data: schedule.map((b) => b.points),
                itemStyle: { color: "#f59f00", borderRadius: [4, 4, 0, 0] },
                label: { show: true, position: "top", color: "#495057", fontSize: 11, formatter: (p) => formatInt(p.value) },
            },
        ],
    };
}

export class PointsPage {
    /**
      * @param {import("./analysis.js").Analysis} analysis
      * @param {{ onError: (e: Error) => void, onCrowd: (expr: string, label: string) => void, crowdLabel: (expr: string) => string }} hooks
      */
    constructor(analysis, hooks) {
        this.analysis = analysis;
        this.hooks = hooks;
        /** The latest `points()`, or null (the section is hidden). */
        this.summary = null;
        /** `{ page, asOf, crowd }`: the expiring list as shown (`asOf` set for the next-expiry preview). */
        this.expiring = null;
        this.reconcile = null;
        this.offsets = { expiring: 0, reconcile: 0 };
        /** The ledger in the dialog, for a language switch. */
        this.ledger = null;
        this.sequence = 0;
        const box = $("chart-points-expiry");
        this.chart = echarts.init(box, null, { renderer: "canvas" });
        new ResizeObserver(() => this.chart.resize()).observe(box);
        this.bind();
    }

    bind() {
        for (const id of ["points-expiring-rows", "points-reconcile-rows"]) {
            $(id).addEventListener("click", (e) => {
                const row = e.target.closest("tr[data-id]");
                if (row) this.showLedger(row.dataset.id);
            });
        }
        for (const [list, step] of [
            ["expiring", -1],
            ["expiring", 1],
            ["reconcile", -1],
            ["reconcile", 1],
        ]) {
            $(`points-${list}-${step < 0 ? "prev" : "next"}`).addEventListener("click", () => this.turn(list, step));
        }
        $("points-expiring-crowd").addEventListener("click", () => {
            const crowd = this.expiring?.crowd;
            if (crowd) this.hooks.onCrowd(crowd, this.crowdLabel(crowd));
        });
    }

    /** The name of a crowd this section applies (null for others): the recommended crowd's, or "积分 2027-01-01 到期". */
    crowdLabel(expr) {
        if (expr === EXPIRING_CROWD) return this.hooks.crowdLabel(expr);
        const next = this.summary?.expirySchedule[0];
        return next && expr === this.nextCrowd(next) ? t("pointsNextCrowd", { date: next.day }) : null;
    }

    /** Members whose first points go on the next expiry date (or earlier: none are). */
    nextCrowd(next) {
        return `pointsExpiryDays <= ${next.daysLeft}`;
    }

    /** Hide the section (no analysis). */
    clear() {
        this.summary = null;
        this.expiring = null;
        this.reconcile = null;
        this.sequence++;
        $("points").hidden = true;
        clearChart(this.chart);
    }

    /** Ask for the points of the new analysis and show them. */
    async load() {
        const sequence = ++this.sequence;
        try {
            const summary = await this.analysis.points();
            if (sequence !== this.sequence) return;
            this.summary = summary;
            this.offsets = { expiring: 0, reconcile: 0 };
            await Promise.all([this.loadExpiring(sequence), this.loadReconcile(sequence)]);
            if (sequence === this.sequence) this.render();
        } catch (e) {
            if (sequence !== this.sequence) return;
            this.clear();
            this.hooks.onError(e);
        }
    }

    /** The expiring list: within the window, or (when that is empty) the next expiry date's members. */
    async loadExpiring(sequence = this.sequence) {
        const s = this.summary;
        const next = s.expirySchedule[0];
        const query = { offset: this.offsets.expiring, limit: POINTS_ROWS };
        let shown = { page: null, asOf: null, crowd: null };
        if (s.expiringMembers > 0) {
            shown = { page: await this.analysis.pointsExpiring(query), asOf: null, crowd: EXPIRING_CROWD };
        } else if (next) {
            // The day the next expiry date enters the window: the same members and points, as the data stands.
            const asOf = addDays(next.day, -s.expiringWithinDays);
            shown = { page: await this.analysis.pointsExpiring({ ...query, asOf }), asOf, crowd: this.nextCrowd(next) };
        }
        if (sequence === this.sequence) this.expiring = shown;
    }

    async loadReconcile(sequence = this.sequence) {
        const page = await this.analysis.pointsReconcile({ offset: this.offsets.reconcile, limit: POINTS_ROWS });
        if (sequence === this.sequence) this.reconcile = page;
    }

    async turn(list, step) {
        const page = list === "expiring" ? this.expiring?.page : this.reconcile;
        if (!page) return;
        const offset = this.offsets[list] + step * POINTS_ROWS;
        if (offset < 0 || offset >= page.total) return;
        this.offsets[list] = offset;
        try {
            await (list === "expiring" ? this.loadExpiring() : this.loadReconcile());
            this.render();
        } catch (e) {
            this.hooks.onError(e);
        }
    }

    /** Re-draw what is shown in the current language. */
    refresh() {
        if (this.summary) this.render();
        if (this.ledger && $("ledger-dialog").open) this.renderLedger(this.ledger);
    }

    render() {
        const s = this.summary;
        $("points").hidden = false;
        $("points-hint").textContent = t("pointsHint", { date: s.asOf });
        this.renderKpis(s);
        $("points-flow").textContent = t("pointsFlow", {
            earned: formatInt(s.earnedPoints),
            spent: formatInt(s.spentPoints),
            clawedBack: formatInt(s.clawedBackPoints),
            expired: formatInt(s.expiredPoints),
        });
        const warnings = [];
        if (s.overdrawnMembers) warnings.push(t("pointsOverdrawn", { n: formatInt(s.overdrawnMembers) }));
        if (s.overCapOrders) warnings.push(t("pointsOverCap", { n: formatInt(s.overCapOrders) }));
        $("points-warnings").hidden = !warnings.length;
        $("points-warnings").replaceChildren(...warnings.map((w) => el("p", {}, w)));
        const schedule = s.expirySchedule;
        $("points-schedule-none").hidden = schedule.length > 0;
        $("chart-points-expiry").hidden = schedule.length === 0;
        if (schedule.length) draw(this.chart, scheduleOption(schedule));
        else clearChart(this.chart);
        this.renderExpiring();
        this.renderReconcile();
    }

    renderKpis(s) {
        const set = (id, text) => ($(id).textContent = text);
        set("kpi-points-liability", formatInt(s.liabilityPoints));
        set("kpi-points-liability-sub", t("pointsWorth", { money: formatMoney(s.liabilityFen) }));
        set("kpi-points-members", formatInt(s.membersWithPoints));
        set("kpi-points-members-sub", t("pointsMembersSub"));
        set("kpi-points-expiring-label", t("kpiPointsExpiring", { days: formatInt(s.expiringWithinDays) }));
        set("kpi-points-expiring", formatInt(s.expiringPoints));
        set("kpi-points-expiring-sub", t("pointsMembersN", { n: formatInt(s.expiringMembers) }));
        const next = s.expirySchedule[0];
        set("kpi-points-next", next ? next.day : "—");
        set(
            "kpi-points-next-sub",
            next
                ? t("pointsNextSub", { days: formatInt(next.daysLeft), points: formatInt(next.points), n: formatInt(next.members) })
                : t("pointsNone"),
        );
        const r = s.reconcile;
        set("kpi-points-reconcile", r.compared ? formatInt(r.differing) : "—");
        set(
            "kpi-points-reconcile-sub",
            r.compared ? t("pointsReconcileSub", { n: formatInt(r.compared) }) : t("pointsNoImported"),
        );
    }

    renderExpiring() {
        const s = this.summary;
        const { page, asOf, crowd } = this.expiring ?? {};
        const next = s.expirySchedule[0];
        $("points-expiring-title").textContent = asOf
            ? t("pointsNextTitle", { date: next.day })
            : t("pointsExpiringTitle", { days: formatInt(s.expiringWithinDays) });
        $("points-expiring-note").textContent = asOf
            ? t("pointsPreviewNote", {
                  days: formatInt(s.expiringWithinDays),
                  date: next.day,
                  left: formatInt(next.daysLeft),
                  from: asOf,
              })
            : "";
        $("points-expiring-note").hidden = !asOf;
        const rows = page?.rows ?? [];
        fillRows(
            $("points-expiring-rows"),
            rows,
            (m) =>
                memberRow(
                    m.memberId,
                    m.name,
                    m.phone,
                    td(formatInt(m.balance), "num"),
                    td(formatInt(m.expiring), "num"),
                    td(m.firstExpiry),
                    td(formatInt(daysBetween(s.asOf, m.firstExpiry)), "num"),
                ),
            7,
            t("pointsNoExpiring"),
        );
        const button = $("points-expiring-crowd");
        button.hidden = !crowd || !page?.total;
        button.textContent = t("pointsShowMembers", { n: formatInt(page?.total ?? 0) });
        this.renderPager("expiring", page);
    }

    renderReconcile() {
        const page = this.reconcile;
        const r = this.summary.reconcile;
        $("points-reconcile-hint").textContent = r.compared
            ? t("pointsReconcileHint", {
                  compared: formatInt(r.compared),
                  differing: formatInt(r.differing),
                  imported: formatInt(r.importedPoints),
                  ledger: formatInt(r.ledgerPoints),
              })
            : t("pointsNoImported");
        const rows = page?.rows ?? [];
        fillRows(
            $("points-reconcile-rows"),
            rows,
            (d) =>
                memberRow(
                    d.memberId,
                    d.name,
                    d.phone,
                    td(formatInt(d.imported), "num"),
                    td(formatInt(d.ledger), "num"),
                    td(signedPoints(d.difference), "num"),
                ),
            6,
            r.compared ? t("pointsAllMatch") : t("pointsNoImported"),
        );
        this.renderPager("reconcile", page);
    }

    renderPager(list, page) {
        const total = page?.total ?? 0;
        const offset = this.offsets[list];
        const pages = Math.max(1, Math.ceil(total / POINTS_ROWS));
        $(`points-${list}-info`).textContent = t("pageOf", { page: Math.floor(offset / POINTS_ROWS) + 1, pages });
        $(`points-${list}-prev`).disabled = offset === 0;
        $(`points-${list}-next`).disabled = offset + POINTS_ROWS >= total;
    }

    /** Open a member's ledger, line by line, with their lots (from the lists or the member's details). */
    async showLedger(id) {
        try {
            const ledger = await this.analysis.pointsLedger(id);
            this.ledger = ledger;
            this.renderLedger(ledger);
            const dialog = $("ledger-dialog");
            if (!dialog.open) dialog.showModal();
            const scroll = $("ledger-lines-scroll");
            scroll.scrollTop = scroll.scrollHeight; // the latest lines first in view
        } catch (e) {
            this.hooks.onError(e);
        }
    }

    renderLedger(l) {
        $("ledger-title").textContent = t("ledgerTitle", { id: l.memberId });
        const imported =
            l.imported == null
                ? "—"
                : l.imported === l.balance
                  ? `${formatInt(l.imported)} ✓`
                  : `${formatInt(l.imported)} (${signedPoints(l.imported - l.balance)})`;
        $("ledger-facts").replaceChildren(
            fact(t("ledgerBalance"), `${formatInt(l.balance)} · ${formatMoney(l.balanceFen)}`),
            fact(t("ledgerImported"), imported, l.imported != null && l.imported !== l.balance ? { className: "bad" } : {}),
            fact(t("kpiPointsExpiring", { days: formatInt(this.summary?.expiringWithinDays ?? 30) }), formatInt(l.expiring)),
            fact(t("ledgerAsOf"), l.asOf),
        );
        fillRows(
            $("ledger-lots-rows"),
            l.lots,
            (lot) => el("tr", {}, td(lot.earnedOn), td(lot.expiresOn), td(formatInt(lot.remaining), "num")),
            3,
            t("ledgerNoLots"),
        );
        const zh = currentLang() === "zh";
        fillRows(
            $("ledger-lines-rows"),
            l.lines,
            (line) =>
                el(
                  "tr",
                  { dataset: { kind: line.kind } },
                  td(line.day),
                  td(t(`pointsKind_${line.kind}`)),
                  td(signedPoints(line.points), `num ${line.points < 0 ? "points-minus" : "points-plus"}`),
                  td(formatInt(line.balance), "num"),
                  td(zh ? line.reason : line.reasonEn, "wrap"),
                ),
            5,
            t("ledgerNoLines"),
        );
        $("ledger-count").textContent = t("ledgerCount", { n: formatInt(l.lines.length) });
        $("ledger-lots-count").textContent = t("ledgerLotsCount", { n: formatInt(l.lots.length) });
    }
}
