// The dashboard in headless Chromium: the demo on open, importing the GBK
// fixture through the file input and by drag and drop, the import report,
// filters and sorting, the export, errors, the language switch, and that no
// request leaves 127.0.0.1. Expected numbers come from the Node package fed
// the same bytes.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { assertLocalOnly, chartCanvases, clickBar, count, DATA, money, nodePackage, openDashboard, parseCsv, screenshot, shownRejections, useEnv, waitForStatus, waitForTotal, waitIdle, yuanToFen } from "./helpers.mjs";

const { Workspace } = nodePackage();
const GBK_NAME = "orders_gbk_crlf.csv";
const GBK = readFileSync(`${DATA}${GBK_NAME}`);
const MEMBERS_NAME = "members_utf8.csv";
const MEMBERS = readFileSync(`${DATA}${MEMBERS_NAME}`);

/** What the Node package says for the demo store. */
function demoExpected() {
    const ws = new Workspace();
    ws.loadDemo();
    const summary = ws.analyze();
    const page = ws.members({ limit: 20 });
    ws.free();
    return { summary, page };
}

/** What the Node package says for these files, loaded into a fresh workspace. */
function filesExpected(files) {
    const ws = new Workspace();
    const reports = files.map(([kind, bytes, fileName]) => ws.load(kind, bytes, { fileName }));
    const summary = ws.analyze();
    const total = ws.members().total;
    return { ws, reports, summary, total };
}

const env = useEnv();

async function importThroughInput(page, name, buffer) {
    await page.setInputFiles("#file-input", { name, mimeType: "text/csv", buffer });
    await waitForStatus(page, name);
}

test("opens on the demo store, imports the GBK orders file, exports what it shows", async () => {
    const page = await openDashboard(env);
    const demo = demoExpected();

    // KPI cards and charts of the demo store.
    assert.equal(count(await page.textContent("#kpi-members")), demo.summary.members);
    assert.equal(count(await page.textContent("#kpi-buyers")), demo.summary.buyersInWindow);
    assert.equal(await page.textContent("#kpi-revenue"), money(demo.summary.revenueFen));
    assert.equal(await page.textContent("#kpi-aov"), money(demo.summary.averageOrderValueFen));
    assert.match(await page.textContent("#context"), new RegExp(demo.summary.asOf));
    assert.equal(count(await page.textContent("#members-total")), demo.page.total);
    const canvases = await chartCanvases(page);
    assert.equal(canvases.length, 3);
    for (const canvas of canvases) assert.ok(canvas && canvas.width > 0 && canvas.height > 0, "a chart has no canvas");
    const firstIds = await page.$$eval("#member-rows tr[data-id]", (rows) => rows.map((r) => r.dataset.id));
    assert.deepEqual(firstIds, demo.page.rows.map((r) => r.id));
    await page.waitForTimeout(600); // chart animations settle before the pictures
    await screenshot(page, "demo-1280x900");

    // The store's own GBK file through the file input.
    const expected = filesExpected([["orders", GBK, GBK_NAME]]);
    await importThroughInput(page, GBK_NAME, GBK);
    const [report] = expected.reports;
    assert.deepEqual(
        await shownRejections(page, "orders"),
        report.rejected.map((r) => ({ row: r.row, column: r.column, value: r.value, reason: r.reasonZh })),
    );
    assert.ok(report.rejected.length > 0, "the fixture has broken rows");
    const facts = await page.$$eval('#reports article[data-dataset="orders"] .facts div', (divs) =>
        Object.fromEntries(divs.map((d) => [d.querySelector("dt").textContent, d.querySelector("dd").textContent])),
    );
    assert.equal(facts["编码"], report.encoding);
    assert.equal(Number(facts["读取行数"]), report.rowsRead);
    assert.equal(Number(facts["使用行数"]), report.rowsUsed);
    assert.equal(Number(facts["拒绝行数"]), report.rejected.length);
    const mapping = await page.$$eval('#reports article[data-dataset="orders"] table.mapping tbody tr', (rows) =>
        rows.map((r) => r.cells[1].textContent),
    );
    assert.deepEqual(mapping, Object.values(report.mapping));
    const ignored = await page.$$eval('#reports article[data-dataset="orders"] .chip', (chips) =>
        chips.map((chip) => chip.textContent),
    );
    assert.deepEqual(ignored, report.ignoredColumns);
    // Only the file's data: the demo store is gone.
    assert.equal(count(await page.textContent("#kpi-members")), expected.summary.members);
    assert.equal(await page.textContent("#kpi-revenue"), money(expected.summary.revenueFen));
    assert.equal(count(await page.textContent("#members-total")), expected.total);
    assert.equal(await page.$$eval("#member-rows tr[data-id]", (r) => r.length), expected.total);

    await page.waitForTimeout(600);
    await screenshot(page, "gbk-import-1280x900");
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(600);
    await screenshot(page, "gbk-import-390x844");
    await page.setViewportSize({ width: 1280, height: 900 });

    // Export: UTF-8 with BOM, and the M column adds up to the revenue shown.
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#export")]);
    assert.equal(download.suggestedFilename(), `members-${expected.summary.asOf}.csv`);
    const bytes = readFileSync(await download.path());
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], "UTF-8 BOM");
    const rows = parseCsv(bytes.subarray(3).toString("utf8")).filter((r) => r.length > 1);
    const header = rows[0];
    const m = header.findIndex((h) => h === "M" || h.includes("M("));
    assert.ok(m >= 0, `no M column in ${header}`);
    assert.equal(rows.length - 1, expected.total);
    const sum = rows.slice(1).reduce((fen, r) => fen + (r[m] === "" ? 0 : yuanToFen(r[m])), 0);
    assert.equal(sum, expected.summary.revenueFen);
    const nodeExport = Buffer.from(expected.ws.exportMembers({ lang: "zh", sort: "m_desc" }));
    assert.ok(bytes.equals(nodeExport), "the same bytes as Node's export");

    expected.ws.free();
    assertLocalOnly(env.requests);
    assert.deepEqual(env.pageErrors, []);
    await page.close();
});

test("drag and drop imports orders and members together, guessing each file's kind", async () => {
    const page = await openDashboard(env);
    await page.evaluate(
        ([orders, members]) => {
            const transfer = new DataTransfer();
            transfer.items.add(new File([new Uint8Array(orders.data)], orders.name, { type: "text/csv" }));
            transfer.items.add(new File([new Uint8Array(members.data)], members.name, { type: "text/csv" }));
            const zone = document.getElementById("drop-zone");
            const init = { dataTransfer: transfer, bubbles: true, cancelable: true };
            zone.dispatchEvent(new DragEvent("dragenter", init));
            zone.dispatchEvent(new DragEvent("dragover", init));
            zone.dispatchEvent(new DragEvent("drop", init));
        },
        [
            { name: GBK_NAME, data: [...GBK] },
            { name: MEMBERS_NAME, data: [...MEMBERS] },
        ],
    );
    await waitForStatus(page, MEMBERS_NAME);
    const expected = filesExpected([
        ["orders", GBK, GBK_NAME],
        ["members", MEMBERS, MEMBERS_NAME],
    ]);
    const datasets = await page.$$eval("#reports article", (a) => a.map((x) => x.dataset.dataset));
    assert.deepEqual(datasets, ["orders", "members"]);
    assert.deepEqual(
        await shownRejections(page, "members"),
        expected.reports[1].rejected.map((r) => ({ row: r.row, column: r.column, value: r.value, reason: r.reasonZh })),
    );
    assert.equal(count(await page.textContent("#kpi-members")), expected.summary.members);
    assert.equal(count(await page.textContent("#members-total")), expected.total);
    expected.ws.free();
    assertLocalOnly(env.requests);
    await page.close();
});

test("filters from a chart click and a select, sorts by a header, opens a member", async () => {
    const page = await openDashboard(env);
    const ws = new Workspace();
    ws.loadDemo();
    const summary = ws.analyze();

    // Click the bar of the first RFM class that has members (again while the bars still grow).
    const cls = summary.classes.find((c) => c.members > 0);
    const index = summary.classes.length - 1 - summary.classes.indexOf(cls);
    await clickBar(page, { chartId: "chart-classes", selectId: "filter-class", index, value: cls.members, key: cls.key });
    const byClass = ws.members({ rfmClass: cls.key });
    await waitForTotal(page, byClass.total);
    assert.ok(await page.isVisible("#clear-filters"));

    // A value group from the select, on top of the class.
    const group = summary.valueGroups.find((g) => g.members > 0);
    await page.selectOption("#filter-group", group.key);
    const both = ws.members({ rfmClass: cls.key, valueGroup: group.key });
    await waitForTotal(page, both.total);
    await page.click("#clear-filters");
    await waitForTotal(page, ws.members().total);

    // Sort by R (most recent first), then the other way.
    await page.click('th button[data-sort="r"]');
    await page.waitForSelector('th[aria-sort="ascending"] button[data-sort="r"]');
    await page.waitForFunction(
        (id) => document.querySelector("#member-rows tr[data-id]")?.dataset.id === id,
        ws.members({ sort: "r_asc", limit: 1 }).rows[0].id,
    );
    await page.click('th button[data-sort="r"]');
    await page.waitForFunction(
        (id) => document.querySelector("#member-rows tr[data-id]")?.dataset.id === id,
        ws.members({ sort: "r_desc", limit: 1 }).rows[0].id,
    );

    // Search and page size.
    const search = ws.members({ limit: 1 }).rows[0].name;
    await page.fill("#member-search", search);
    await waitForTotal(page, ws.members({ search }).total);
    await page.fill("#member-search", "");
    await page.selectOption("#page-size", "50");
    await page.waitForFunction(
        (n) => document.querySelectorAll("#member-rows tr[data-id]").length === n,
        Math.min(50, ws.members().total),
    );

    // A row opens the member's details.
    const id = await page.$eval("#member-rows tr[data-id]", (r) => r.dataset.id);
    await page.click(`#member-rows tr[data-id="${id}"]`);
    await page.waitForSelector("#member-dialog[open]");
    assert.match(await page.textContent("#member-dialog-title"), new RegExp(id));
    await page.click("#member-dialog button");
    ws.free();
    assertLocalOnly(env.requests);
    await page.close();
});

test("a file without a member column shows the error in a banner and keeps the analysis", async () => {
    const page = await openDashboard(env);
    const membersShown = await page.textContent("#kpi-members");
    const bad = Buffer.from("日期,金额\n2026-10-01,12.00\n");
    let message;
    try {
        new Workspace().load("orders", bad, { fileName: "bad-orders.csv" });
    } catch (e) {
        message = e.message;
        assert.equal(e.code, "MISSING_COLUMN");
    }
    await page.setInputFiles("#file-input", { name: "bad-orders.csv", mimeType: "text/csv", buffer: bad });
    await page.waitForSelector("#error-banner:not([hidden])");
    assert.equal(await page.getAttribute("#error-banner", "data-code"), "MISSING_COLUMN");
    assert.equal(await page.textContent("#error-title"), "缺少必需的列");
    assert.equal(await page.textContent("#error-message"), message);
    await waitIdle(page);
    assert.equal(await page.textContent("#kpi-members"), membersShown);

    await page.click("#lang-switch");
    assert.equal(await page.textContent("#error-title"), "A required column is missing");
    await page.click("#error-dismiss");
    assert.ok(await page.isHidden("#error-banner"));
    await page.evaluate(() => localStorage.clear());
    await page.close();
});

test("switches to English, keeps the choice, and labels from the summary", async () => {
    const page = await openDashboard(env);
    const { summary } = demoExpected();
    assert.equal(await page.textContent("h1"), "会员分析");
    assert.equal(await page.getAttribute("html", "lang"), "zh-CN");
    await page.click("#lang-switch");
    assert.equal(await page.textContent("h1"), "Member analytics");
    assert.equal(await page.getAttribute("html", "lang"), "en");
    assert.equal(await page.textContent('button[data-sort="lastPurchase"]'), "Last purchase");
    const options = await page.$$eval("#filter-class option", (o) => o.map((x) => x.textContent));
    assert.ok(options[1].startsWith(summary.classes[0].labelEn), options[1]);
    assert.match(await page.textContent("#kpi-top20"), /Top 20% of buyers bring/);
    await page.waitForTimeout(600);
    await screenshot(page, "demo-english-1280x900");

    await page.reload();
    await waitIdle(page);
    assert.equal(await page.textContent("h1"), "Member analytics");
    await page.click("#lang-switch");
    assert.equal(await page.textContent("h1"), "会员分析");
    await page.close();
});

test("phone width: one column, nothing wider than the screen", async () => {
    const page = await env.context.newPage();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(env.server.url);
    await waitIdle(page);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page is ${overflow}px wider than the screen`);
    const canvases = await chartCanvases(page);
    for (const canvas of canvases) assert.ok(canvas && canvas.width > 0 && canvas.height > 0);
    await page.waitForTimeout(600);
    await screenshot(page, "demo-390x844");
    assertLocalOnly(env.requests);
    await page.close();
});
