// The predictions section in headless Chromium: on the demo store the KPI
// cards, the three charts and the at-risk recall list agree with the Node
// package's predict(); a 30-member store gets the fallback notice with the
// package's own explanation of what data is missing.
import assert from "node:assert/strict";
import { test } from "node:test";
import { assertLocalOnly, chartCanvases, money, nodePackage, openDashboard, screenshot, useEnv, waitForStatus } from "./helpers.mjs";

const { Workspace } = nodePackage();
const CHARTS = "#predictions .chart";

/** 0.01659 → "1.7%", written independently of the page's formatter. */
const percent = (p) => `${(p * 100).toFixed(1)}%`;
/** 67147 → "671.47" (the member tables show yuan without the sign). */
const yuan = (fen) => money(fen).replace("¥", "");
/** Expected orders as shown: whole purchase days. */
const orders = (n) => Math.round(n).toLocaleString("en-US");

/** 30 members, one to three orders each, spread over 2026; a store too small for the models. */
function smallStore() {
    const lines = ["会员ID,订单号,支付时间,实付金额"];
    let n = 0;
    for (let i = 1; i <= 30; i++) {
        for (let k = 0; k <= i % 3; k++) {
            n++;
            const month = 1 + ((i + k * 2) % 8);
            const day = 1 + ((i * 7 + k) % 27);
            lines.push(`S${String(i).padStart(3, "0")},O${n},2026-0${month}-${String(day).padStart(2, "0")} 10:00:00,${10 + i}.50`);
        }
    }
    return Buffer.from(`${lines.join("\n")}\n`);
}

/** Node's prediction and first at-risk row for a workspace filled by `fill`. */
function expected(fill) {
    const ws = new Workspace();
    fill(ws);
    ws.analyze();
    const prediction = ws.predict();
    const atRisk = ws.members({ atRisk: true, sort: "valueAtRisk_desc", limit: 1 });
    ws.free();
    return { prediction, atRisk };
}

async function waitForPredictions(page) {
    await page.waitForSelector("#predictions:not([hidden])");
    await page.waitForFunction(() => document.querySelector("#at-risk-rows tr") !== null);
}

async function assertKpis(page, p) {
    const text = (id) => page.textContent(`#${id}`);
    assert.equal(await text("kpi-next30"), orders(p.store.next30Days.orders));
    assert.ok((await text("kpi-next30-sub")).includes(money(p.store.next30Days.revenueFen)));
    assert.equal(await text("kpi-next90"), orders(p.store.next90Days.orders));
    assert.ok((await text("kpi-next90-sub")).includes(money(p.store.next90Days.revenueFen)));
    assert.equal(await text("kpi-at-risk"), p.atRiskMembers.toLocaleString("en-US"));
    assert.equal(await text("kpi-value-at-risk"), money(p.valueAtRiskFen));
    assert.equal(await text("kpi-clv"), money(p.totalClvFen));
}

/** Coloured pixels in a chart's canvas: more than none means something was drawn. */
function paintedPixels(page, id) {
    return page.$eval(`#${id} canvas`, (canvas) => {
        const { data } = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
        let painted = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted++;
        return painted;
    });
}

const env = useEnv();

test("demo store: forecast KPIs, heatmap, CLV histogram, model check and the recall list match predict()", async () => {
    const page = await openDashboard(env);
    await waitForPredictions(page);
    const { prediction: p, atRisk } = expected((ws) => ws.loadDemo());
    assert.equal(p.store.fallback, false);

    await assertKpis(page, p);
    assert.ok(await page.isHidden("#pred-fallback"), "no fallback notice on the demo store");
    assert.match(await page.textContent("#pred-model"), /BG\/NBD/);
    assert.match(await page.textContent("#predictions .explain"), /存活概率/);

    // The charts: drawn, with the summary's cells and bins.
    const canvases = await chartCanvases(page, CHARTS);
    assert.equal(canvases.length, 3);
    for (const canvas of canvases) assert.ok(canvas && canvas.width > 0 && canvas.height > 0, "a chart has no canvas");
    await page.waitForTimeout(600); // chart animations settle
    for (const id of ["chart-heatmap", "chart-clv", "chart-validation"]) {
        assert.ok((await paintedPixels(page, id)) > 1000, `${id} is blank`);
    }
    const drawn = await page.evaluate(() => {
        const option = (id) => echarts.getInstanceByDom(document.getElementById(id)).getOption();
        return {
            cells: option("chart-heatmap").series[0].data.length,
            recency: option("chart-heatmap").xAxis[0].data,
            bins: option("chart-clv").xAxis[0].data,
            members: option("chart-clv").series[0].data,
        };
    });
    assert.equal(drawn.cells, p.heatmap.length);
    assert.deepEqual(drawn.recency, ["0–30", "31–60", "61–90", "91–180", "181–365", "365+"]);
    assert.equal(drawn.bins[0], "¥0–20");
    assert.equal(drawn.bins.at(-1), "¥2000+");
    assert.deepEqual(drawn.members, p.clvHistogram.map((b) => b.members));
    assert.equal(await page.textContent("#validation-title"), `模型验证：最近 ${p.holdoutDays} 天`);
    const total = p.validation.find((r) => r.label === "total");
    assert.ok((await page.textContent("#validation-sub")).includes(total.actualTotal.toLocaleString("en-US")));

    // The recall list: top 20 by value at risk, the first row as Node has it.
    assert.equal(await page.$$eval("#at-risk-rows tr[data-id]", (r) => r.length), Math.min(20, atRisk.total));
    const first = await page.$eval("#at-risk-rows tr[data-id]", (tr) => [...tr.cells].map((td) => td.textContent));
    const m = atRisk.rows[0];
    assert.deepEqual(first, [
        m.id,
        m.name || "—",
        m.phone || "—",
        percent(m.probabilityAlive),
        m.lastPurchase,
        yuan(m.mFen),
        yuan(m.valueAtRiskFen),
        m.nextOrderDate ?? "—",
    ]);

    // A row opens the member with the forecast.
    await page.click(`#at-risk-rows tr[data-id="${m.id}"]`);
    await page.waitForSelector("#member-dialog[open]");
    assert.ok((await page.textContent("#member-dialog-body")).includes(percent(m.probabilityAlive)));
    await page.click("#member-dialog button");

    await screenshot(page, "predictions-1280x900", "#predictions");
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(600);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page is ${overflow}px wider than the screen`);
    await screenshot(page, "predictions-390x844", "#predictions");
    await page.setViewportSize({ width: 1280, height: 900 });

    await page.click("#lang-switch");
    assert.equal(await page.textContent("#predictions h2"), "Predictions & churn risk");
    assert.equal(await page.textContent("#validation-title"), `Model check: the last ${p.holdoutDays} days`);
    await page.evaluate(() => localStorage.clear());

    assertLocalOnly(env.requests);
    assert.deepEqual(env.pageErrors, []);
    await page.close();
});

test("a 30-member store: the forecast comes with the fallback notice saying what data is missing", async () => {
    const page = await openDashboard(env);
    const bytes = smallStore();
    const name = "small-store-orders.csv";
    const { prediction: p } = expected((ws) => ws.load("orders", bytes, { fileName: name }));
    assert.equal(p.store.customers, 30);
    assert.equal(p.store.fallback, true);
    assert.ok(p.store.purchasesFallback, "the purchases model fell back");

    await page.setInputFiles("#file-input", { name, mimeType: "text/csv", buffer: bytes });
    await waitForStatus(page, name);
    await waitForPredictions(page);
    await page.waitForSelector("#pred-fallback:not([hidden])");
    const notice = await page.textContent("#pred-fallback");
    assert.ok(notice.includes(p.store.purchasesFallback.message), notice);
    if (p.store.spendFallback) assert.ok(notice.includes(p.store.spendFallback.message), notice);
    assert.match(notice, /数据还不够多/);
    await assertKpis(page, p);

    await page.waitForTimeout(600);
    await screenshot(page, "predictions-small-store-1280x900", "#predictions");
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(600);
    await screenshot(page, "predictions-small-store-390x844", "#predictions");

    assertLocalOnly(env.requests);
    assert.deepEqual(env.pageErrors, []);
    await page.close();
});
