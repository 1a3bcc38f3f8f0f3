// The store insights card in headless Chromium, on the demo store: the golden
// hours heatmap draws the Node package's insights() grid with the best slot in
// its title, the key-path funnel draws Node's stages with the breakpoint named
// and highlighted, the retention table has Node's weekly cohorts, the community shows
// Node's groups, VIP count and review, "查看 VIP 会员" narrows the member table to
// the VIPs behind a chip, and the member dialog shows level, best slot, home
// store and each behaviour tag with its evidence in plain words and its levers.
import assert from "node:assert/strict";
import { test } from "node:test";
import { assertLocalOnly, chartCanvases, count, nodePackage, openDashboard, screenshot, useEnv, waitForTotal } from "./helpers.mjs";

const { Workspace } = nodePackage();

const env = useEnv();

/** The member dialog's facts: label → value. */
const dialogFacts = (page) =>
    page.$$eval("#member-dialog-body > div", (divs) =>
        Object.fromEntries(divs.map((d) => [d.querySelector("dt").textContent, d.querySelector("dd").textContent])),
    );

test("demo store: golden hours, new-member retention, community and VIPs, tags with their evidence in the member dialog", async () => {
    const page = await openDashboard(env);
    const ws = new Workspace();
    ws.loadDemo();
    ws.analyze();
    const insights = ws.insights();
    const { goldenHours, retention, repurchase } = insights;
    await page.waitForSelector("#insights:not([hidden])");

    // Golden hours: drawn, Node's grid cell by cell, the best slot in the title.
    const [canvas] = await chartCanvases(page, "#insights .chart");
    assert.ok(canvas && canvas.width > 0 && canvas.height > 0, "the golden-hours chart has no canvas");
    const drawn = await page.evaluate(() => {
        const option = echarts.getInstanceByDom(document.getElementById("chart-golden")).getOption();
        return { slots: option.xAxis[0].data, days: option.yAxis[0].data, cells: option.series[0].data };
    });
    assert.deepEqual(drawn.slots, goldenHours.slots.map((s) => s.label));
    assert.deepEqual(drawn.days, ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]);
    assert.deepEqual(drawn.cells, goldenHours.purchases.flatMap((row, day) => row.map((n, slot) => [slot, day, n])));
    const best = goldenHours.slots.find((s) => s.key === goldenHours.bestSlot);
    assert.ok(best, "the demo has a best slot");
    assert.equal(await page.textContent("#golden-best"), `最佳触达时段：${best.label}`);

    // Key-path funnel: drawn, Node's stages, the breakpoint highlighted and named with its rate.
    const [funnelCanvas] = await chartCanvases(page, "#chart-funnel");
    assert.ok(funnelCanvas && funnelCanvas.width > 0 && funnelCanvas.height > 0, "the funnel chart has no canvas");
    const funnelDrawn = await page.evaluate(() => {
        const option = echarts.getInstanceByDom(document.getElementById("chart-funnel")).getOption();
        return { stages: option.yAxis[0].data, bars: option.series[0].data.map((d) => [d.value, d.itemStyle.color]) };
    });
    const breakpoint = insights.funnel.find((s) => s.key === insights.breakpoint);
    assert.ok(breakpoint, "the demo has a breakpoint");
    assert.deepEqual(funnelDrawn.stages, insights.funnel.map((s) => s.label));
    assert.deepEqual(funnelDrawn.bars.map(([n]) => n), insights.funnel.map((s) => s.members));
    const colors = funnelDrawn.bars.map(([, c]) => c);
    const hot = colors[insights.funnel.indexOf(breakpoint)];
    assert.equal(colors.filter((c) => c === hot).length, 1, "only the breakpoint has its colour");
    const breakpointRate = `${(breakpoint.rate * 100).toFixed(1)}%`;
    assert.equal(
        await page.textContent("#funnel-breakpoint"),
        `断点：${breakpoint.label}，转化率 ${breakpointRate} —— 优先改进这一步`,
    );

    // Categories: value members first, by spend, Node's rows with all members' share beside;
    // by buyers re-orders; another group is one choice away.
    const yuanText = (fen) => (fen / 100).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    const pct = (x) => `${(x * 100).toFixed(1)}%`;
    const [allCats, valueCats] = insights.categories;
    assert.equal(valueCats.key, "value");
    assert.equal(await page.inputValue("#category-group"), "value");
    const categoryRows = () =>
        page.$$eval("#category-rows tr", (trs) => trs.map((tr) => [...tr.cells].map((td) => td.textContent)));
    const allShare = (c) => allCats.bySpend.find((r) => r.category === c.category).spendShare;
    assert.deepEqual(
        await categoryRows(),
        valueCats.bySpend.map((c) => [c.category, yuanText(c.spendFen), pct(c.spendShare), `${c.buyers} (${pct(c.buyerShare)})`, pct(allShare(c))]),
    );
    assert.ok(valueCats.bySpend.some((c) => c.spendShare > allShare(c)) && (await page.$$("#category-rows .bar.more")).length > 0,
        "categories value members favour stand out");
    await page.click('#category-by [data-by="buyers"]');
    assert.deepEqual((await categoryRows()).map((r) => r[0]), valueCats.byBuyers.map((c) => c.category));
    await page.selectOption("#category-group", "all");
    assert.deepEqual((await categoryRows()).map((r) => [r[0], r[4]]), allCats.byBuyers.map((c) => [c.category, "—"]));
    await page.selectOption("#category-group", "value");
    await page.click('#category-by [data-by="spend"]');

    // Retention: Node's cohorts, the open ones marked, and the repurchase rate.
    const rows = await page.$$eval("#retention-rows tr", (trs) =>
        trs.map((tr) => ({ week: tr.dataset.week, cells: [...tr.cells].map((td) => td.textContent) })),
    );
    assert.deepEqual(
        rows.map((r) => [r.week, Number(r.cells[1]), Number(r.cells[2])]),
        retention.map((c) => [c.week, c.members, c.retained]),
    );
    retention.forEach((c, i) => {
        const rate = `${(c.rate * 100).toFixed(1)}%`;
        assert.equal(rows[i].cells[3], c.complete ? rate : `进行中${rate}`, c.week);
    });
    assert.ok(retention.some((c) => !c.complete), "the demo has an open cohort");
    assert.match(await page.textContent("#repurchase"), new RegExp(`^复购率 ${(repurchase.rate * 100).toFixed(1)}%`));

    // Community: the VIP count and review, the groups per store.
    assert.equal(count(await page.textContent("#vip-count")), insights.vipMembers);
    for (const kind of ["stays", "joins", "leaves"]) {
        assert.equal(count(await page.textContent(`#vip-review [data-kind="${kind}"]`)), insights.vipReview[kind]);
    }
    const groups = await page.$$eval("#group-rows tr", (trs) => trs.map((tr) => [tr.dataset.store, tr.dataset.group, tr.cells[2].textContent]));
    const expected = [
        ...insights.baseGroups.map((g) => [g.store, `base-${g.number}`, String(g.members)]),
        ...insights.vipGroups.map((g) => [g.store, `vip-${g.number}`, String(g.members)]),
    ];
    assert.deepEqual([...groups].sort(), [...expected].sort());
    await page.waitForTimeout(600); // chart animations settle
    await screenshot(page, "insights-1280x900", "#insights");

    // "查看 VIP 会员": the table narrows to Node's VIPs behind a chip that clears it.
    const vips = ws.members({ vip: true, limit: 0 }).total;
    assert.equal(vips, insights.vipMembers);
    await page.click("#show-vips");
    await waitForTotal(page, vips);
    assert.ok(await page.isVisible("#vip-filter"));
    await page.click("#vip-filter-clear");
    await waitForTotal(page, ws.members({ limit: 0 }).total);
    assert.ok(!(await page.isVisible("#vip-filter")));

    // The dialog of a member with a tag: level, best slot, home store, the tag with its evidence and levers.
    const [member] = ws.members({ crowd: 'tag = "stockpiler"', limit: 1 }).rows;
    const tag = member.tags.find((x) => x.tag === "stockpiler");
    await page.fill("#member-search", member.id);
    await waitForTotal(page, ws.members({ search: member.id, limit: 0 }).total);
    await page.click(`#member-rows tr[data-id="${member.id}"]`);
    await page.waitForSelector("#member-dialog[open]");
    const facts = await dialogFacts(page);
    const level = ws.rules().levels.levels.find((l) => l.key === member.level);
    assert.equal(facts["会员等级"], level.name);
    assert.equal(facts["成长值"], `${member.growth.toLocaleString("en-US")} · 距下一级 ${member.toNextLevel.toLocaleString("en-US")}`);
    const slot = goldenHours.slots.find((s) => s.key === member.bestSlot);
    assert.equal(facts["最佳触达时段"], `${slot.label}${member.bestSlotIsStore ? " (门店)" : ""}`);
    assert.equal(facts["常去门店 · 社群"], `${member.homeStore} · ${member.baseGroup} 群`);
    assert.equal(facts.VIP, member.vip ? "是" : "否");
    assert.equal(facts["偏好渠道"], `${member.preferredChannel}${member.preferredChannelIsStore ? " (门店)" : ""}`);
    const shown = `#member-dialog-tags [data-tag="stockpiler"]`;
    assert.equal(await page.textContent(`${shown} .tag-chip`), tag.label);
    const ratio = tag.evidence.find((e) => e.metric === "aovToStoreMedian");
    const purchases = tag.evidence.find((e) => e.metric === "purchases");
    assert.deepEqual(await page.$$eval(`${shown} .evidence li`, (li) => li.map((x) => x.textContent)), [
        `窗口内购买 ${purchases.value} 次 (≤ ${purchases.threshold})`,
        `平均客单价是门店中位数的 ${Number(ratio.value.toFixed(1))} 倍 (≥ ${ratio.threshold})`,
    ]);
    assert.deepEqual(await page.$$eval(`${shown} .levers .chip`, (c) => c.map((x) => x.textContent)), tag.levers);
    await screenshot(page, "insights-dialog-1280x900", "#member-dialog");
    await page.click("#member-dialog button");

    // A member with a manual tag (imported 会员标签) sees it marked 手动, without evidence or levers.
    const [tagged] = ws.members({ crowd: 'tag = "老顾客"', limit: 1 }).rows;
    await page.fill("#member-search", tagged.id);
    await waitForTotal(page, ws.members({ search: tagged.id, limit: 0 }).total);
    await page.click(`#member-rows tr[data-id="${tagged.id}"]`);
    await page.waitForSelector("#member-dialog[open]");
    const manual = '#member-dialog-tags [data-tag="老顾客"][data-source="manual"]';
    assert.equal(await page.textContent(`${manual} .tag-source`), "手动");
    assert.equal((await page.$$(`${manual} .evidence li, ${manual} .levers`)).length, 0);
    await page.click("#member-dialog button");
    await page.fill("#member-search", "");

    // English: the slot labels and the title follow the language.
    await page.click("#lang-switch");
    assert.equal(await page.textContent("#insights h2"), "Store insights");
    assert.equal(await page.textContent("#golden-best"), `Best time to reach members: ${best.labelEn}`);
    const english = await page.evaluate(
        () => echarts.getInstanceByDom(document.getElementById("chart-golden")).getOption().xAxis[0].data,
    );
    assert.deepEqual(english, goldenHours.slots.map((s) => s.labelEn));
    assert.equal(
        await page.textContent("#funnel-breakpoint"),
        `Breakpoint: ${breakpoint.labelEn}, conversion ${breakpointRate} — fix this step first`,
    );
    await page.evaluate(() => localStorage.clear());

    ws.free();
    assertLocalOnly(env.requests);
    assert.deepEqual(env.pageErrors, []);
    await page.close();
});
