// The lifecycle card in headless Chromium, on the demo store: the stage bars
// carry the counts of the Node package's analyze().lifecycle, a bar click and
// the filter select narrow the member table (and the export) to a stage, the
// moves table shows lifecycleMoves with the cells a store owner acts on
// marked, and the P(alive) heatmap has its note on one-time buyers.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { assertLocalOnly, chartCanvases, clickBar, count, nodePackage, openDashboard, screenshot, useEnv, waitForTotal } from "./helpers.mjs";

const { Workspace } = nodePackage();

const env = useEnv();

test("demo store: stage bars, filtering by stage, the moves since the previous period, the heatmap note", async () => {
    const page = await openDashboard(env);
    const ws = new Workspace();
    ws.loadDemo();
    const summary = ws.analyze();
    const { lifecycle, lifecycleMoves: moves, lifecycleSince } = summary;

    // The chart: drawn, one bar per stage with Node's counts (first stage on top).
    const [canvas] = await chartCanvases(page, "#lifecycle .chart");
    assert.ok(canvas && canvas.width > 0 && canvas.height > 0, "the lifecycle chart has no canvas");
    const drawn = await page.evaluate(() => {
        const option = echarts.getInstanceByDom(document.getElementById("chart-lifecycle")).getOption();
        return { labels: option.yAxis[0].data, bars: option.series[0].data.map((d) => [d.key, d.value]) };
    });
    assert.deepEqual(drawn.bars.reverse(), lifecycle.map((c) => [c.key, c.members]));
    assert.deepEqual(drawn.labels.reverse(), lifecycle.map((c) => c.label));

    // A bar click filters the table to the stage; the rows say so.
    const dormant = lifecycle.find((c) => c.key === "dormant");
    const index = lifecycle.length - 1 - lifecycle.indexOf(dormant); // first stage on top
    await clickBar(page, {
        chartId: "chart-lifecycle",
        selectId: "filter-lifecycle",
        index,
        value: dormant.members,
        key: "dormant",
    });
    await waitForTotal(page, ws.members({ lifecycle: "dormant" }).total);
    // The lifecycle column, found by its header.
    const at = await page.$$eval("#member-table thead th", (th) => th.findIndex((x) => x.dataset.i18n === "colLifecycle"));
    const column = await page.$$eval("#member-rows tr[data-id]", (rows, k) => rows.map((r) => r.cells[k].textContent), at);
    assert.ok(column.length > 0 && column.every((text) => text === dormant.label), column.join(","));
    assert.ok(await page.isVisible("#clear-filters"));

    // The select: another stage, and the export carries the filter.
    await page.selectOption("#filter-lifecycle", "churned");
    const churned = ws.members({ lifecycle: "churned" }).total;
    await waitForTotal(page, churned);
    assert.equal(churned, lifecycle.find((c) => c.key === "churned").members);
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#export")]);
    const bytes = readFileSync(await download.path());
    const nodeExport = Buffer.from(ws.exportMembers({ lang: "zh", sort: "m_desc", lifecycle: "churned" }));
    assert.ok(bytes.equals(nodeExport), "the same bytes as Node's export of the churned stage");
    await page.click("#clear-filters");
    await waitForTotal(page, ws.members().total);

    // The moves: Node's counts cell by cell, the store owner's cells marked.
    assert.equal(await page.textContent("#moves-title"), `${lifecycleSince} 至今的阶段变化`);
    const cell = (from, to) => `#moves-table td[data-from="${from ?? ""}"][data-to="${to}"]`;
    const slipping = moves.find((m) => m.from === "active" && m.to === "dormant");
    assert.ok(slipping.members > 0, "the demo has active members gone dormant");
    assert.equal(count(await page.textContent(cell("active", "dormant"))), slipping.members);
    assert.match(await page.getAttribute(cell("active", "dormant"), "class"), /move-slipping/);
    assert.match(await page.getAttribute(cell("dormant", "churned"), "class"), /move-lost/);
    assert.match(await page.getAttribute(cell("churned", "active"), "class"), /move-wonBack/);
    for (const m of moves) assert.equal(count(await page.textContent(cell(m.from, m.to))), m.members);
    const wonBack = moves
        .filter((m) => (m.from === "dormant" || m.from === "churned") && m.to === "active")
        .reduce((n, m) => n + m.members, 0);
    assert.equal(count(await page.textContent('#moves-legend [data-kind="wonBack"]')), wonBack);

    // The heatmap's note on one-time buyers.
    await page.waitForSelector("#predictions:not([hidden])");
    assert.match(await page.textContent("#heatmap-note"), /复购天数为 0 的会员一律显示 100%/);

    await page.waitForTimeout(600); // chart animations settle
    await screenshot(page, "lifecycle-1280x900", "#lifecycle");

    // English: the stage labels come from the summary, the note is translated.
    await page.click("#lang-switch");
    assert.equal(await page.textContent("#lifecycle h2"), "Member lifecycle");
    assert.equal(await page.textContent("#moves-title"), `Stage changes since ${lifecycleSince}`);
    const english = await page.evaluate(
        () => echarts.getInstanceByDom(document.getElementById("chart-lifecycle")).getOption().yAxis[0].data,
    );
    assert.deepEqual(english.reverse(), lifecycle.map((c) => c.labelEn));
    assert.match(await page.textContent("#heatmap-note"), /0 repeat purchases always show 100%/);
    await page.evaluate(() => localStorage.clear());

    ws.free();
    assertLocalOnly(env.requests);
    assert.deepEqual(env.pageErrors, []);
    await page.close();
});
