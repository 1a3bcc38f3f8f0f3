// The store insights section (`insights()`): golden hours as a weekday × slot
// heatmap of purchases with the store's best slot in the title, the key-path
// funnel with its breakpoint (lowest conversion) highlighted, the categories
// each value group buys most (value members first, by spend or by buyers,
// beside all members' share), new-member
// 7-day retention by weekly cohort with the repurchase rate, and the community:
// base and VIP groups per store, the VIP count and the monthly VIP review, with
// a button that narrows the member table to the VIPs.

import { AXIS, FONT, clearChart, draw, escapeHtml } from "./charts.js";
import { $, el } from "./dom.js";
import { countLabel, formatInt, formatPercent, formatYuan, t } from "./i18n.js";

/** Few purchases pale, many the accent. */
const GOLD_COLORS = ["#fff9f2", "#ffc078", "#d9480f"];

/** Narrowest chart (px) whose slot labels stand upright. */
const WIDE_GOLDEN = 720;

/** 周一 … 周日 (the grid is Monday first). */
const weekdays = () => [1, 2, 3, 4, 5, 6, 7].map((d) => t(`weekday_${d}`));

/** A slot key's label in the current language; an unknown key as written, null → null. */
export function slotLabel(slots, key) {
    const slot = slots.find((s) => s.key === key);
    return slot ? countLabel(slot) : key;
}

function goldenOption({ slots, purchases, clicks, bestSlot }, wide) {
    const days = weekdays();
    const labels = slots.map(countLabel);
    const best = slots.findIndex((s) => s.key === bestSlot);
    const max = Math.max(1, ...purchases.flat());
    return {
        textStyle: { fontFamily: FONT },
        grid: { left: 8, right: 16, top: 8, bottom: 40, containLabel: true },
        tooltip: {
            formatter: (p) => {
                const [slot, day, n] = p.value;
                return [
                    `<b>${escapeHtml(days[day])} ${escapeHtml(labels[slot])}</b>`,
                    `${t("goldenPurchases")}: ${formatInt(n)}`,
                    `${t("goldenClicks")}: ${formatInt(clicks[day]?.[slot] ?? 0)}`,
                ].join("<br>");
            },
        },
        xAxis: {
            type: "category",
            data: labels,
            ...AXIS,
            axisLabel: {
                color: "#495057",
                fontSize: 11,
                interval: 0,
                rotate: wide ? 0 : 45,
                formatter: (label, i) => (i === best ? `{best|${label}}` : label),
                rich: { best: { color: "#d9480f", fontWeight: 600, fontSize: 11 } },
            },
        },
        yAxis: { type: "category", data: days, inverse: true, ...AXIS, axisLabel: { color: "#495057", interval: 0 } },
        visualMap: {
            min: 0,
            max,
            orient: "horizontal",
            left: "center",
            bottom: 0,
            itemHeight: 120,
            itemWidth: 10,
            text: [formatInt(max), "0"],
            textStyle: { color: "#868e96" },
            inRange: { color: GOLD_COLORS },
        },
        series: [
            {
                type: "heatmap",
                data: purchases.flatMap((row, day) => row.map((n, slot) => [slot, day, n])),
                label: { show: true, fontSize: 11, color: "#212529", formatter: (p) => formatInt(p.value[2]) },
                itemStyle: { borderColor: "#fff", borderWidth: 2 },
                emphasis: { itemStyle: { borderColor: "#343a40", borderWidth: 1 } },
            },
        ],
    };
}

/** Funnel bars: the breakpoint stands out from the other stages. */
const FUNNEL_COLOR = "#74c0fc";
const BREAKPOINT_COLOR = "#e03131";

/** Narrowest funnel chart (px) whose stage labels stay on one line. */
const WIDE_FUNNEL = 480;

function funnelOption(funnel, breakpoint, wide) {
    const labels = funnel.map(countLabel);
    return {
        textStyle: { fontFamily: FONT },
        grid: { left: 8, right: wide ? 110 : 96, top: 4, bottom: 4, containLabel: true },
        tooltip: {
            formatter: (p) => {
                const stage = funnel[p.dataIndex];
                return [
                    `<b>${escapeHtml(labels[p.dataIndex])}</b>`,
                    `${t("funnelMembers")}: ${formatInt(stage.members)}`,
                    p.dataIndex > 0 ? `${t("funnelRate")}: ${formatPercent(stage.rate)}` : null,
                ]
                    .filter(Boolean)
                    .join("<br>");
            },
        },
        xAxis: { type: "value", show: false, max: Math.max(1, ...funnel.map((s) => s.members)) },
        yAxis: {
            type: "category",
            data: labels,
            inverse: true,
            ...AXIS,
            axisLabel: { color: "#495057", interval: 0, ...(wide ? {} : { width: 64, overflow: "break", lineHeight: 14 }) },
        },
        series: [
            {
                type: "bar",
                barMaxWidth: 26,
                data: funnel.map((s) => ({
                    value: s.members,
                    itemStyle: { color: s.key === breakpoint ? BREAKPOINT_COLOR : FUNNEL_COLOR, borderRadius: [0, 4, 4, 0] },
                    label: s.key === breakpoint ? { color: BREAKPOINT_COLOR, fontWeight: 600 } : {},
                })),
                label: {
                    show: true,
                    position: "right",
                    color: "#495057",
                    formatter: (p) =>
                        p.dataIndex > 0 ? `${formatInt(p.value)} · ${formatPercent(funnel[p.dataIndex].rate)}` : formatInt(p.value),
                },
            },
        ],
    };
}

/** Group rows shown (a 5M-order store has a thousand base groups; the rest are counted). */
const GROUP_ROWS = 100;

export class StoreInsights {
    /** @param {() => void} onShowVips  "查看 VIP 会员" was clicked */
    constructor(onShowVips) {
        this.shown = null;
        /** Whether the chart was last drawn with upright slot labels. */
        this.wide = null;
        const box = $("chart-golden");
        this.chart = echarts.init(box, null, { renderer: "canvas" });
        new ResizeObserver(() => {
            this.chart.resize();
            if (this.shown && this.wide !== box.clientWidth >= WIDE_GOLDEN) this.renderGolden(this.shown.goldenHours);
        }).observe(box);
        const funnelBox = $("chart-funnel");
        this.funnelChart = echarts.init(funnelBox, null, { renderer: "canvas" });
        /** Whether the funnel was last drawn with one-line stage labels. */
        this.wideFunnel = null;
        new ResizeObserver(() => {
            this.funnelChart.resize();
            if (this.shown && this.wideFunnel !== funnelBox.clientWidth >= WIDE_FUNNEL) this.renderFunnel(this.shown);
        }).observe(funnelBox);
        $("show-vips").addEventListener("click", onShowVips);
        /** The categories card's group (a value group key or "all") and order ("spend" or "buyers"). */
        this.categoryGroup = "value";
        this.categoryBy = "spend";
        $("category-group").addEventListener("change", (e) => {
            this.categoryGroup = e.target.value;
            if (this.shown) this.renderCategories(this.shown);
        });
        $("category-by").addEventListener("click", (e) => {
            const button = e.target.closest("button[data-by]");
            if (!button) return;
            this.categoryBy = button.dataset.by;
            if (this.shown) this.renderCategories(this.shown);
        });
    }

    /** Hide the section (no analysis). */
    clear() {
        this.shown = null;
        $("insights").hidden = true;
        clearChart(this.chart);
        clearChart(this.funnelChart);
    }

    /** Show the insights (also after a language switch). */
    render(insights) {
        this.shown = insights;
        $("insights").hidden = false;
        this.renderGolden(insights.goldenHours);
        this.renderFunnel(insights);
        this.renderCategories(insights);
        this.renderRetention(insights);
        this.renderCommunity(insights);
    }

    /** Re-draw what is shown in the current language. */
    refresh() {
        if (this.shown) this.render(this.shown);
    }

    renderGolden(golden) {
        $("golden-best").textContent = golden.bestSlot
            ? t("goldenBest", { slot: slotLabel(golden.slots, golden.bestSlot) })
            : t("goldenNoBest");
        this.wide = $("chart-golden").clientWidth >= WIDE_GOLDEN;
        draw(this.chart, goldenOption(golden, this.wide));
    }

    renderFunnel({ funnel, breakpoint }) {
        const stage = funnel.find((s) => s.key === breakpoint);
        $("funnel-breakpoint").textContent = stage
            ? t("funnelBreakpoint", { stage: countLabel(stage), pct: formatPercent(stage.rate) })
            : t("funnelNoBreakpoint");
        this.wideFunnel = $("chart-funnel").clientWidth >= WIDE_FUNNEL;
        draw(this.funnelChart, funnelOption(funnel, breakpoint, this.wideFunnel));
    }

    renderCategories({ categories }) {
        const groups = categories ?? [];
        const label = (g) => (g.key === "all" ? t("categoriesAll") : countLabel(g));
        const select = $("category-group");
        select.replaceChildren(...groups.map((g) => el("option", { value: g.key }, `${label(g)} (${formatInt(g.buyers)})`)));
        const group = groups.find((g) => g.key === this.categoryGroup) ?? groups[0];
        select.value = group?.key ?? "";
        for (const button of $("category-by").querySelectorAll("button[data-by]")) {
            button.setAttribute("aria-pressed", String(button.dataset.by === this.categoryBy));
        }
        const all = groups.find((g) => g.key === "all");
        const rows = group ? (this.categoryBy === "buyers" ? group.byBuyers : group.bySpend) : [];
        $("categories-line").textContent = !rows.length
            ? t("categoriesNone")
            : t("categoriesLine", { group: label(group), buyers: formatInt(group.buyers), spend: formatYuan(group.spendFen) });
        const top = Math.max(0.0001, ...rows.map((r) => r.spendShare));
        // All members' share of the same category: more than theirs shows darker.
        const allShare = (category) => all?.bySpend.concat(all.byBuyers).find((r) => r.category === category)?.spendShare;
        $("category-rows").replaceChildren(
            ...rows.map((r) => {
                const base = allShare(r.category);
                const more = group.key !== "all" && base != null && r.spendShare > base;
                return el(
                    "tr",
                    { dataset: { category: r.category } },
                    el("td", {}, r.category || t("uncategorised")),
                    el("td", { className: "num" }, formatYuan(r.spendFen)),
                    el(
                        "td",
                        {},
                        el(
                            "span",
                            { className: "share-bar" },
                            el("span", { className: more ? "bar more" : "bar", style: `width: ${Math.round((80 * r.spendShare) / top)}px` }),
                            formatPercent(r.spendShare),
                        ),
                    ),
                    el("td", { className: "num" }, `${formatInt(r.buyers)} (${formatPercent(r.buyerShare)})`),
                    el("td", { className: "num muted" }, group.key === "all" || base == null ? "—" : formatPercent(base)),
                );
            }),
        );
    }

    renderRetention({ retention, repurchase }) {
        $("repurchase").textContent = t("repurchaseLine", {
            pct: repurchase.buyers ? formatPercent(repurchase.rate) : "—",
            repeat: formatInt(repurchase.repeatBuyers),
            buyers: formatInt(repurchase.buyers),
        });
        const cell = (text, numeric) => el("td", numeric ? { className: "num" } : {}, text);
        $("retention-rows").replaceChildren(
            ...retention.map((c) =>
                el(
                    "tr",
                    { dataset: { week: c.week } },
                    el("td", {}, c.week, " ", el("small", { className: "muted" }, t("weekFrom", { date: c.weekStart.slice(5) }))),
                    cell(formatInt(c.members), true),
                    cell(formatInt(c.retained), true),
                    el(
                        "td",
                        { className: "num" },
                        c.complete ? null : el("span", { className: "pending", title: t("pendingHint", { n: formatInt(c.pending) }) }, t("inProgress")),
                        c.members ? formatPercent(c.rate) : "—",
                    ),
                ),
            ),
        );
    }

    renderCommunity({ baseGroups, vipGroups, vipMembers, vipReview }) {
        $("vip-count").textContent = formatInt(vipMembers);
        $("vip-review").replaceChildren(
            ...["stays", "joins", "leaves"].map((kind) =>
                el(
                    "span",
                    { className: "tag", dataset: { kind } },
                    el("span", { className: `dot review-${kind}` }),
                    t(`vipReview_${kind}`, { n: formatInt(vipReview[kind]) }),
                ),
            ),
        );
        $("show-vips").disabled = vipMembers === 0;
        // Each store's base groups, then its VIP groups.
        const stores = [...new Set([...baseGroups, ...vipGroups].map((g) => g.store))];
        const row = (g, vip) =>
            el(
                "tr",
                { className: vip ? "group-vip" : "", dataset: { store: g.store, group: `${vip ? "vip" : "base"}-${g.number}` } },
                el("td", {}, g.store),
                el("td", {}, t(vip ? "vipGroupN" : "baseGroupN", { n: g.number })),
                el("td", { className: "num" }, formatInt(g.members)),
            );
        const rows = stores.flatMap((store) => [
            ...baseGroups.filter((g) => g.store === store).map((g) => row(g, false)),
            ...vipGroups.filter((g) => g.store === store).map((g) => row(g, true)),
        ]);
        const note = (text) => el("tr", {}, el("td", { className: "empty", colSpan: 3 }, text));
        const more = rows.length - GROUP_ROWS;
        const shown = more > 0 ? [...rows.slice(0, GROUP_ROWS), note(t("moreGroups", { n: formatInt(more) }))] : rows;
        $("group-rows").replaceChildren(...(rows.length ? shown : [note(t("noGroups"))]));
    }
}
