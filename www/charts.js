// The summary charts (ECharts, loaded as the global `echarts`): RFM classes
// and lifecycle stages as bars, value groups and grades as donuts. Clicking a
// bar or a slice calls `onSelect(filterName, key)`; the selected one stays bright.

import { countLabel, formatInt, formatMoney, formatPercent, t } from "./i18n.js";

export const FONT = '"PingFang SC", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif';

/** Category axes of the section charts (heatmaps, histograms): no ticks, grey lines and labels. */
export const AXIS = {
    axisTick: { show: false },
    axisLine: { lineStyle: { color: "#ced4da" } },
    axisLabel: { color: "#495057" },
    nameTextStyle: { color: "#868e96" },
};

/** Charts waiting to be drawn: chart → [option, setOption's options]. */
const pending = new Map();

/**
  * Draw `option` on `chart` in a task of its own: charts are drawn one per task
  * (a chart takes 20–80 ms), so redrawing every chart after an analysis never
  * blocks the page for long. A later option for the same chart replaces one not
  * yet drawn. `<body data-drawing>` is set while charts wait (the tests wait on it).
  * Charts are drawn without animation: a dozen charts animating at once make
  * every frame a long task.
  */
export function draw(chart, option, opts = true) {
    if (!pending.size) {
        document.body.dataset.drawing = "";
        setTimeout(drawNext, 0);
    }
    pending.set(chart, [option, opts]);
}

/** Empty `chart` now and forget an option waiting for it. */
export function clearChart(chart) {
    pending.delete(chart);
    chart.clear();
}

function drawNext() {
    const next = pending.entries().next();
    if (!next.done) {
        const [chart, [option, opts]] = next.value;
        pending.delete(chart);
        if (!chart.isDisposed()) chart.setOption({ ...option, animation: false }, opts);
    }
    if (pending.size) setTimeout(drawNext, 0);
    else delete document.body.dataset.drawing;
}

/** Narrowest chart box (px) that has room for the donut's legend beside the ring. */
const WIDE_DONUT = 340;

const COLORS = {
    important_value: "#d9480f",
    important_develop: "#f59f00",
    important_keep: "#1971c2",
    important_win_back: "#6741d9",
    general_value: "#ff922b",
    general_develop: "#ffd43b",
    general_keep: "#74c0fc",
    general_win_back: "#b197fc",
    value: "#e8590c",
    stable: "#2f9e44",
    potential: "#1c7ed6",
    churned: "#868e96",
    core: "#c2255c",
    important: "#f76707",
    ordinary: "#adb5bd",
    prospect: "#a5d8ff",
    new: "#4dabf7",
    active: "#2f9e44",
    dormant: "#f59f00",
};

function tooltip(count, totalMembers) {
    const share = totalMembers ? formatPercent(count.members / totalMembers) : "—";
    return [
        `<b>${escapeHtml(countLabel(count))}</b>`,
        `${t("members")}: ${formatInt(count.members)} (${share})`,
        `${t("revenue")}: ${formatMoney(count.revenueFen)}`,
    ].join("<br>");
}

export function escapeHtml(text) {
    return String(text).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
}

/** Bright when nothing of this kind is selected or this is the one. */
function itemStyle(key, selected) {
    return { color: COLORS[key] ?? "#495057", opacity: selected && selected !== key ? 0.3 : 1 };
}

function barOption(counts, selected) {
    const total = counts.reduce((sum, c) => sum + c.members, 0);
    const rows = [...counts].reverse(); // first class on top
    return {
        textStyle: { fontFamily: FONT },
        grid: { left: 8, right: 48, top: 8, bottom: 8, containLabel: true },
        tooltip: {
            trigger: "item",
            formatter: (p) => tooltip(rows[p.dataIndex], total),
        },
        xAxis: { type: "value", splitLine: { lineStyle: { color: "#eef0f3" } }, axisLabel: { color: "#868e96" } },
        yAxis: {
            type: "category",
            data: rows.map(countLabel),
            axisTick: { show: false },
            axisLine: { lineStyle: { color: "#ced4da" } },
            axisLabel: { color: "#343a40", fontSize: 12, width: 120, overflow: "truncate" },
        },
        series: [
            {
                type: "bar",
                barMaxWidth: 22,
                data: rows.map((c) => ({
                    value: c.members,
                    key: c.key,
                    itemStyle: { ...itemStyle(c.key, selected), borderRadius: [0, 4, 4, 0] },
                })),
                label: { show: true, position: "right", color: "#495057", formatter: (p) => formatInt(p.value) },
            },
        ],
    };
}

/** Legend beside the ring where the box is wide enough, else below it. */
function donutOption(counts, selected, width) {
    const total = counts.reduce((sum, c) => sum + c.members, 0);
    const names = new Map(counts.map((c) => [countLabel(c), c]));
    return {
        textStyle: { fontFamily: FONT },
        tooltip: { trigger: "item", formatter: (p) => tooltip(counts[p.dataIndex], total) },
        legend: {
            ...(width >= WIDE_DONUT
                ? { orient: "vertical", right: 0, top: "middle" }
                : { orient: "horizontal", bottom: 0 }),
            icon: "circle",
            itemWidth: 10,
            itemHeight: 10,
            itemGap: 12,
            textStyle: { color: "#495057" },
            formatter: (name) => `${name}  ${formatInt(names.get(name)?.members ?? 0)}`,
        },
        series: [
            {
                type: "pie",
                radius: width >= WIDE_DONUT ? ["45%", "72%"] : ["38%", "62%"],
                center: width >= WIDE_DONUT ? ["34%", "50%"] : ["50%", "42%"],
                label: { show: false },
                itemStyle: { borderColor: "#fff", borderWidth: 2 },
                data: counts.map((c) => ({
                    name: countLabel(c),
                    value: c.members,
                    key: c.key,
                    itemStyle: itemStyle(c.key, selected),
                })),
            },
        ],
    };
}

export class Charts {
    /**
      * @param {{ classes: HTMLElement, valueGroups: HTMLElement, grades: HTMLElement, lifecycle: HTMLElement }} elements
      * @param {(filter: "rfmClass" | "valueGroup" | "grade" | "lifecycle", key: string) => void} onSelect
      */
    constructor(elements, onSelect) {
        this.charts = {};
        const filters = { classes: "rfmClass", valueGroups: "valueGroup", grades: "grade", lifecycle: "lifecycle" };
        for (const [name, el] of Object.entries(elements)) {
            const chart = echarts.init(el, null, { renderer: "canvas" });
            chart.on("click", (p) => p.data?.key && onSelect(filters[name], p.data.key));
            let wide = null;
            new ResizeObserver(() => {
                chart.resize();
                const now = chart.getWidth() >= WIDE_DONUT;
                if (wide !== null && wide !== now && this.shown) this.render(...this.shown);
                wide = now;
            }).observe(el);
            this.charts[name] = chart;
        }
    }

    /** Empty the charts (no analysis to show). */
    clear() {
        this.shown = null;
        for (const chart of Object.values(this.charts)) clearChart(chart);
    }

    /** Draw the summary's counts; `filters` dims everything but the selected segments. */
    render(summary, filters) {
        this.shown = [summary, filters];
        const { classes, valueGroups, grades, lifecycle } = this.charts;
        draw(classes, barOption(summary.classes, filters.rfmClass));
        draw(lifecycle, barOption(summary.lifecycle, filters.lifecycle));
        draw(valueGroups, donutOption(summary.valueGroups, filters.valueGroup, valueGroups.getWidth()));
        draw(grades, donutOption(summary.grades, filters.grade, grades.getWidth()));
    }
}
