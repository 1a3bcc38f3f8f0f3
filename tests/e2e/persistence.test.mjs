// The imported files are kept in this browser (IndexedDB): after a reload the
// page restores them instead of the demo store, and "clear local data" forgets
// them and shows the demo again. Each test uses its own browser context, so
// nothing it keeps reaches the other tests.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { assertLocalOnly, count, DATA, money, newContext, nodePackage, openDashboard, useEnv, waitForStatus, waitIdle } from "./helpers.mjs";

const { Workspace } = nodePackage();
const GBK_NAME = "orders_gbk_crlf.csv";
const GBK = readFileSync(`${DATA}${GBK_NAME}`);
const RESTORED = "已恢复上次导入的数据（保存在本机浏览器）";

function summaryOf(load) {
    const ws = new Workspace();
    load(ws);
    const summary = ws.analyze();
    const total = ws.members().total;
    ws.free();
    return { summary, total };
}

async function kpis(page) {
    return {
        members: count(await page.textContent("#kpi-members")),
        buyers: count(await page.textContent("#kpi-buyers")),
        revenue: await page.textContent("#kpi-revenue"),
        total: count(await page.textContent("#members-total")),
    };
}

function expectedKpis({ summary, total }) {
    return { members: summary.members, buyers: summary.buyersInWindow, revenue: money(summary.revenueFen), total };
}

const env = useEnv();

test("an imported file is restored after a reload; clearing local data brings the demo back", async () => {
    const context = await newContext(env);
    try {
        const demo = expectedKpis(summaryOf((ws) => ws.loadDemo()));
        const files = expectedKpis(summaryOf((ws) => ws.load("orders", GBK, { fileName: GBK_NAME })));
        assert.notDeepEqual(files, demo);

        const page = await openDashboard(env, { context });
        assert.deepEqual(await kpis(page), demo);
        assert.ok(!(await page.textContent("#status-text")).includes(RESTORED));

        await page.setInputFiles("#file-input", { name: GBK_NAME, mimeType: "text/csv", buffer: GBK });
        await waitForStatus(page, GBK_NAME);
        assert.deepEqual(await kpis(page), files);
        const reportShown = await page.textContent('#reports article[data-dataset="orders"]');

        // Tomorrow: the same analysis, from this browser's copy of the file.
        await page.reload();
        await waitForStatus(page, GBK_NAME);
        assert.deepEqual(await kpis(page), files);
        assert.ok((await page.textContent("#status-text")).includes(RESTORED));
        assert.match(await page.textContent("#context"), new RegExp(GBK_NAME));
        assert.equal(await page.textContent('#reports article[data-dataset="orders"]'), reportShown);
        await page.click("#lang-switch");
        assert.ok((await page.textContent("#status-text")).includes("Restored your last import (kept in this browser)"));
        assert.equal(await page.textContent("#clear-local"), "Clear local data");
        await page.click("#lang-switch");
        assert.equal(await page.textContent("#clear-local"), "清除本机数据");

        // Declining the question keeps everything.
        page.once("dialog", (d) => d.dismiss());
        await page.click("#clear-local");
        await waitIdle(page);
        assert.deepEqual(await kpis(page), files);

        // Clear: the demo at once, and again after a reload.
        let asked = null;
        page.once("dialog", (d) => {
            asked = d.message();
            d.accept();
        });
        await page.click("#clear-local");
        await page.waitForFunction(
            (n) => document.querySelector("#kpi-members").textContent.replace(/\D/g, "") === String(n),
            demo.members,
        );
        await waitIdle(page);
        assert.match(asked, /清除/);
        assert.deepEqual(await kpis(page), demo);
        const databases = await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name));
        assert.ok(!databases.includes("member-analytics"), "the database is deleted");
        await page.reload();
        await waitIdle(page);
        assert.deepEqual(await kpis(page), demo);
        assert.ok(!(await page.textContent("#status-text")).includes(RESTORED));
        await page.close();
    } finally {
        await context.close();
    }
    assertLocalOnly(env.requests);
    assert.deepEqual(env.pageErrors, []);
});

test("a new context starts on the demo store (nothing leaks between contexts)", async () => {
    const context = await newContext(env);
    try {
        const page = await openDashboard(env, { context });
        assert.deepEqual(await kpis(page), expectedKpis(summaryOf((ws) => ws.loadDemo())));
        assert.ok(!(await page.textContent("#status-text")).includes(RESTORED));
        await page.close();
    } finally {
        await context.close();
    }
});
