// The predictions section (`predict()`): the store's 30/90-day forecast, the
// members at risk and their value, total CLV, a notice when the models fell
// back for lack of data, three charts (P(alive) heatmap with a note on one-time
// buyers, CLV histogram, the holdout check) and the at-risk recall list. A row opens the member's details.

import { AXIS, FONT, clearChart, draw, escapeHtml } from "./charts.js";
import { $, el, td, fillRows, memberRow } from "./dom.js";
import { formatInt, formatMoney, formatPercent, formatYuan, t } from "./i18n.js";

/** Rows of the recall list. */
export const RECALL_ROWS = 20;

/** Low P(alive) red, high green. */
const HEAT_COLORS = ["#c92a2a", "#ffd8a8", "#2f9e44"];

const SPLIT = { splitLine: { lineStyle: { color: "#eef0f3" } }, axisLabel: { color: "#868e96" } };

/** The bands in the order the summary lists them (first seen first). */
function bands(cells, field) {
    return [...new Set(cells.map((c) => c[field]))];
}

function heatmapOption(heatmap) {
    const recency = bands(heatmap, "recency");
    const frequency = bands(heatmap, "frequency");
    return {
        textStyle: { fontFamily: FONT },
        grid: { left: 8, right: 16, top: 28, bottom: 56, containLabel: true },
        tooltip: {
            formatter: (p) => {
                const cell = heatmap[p.dataIndex];
                const alive = cell.meanProbabilityAlive;
                return [
                    `<b>${escapeHtml(t("heatFrequency"))} ${escapeHtml(cell.frequency)} · ${escapeHtml(t("heatRecency"))} ${escapeHtml(cell.recency)}</b>`,
                    `${t("members")}: ${formatInt(cell.members)}`,
                    `${t("probabilityAlive")}: ${alive == null ? "—" : formatPercent(alive)}`,
                ].join("<br>");
            },
        },
        xAxis: { type: "category", data: recency, name: t("heatRecency"), nameLocation: "middle", nameGap: 28, ...AXIS },
        yAxis: { type: "category", data: frequency, name: t("heatFrequency"), nameLocation: "end", ...AXIS },
        visualMap: {
            min: 0,
            max: 1,
            orient: "horizontal",
            left: "center",
            bottom: 0,
            itemHeight: 120,
            itemWidth: 10,
            text: ["100%", "0%"],
            textStyle: { color: "#868e96" },
            inRange: { color: HEAT_COLORS },
        },
        series: [
            {
                type: "heatmap",
                data: heatmap.map((c) => [
                    recency.indexOf(c.recency),
                    frequency.indexOf(c.frequency),
                    c.meanProbabilityAlive ?? "-",
                ]),
                label: {
                    show: true,
                    fontSize: 11,
                    color: "#212529",
                    formatter: (p) => (typeof p.value[2] === "number" ? `${Math.round(p.value[2] * 100)}%` : ""),
                },
                itemStyle: { borderColor: "#fff", borderWidth: 2 },
                emphasis: { itemStyle: { borderColor: "#343a40", borderWidth: 1 } },
            },
        ],
    };
}

/** 2000, 5000 → "¥20–50"; 200000, null → "¥2000+". */
function clvBand({ fromFen, toFen }) {
    return toFen == null ? `¥${fromFen / 100}+` : `¥${fromFen / 100}–${toFen / 100}`;
}

function clvOption(histogram) {
    return {
        textStyle: { fontFamily: FONT },
        grid: { left: 8, right: 8, top: 20, bottom: 8, containLabel: true },
        tooltip: {
            trigger: "item",
            formatter: (p) => {
                const bin = histogram[p.dataIndex];
                return [
                    `<b>${escapeHtml(clvBand(bin))}</b>`,
                    `${t("members")}: ${formatInt(bin.members)}`,
                    `${t("clvTotal")}: ${formatMoney(bin.clvFen)}`,
                ].join("<br>");
            },
        },
        xAxis: { type: "category", data: histogram.map(clvBand), ...AXIS, axisLabel: { color: "#495057", rotate: 35, fontSize: 11 } },
        yAxis: { type: "value", ...SPLIT },
        series: [
            {
                type: "bar",
                barMaxWidth: 28,
                data: histogram.map((bin) => bin.members),
                itemStyle: { color: "#1c7ed6", borderRadius: [4, 4, 0, 0] },
                label: { show: true, position: "top", color: "#495057", fontSize: 11, formatter: (p) => formatInt(p.value) },
            },
        ],
    };
}

function validationOption(rows) {
    const mean = (v) => v.toFixed(2);
    return {
        textStyle: { fontFamily: FONT },
        grid: { left: 8, right: 8, top: 32, bottom: 24, containLabel: true },
        legend: { top: 0, itemWidth: 12, itemHeight: 10, textStyle: { color: "#495057" } },
        tooltip: {
            trigger: "axis",
            axisPointer: { type: "shadow" },
            formatter: (points) => {
                const row = rows[points[0].dataIndex];
                return [
                    `<b>${escapeHtml(t("validationAxis"))} ${escapeHtml(row.label)}</b> · ${t("members")}: ${formatInt(row.customers)}`,
                    `${t("actualMean")}: ${mean(row.actualMean)}`,
                    `${t("predictedMean")}: ${mean(row.predictedMean)}`,
                ].join("<br>");
            },
        },
        xAxis: {
            type: "category",
            data: rows.map((r) => r.label),
            name: t("validationAxis"),
            nameLocation: "middle",
            nameGap: 24,
            ...AXIS,
        },
        yAxis: { type: "value", ...SPLIT },
        series: [
            { name: t("actualMean"), type: "bar", barMaxWidth: 14, data: rows.map((r) => r.actualMean), itemStyle: { color: "#868e96" } },
            { name: t("predictedMean"), type: "bar", barMaxWidth: 14, data: rows.map((r) => r.predictedMean), itemStyle: { color: "#d9480f" } },
        ],
    };
}

const yuan = (fen) => (fen == null ? "—" : formatYuan(fen));

/** Expected orders: a whole number is what a store owner plans with. */
const orders = (n) => formatInt(Math.round(n));

export class Predictions {
    /** @param {(memberId: string) => void} onOpen  a recall-list row was clicked */
    constructor(onOpen) {
        this.shown = null;
        this.charts = {};
        for (const [name, id] of [
            ["heatmap", "chart-heatmap"],
            ["clv", "chart-clv"],
            ["validation", "chart-validation"],
        ]) {
            const box = $(id);
            const chart = echarts.init(box, null, { renderer: "canvas" });
            new ResizeObserver(() => chart.resize()).observe(box);
            this.charts[name] = chart;
        }
        $("at-risk-rows").addEventListener("click", (e) => {
            const row = e.target.closest("tr[data-id]");
            if (row) onOpen(row.dataset.id);
        });
    }

    /** Hide the section (no analysis, or predict() failed). */
    clear() {
        this.shown = null;
        $("predictions").hidden = true;
        for (const chart of Object.values(this.charts)) clearChart(chart);
    }

    /** Show a prediction and the first page of its at-risk members (also after a language switch). */
    render(prediction, atRisk) {
        this.shown = [prediction, atRisk];
        $("predictions").hidden = false;
        this.renderHead(prediction);
        this.renderKpis(prediction);
        this.renderCharts(prediction);
        this.renderRecall(atRisk);
    }

    /** Re-draw what is shown in the current language. */
    refresh() {
        if (this.shown) this.render(...this.shown);
    }

    renderHead({ parameters, store }) {
        $("pred-model").textContent = t("predModel", {
            purchases: t(`method_${parameters.purchasesMethod}`),
            spend: t(`method_${parameters.spendMethod}`),
        });
        const reasons = [store.purchasesFallback, store.spendFallback].filter(Boolean);
        const notice = $("pred-fallback");
        notice.hidden = !store.fallback;
        notice.replaceChildren(
            el("strong", {}, t("predFallback")),
            el("ul", {}, reasons.map((f) => el("li", { dataset: { code: f.code } }, f.message))),
        );
    }

    renderKpis(p) {
        const set = (id, text) => ($(id).textContent = text);
        const { next30Days, next90Days, customers } = p.store;
        set("kpi-next30", orders(next30Days.orders));
        set("kpi-next30-sub", t("kpiNextSub", { money: formatMoney(next30Days.revenueFen) }));
        set("kpi-next90", orders(next90Days.orders));
        set("kpi-next90-sub", t("kpiNextSub", { money: formatMoney(next90Days.revenueFen) }));
        set("kpi-at-risk", formatInt(p.atRiskMembers));
        set(
            "kpi-at-risk-sub",
            t("kpiAtRiskSub", { n: formatInt(customers), pct: customers ? formatPercent(p.atRiskMembers / customers) : "—" }),
        );
        set("kpi-value-at-risk", formatMoney(p.valueAtRiskFen));
        set("kpi-clv", formatMoney(p.totalClvFen));
    }

    renderCharts(p) {
        draw(this.charts.heatmap, heatmapOption(p.heatmap));
        // One-time buyers sit at 100 %: the note says to judge them by the lifecycle.
        $("heatmap-note").hidden = !p.heatmap.some((c) => c.frequency === "0" && c.members > 0);
        draw(this.charts.clv, clvOption(p.clvHistogram));
        $("validation-title").textContent = t("chartValidation", { holdoutDays: formatInt(p.holdoutDays) });
        const rows = p.validation?.filter((r) => r.label !== "total") ?? [];
        const total = p.validation?.find((r) => r.label === "total");
        $("validation-sub").textContent = total
            ? t("validationSub", {
                  actual: formatInt(total.actualTotal),
                  predicted: formatInt(Math.round(total.predictedTotal)),
                  n: formatInt(total.customers),
              })
            : "";
        $("validation-none").hidden = rows.length > 0;
        $("chart-validation").hidden = rows.length === 0;
        if (rows.length) draw(this.charts.validation, validationOption(rows));
        else clearChart(this.charts.validation);
    }

    renderRecall(page) {
        const rows = page?.rows ?? [];
        $("at-risk-hint").textContent = rows.length ? t("atRiskHint", { n: formatInt(rows.length) }) : "";
        fillRows(
            $("at-risk-rows"),
            rows,
            (m) =>
                memberRow(
                    m.id,
                    m.name,
                    m.phone,
                    td(m.probabilityAlive == null ? "—" : formatPercent(m.probabilityAlive), "num"),
                    td(m.lastPurchase),
                    td(yuan(m.mFen), "num"),
                    td(yuan(m.valueAtRiskFen), "num"),
                    td(m.nextOrderDate),
                ),
            8,
            t("noAtRisk"),
        );
    }
}
