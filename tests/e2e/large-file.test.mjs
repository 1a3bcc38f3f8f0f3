// A 1M-row orders file streams through the worker while the page stays
// responsive: no main-thread task over 200 ms, and the page answers while the
// progress bar runs; the KPI cards then show what the Node package computes.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { assertLocalOnly, count, money, nodePackage, openDashboard, screenshot, useEnv, waitIdle } from "./helpers.mjs";

const ROWS = 1_000_000;
const LONG_TASK_MS = 200;

/** Collect main-thread long tasks from the first script on. */
function recordLongTasks() {
    window.__longTasks = [];
    new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) {
            window.__longTasks.push({ start: entry.startTime, duration: entry.duration });
        }
    }).observe({ type: "longtask", buffered: true });
}

const env = useEnv();
let dir;
before(() => {
    dir = mkdtempSync(join(tmpdir(), "member-analytics-e2e-"));
});
after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
});

const TITLE = `a ${ROWS.toLocaleString("en-US")}-row orders file loads without blocking the page`;

test(TITLE, { timeout: 300_000 }, async () => {
    const { Workspace } = nodePackage();
    const bytes = Workspace.demoFiles({ orders: ROWS }).orders;
    const path = join(dir, "orders-1m.csv");
    writeFileSync(path, bytes);

    const ws = new Workspace();
    const report = ws.load("orders", bytes, { fileName: "orders-1m.csv" });
    assert.equal(report.rowsRead, ROWS, "demoFiles({ orders }) gives that many rows");
    const expected = ws.analyze();
    ws.free();

    const page = await openDashboard(env, { initScript: recordLongTasks });
    const loadStart = await page.evaluate(() => performance.now());
    await page.setInputFiles("#file-input", path);

    // While the file streams: the page answers, and the progress bar moves.
    const answers = [];
    const progress = new Set();
    for (;;) {
        const asked = Date.now();
        const state = await page.evaluate(() => ({
            one: 1,
            loading: !document.querySelector("#progress").hidden,
            text: document.querySelector("#progress-text").textContent,
            done:
                document.querySelector("#status-text").textContent.includes("orders-1m.csv") &&
                !document.querySelector("#file-input").disabled,
        }));
        assert.equal(state.one, 1);
        if (state.loading) {
            answers.push(Date.now() - asked);
            progress.add(state.text);
        }
        if (state.done) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await waitIdle(page);

    assert.ok(answers.length >= 3, `the page answered ${answers.length} times during the load`);
    assert.ok(Math.max(...answers) < 1000, `slowest answer during the load: ${Math.max(...answers)} ms`);
    assert.ok(progress.size >= 2, `the progress text changed: ${[...progress].join(" | ")}`);
    const longTasks = await page.evaluate((from) => window.__longTasks.filter((t) => t.start >= from), loadStart);
    const tooLong = longTasks.filter((t) => t.duration > LONG_TASK_MS);
    assert.deepEqual(tooLong, [], `main-thread tasks over ${LONG_TASK_MS} ms during the load`);

    assert.equal(count(await page.textContent("#kpi-members")), expected.members);
    assert.equal(count(await page.textContent("#kpi-buyers")), expected.buyersInWindow);
    assert.equal(await page.textContent("#kpi-revenue"), money(expected.revenueFen));
    assert.match(await page.textContent("#reports"), /1,000,000/);
    await screenshot(page, "orders-1m-1280x900");
    assertLocalOnly(env.requests);
    await page.close();
});
