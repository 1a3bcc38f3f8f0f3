// The rules editor names the field at fault as the user types, applies valid
// rules (the analysis then equals the Node package's under the same rules) and
// keeps them in this browser across a reload; the draw page re-draws the same
// winners from a published seed; a long import can be cancelled.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { assertLocalOnly, count, money, newContext, nodePackage, openDashboard, screenshot, useEnv, waitIdle } from "./helpers.mjs";

const { Workspace } = nodePackage();
const env = useEnv();

/** The demo store's summary under `rules` (null: the defaults), as the Node package computes it. */
function demoSummary(rules) {
    const ws = new Workspace();
    if (rules) ws.setRules(rules);
    ws.loadDemo();
    const summary = ws.analyze();
    ws.free();
    return summary;
}

async function statusOf(page) {
    await page.waitForFunction(() => !document.querySelector("#rules-status").textContent.startsWith("正在检查"));
    return page.textContent("#rules-status");
}

test("the rules editor names the field at fault, applies valid rules and keeps them after a reload", async () => {
    const context = await newContext(env);
    try {
        const page = await openDashboard(env, { context });
        await page.waitForFunction(() => document.querySelector("#rules-text").value.includes('"rfm"'));
        assert.match(await statusOf(page), /默认规则/);
        const defaults = JSON.parse(await page.inputValue("#rules-text"));
        assert.deepEqual(defaults, Workspace.defaultRules());

        // A bad value: the field is named and nothing can be applied.
        const bad = structuredClone(defaults);
        bad.rfm.thresholds.f = [4, 2, 8, 16];
        await page.fill("#rules-text", JSON.stringify(bad, null, 2));
        assert.match(await statusOf(page), /字段 rfm\.thresholds\.f\[1\]/);
        assert.ok(await page.isDisabled("#rules-apply"));
        assert.ok(await page.$eval("#rules-text", (t) => t.classList.contains("invalid")));
        await screenshot(page, "rules-invalid-1280x900", "#rules");

        // Broken JSON is reported as such.
        await page.fill("#rules-text", '{"rfm": ');
        assert.match(await statusOf(page), /不是有效的 JSON/);

        // A valid change: churn after 60 days instead of 90.
        const mine = structuredClone(defaults);
        mine.valueGroups.churnDays = 60;
        await page.fill("#rules-text", JSON.stringify(mine, null, 2));
        assert.match(await statusOf(page), /规则有效/);
        await page.click("#rules-apply");
        await page.waitForFunction(() => document.querySelector("#rules-status").textContent.includes("自定义规则"));
        await waitIdle(page);
        const expected = demoSummary(mine);
        assert.notDeepEqual(expected.valueGroups, demoSummary(null).valueGroups, "the change matters on the demo store");
        const groupsShown = () =>
            page.evaluate(() =>
                echarts
                    .getInstanceByDom(document.querySelector("#chart-groups"))
                    .getOption()
                    .series[0].data.map((d) => d.value),
            );
        const expectedGroups = expected.valueGroups.map((g) => g.members).filter((n) => n > 0);
        await page.waitForFunction(
            (n) =>
                echarts
                    .getInstanceByDom(document.querySelector("#chart-groups"))
                    .getOption()
                    .series[0].data.some((d) => d.value === n),
            expected.valueGroups.find((g) => g.key === "churned").members,
        );
        assert.deepEqual((await groupsShown()).sort(), expectedGroups.sort());

        // Tomorrow: the same rules, from this browser.
        await page.reload();
        await waitIdle(page);
        await page.waitForFunction(() => document.querySelector("#rules-status").textContent.includes("自定义规则"));
        assert.equal(JSON.parse(await page.inputValue("#rules-text")).valueGroups.churnDays, 60);
        assert.equal(count(await page.textContent("#kpi-members")), expected.members);
        await screenshot(page, "rules-custom-1280x900", "#rules");

        // Back to the defaults, and custom again.
        await page.click("#rules-reset");
        await page.waitForFunction(() => document.querySelector("#rules-status").textContent.includes("默认规则"));
        await waitIdle(page);
        assert.deepEqual(JSON.parse(await page.inputValue("#rules-text")), defaults);
        await page.fill("#rules-text", JSON.stringify(mine, null, 2));
        assert.match(await statusOf(page), /规则有效/);
        await page.click("#rules-apply");
        await page.waitForFunction(() => document.querySelector("#rules-status").textContent.includes("自定义规则"));
        await waitIdle(page);

        // "Clear local data" forgets the rules too, now and after a reload.
        page.once("dialog", (d) => d.accept());
        await page.click("#clear-local");
        await page.waitForFunction(() => document.querySelector("#rules-status").textContent.includes("默认规则"));
        await waitIdle(page);
        assert.deepEqual(JSON.parse(await page.inputValue("#rules-text")), defaults);
        await page.reload();
        await waitIdle(page);
        await page.waitForFunction(() => document.querySelector("#rules-status").textContent.includes("默认规则"));
        assert.equal(count(await page.textContent("#kpi-members")), demoSummary(null).members);
        await page.close();
    } finally {
        await context.close();
    }
    assertLocalOnly(env.requests);
    assert.deepEqual(env.pageErrors, []);
});

test("a lottery over the table's members re-draws the same winners from its seed; red packets add up", async () => {
    const page = await openDashboard(env);
    await page.selectOption("#draw-kind", "lottery");
    await page.fill("#draw-winners", "5");
    await page.click("#draw-run");
    await page.waitForSelector("#draw-seed-out");
    const seed = await page.textContent("#draw-seed-out");
    assert.match(seed, /^[0-9a-f]{64}$/);
    const winners = await page.$$eval("#draw-result ol li", (li) => li.map((x) => x.textContent));
    assert.equal(winners.length, 5);
    const total = count(await page.textContent("#members-total"));
    assert.match(await page.textContent("#draw-result"), new RegExp(`从 ${total.toLocaleString("en-US")} 位参与者`));

    // The page draws what the package draws from the same seed and entrants.
    await page.fill("#draw-seed", seed);
    await page.click("#draw-run");
    await page.waitForFunction(() => document.querySelector("#draw-result").textContent.includes("使用了填入的种子"));
    assert.deepEqual(await page.$$eval("#draw-result ol li", (li) => li.map((x) => x.textContent)), winners);

    await page.selectOption("#draw-kind", "redPackets");
    await page.fill("#draw-total", "¥88.88");
    await page.fill("#draw-count", "8");
    await page.fill("#draw-seed", "");
    await page.click("#draw-run");
    await page.waitForFunction(() => document.querySelector("#draw-result").textContent.includes("个红包"));
    const packets = await page.$$eval("#draw-result ol li", (li) => li.map((x) => x.textContent));
    assert.equal(packets.length, 8);
    const fen = packets.map((p) => Math.round(Number(p.replace(/[¥,]/g, "")) * 100));
    assert.equal(fen.reduce((a, b) => a + b, 0), 8888);
    assert.match(await page.textContent("#draw-result"), new RegExp(`合计 ${money(8888).replace("¥", "¥")}`));

    await page.fill("#draw-total", "lots");
    await page.click("#draw-run");
    await page.waitForFunction(() => document.querySelector("#draw-result").textContent.includes("红包总额须为金额"));
    await screenshot(page, "draws-1280x900", "#draws");
    await page.close();
});

test("cancelling an import stops it and keeps the data already shown", async () => {
    const dir = mkdtempSync(join(tmpdir(), "member-analytics-e2e-"));
    try {
        const path = join(dir, "orders-cancel.csv");
        writeFileSync(path, Workspace.demoFiles({ orders: 600_000 }).orders);
        const demo = demoSummary(null);
        const page = await openDashboard(env);
        await page.setInputFiles("#file-input", path);
        await page.waitForFunction(() => /% · [1-9][\d,]* 行/.test(document.querySelector("#progress-text").textContent));
        const progress = await page.textContent("#progress-text");
        assert.match(progress, /剩余约 .+ · 内存峰值 [\d,]+ MB/);
        await page.click("#cancel-load");
        await page.waitForFunction(() => document.querySelector("#status-text").textContent.includes("已取消导入"));
        await waitIdle(page);
        assert.equal(count(await page.textContent("#kpi-members")), demo.members);
        assert.equal(await page.textContent("#kpi-revenue"), money(demo.revenueFen));
        assert.ok(await page.isHidden("#progress"));
        assert.ok(await page.isHidden("#error-banner"));
        await page.close();
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
});
