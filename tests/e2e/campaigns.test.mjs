// The campaign builder in headless Chromium, on the demo store: its defaults
// (the analysis date, every offer, 10% holdout); a campaign over a recommended
// crowd with a budget shows the counts, cost, offers and rows the Node
// package's planCampaign gives for the same options, within the budget; the
// send list and the holdout list download as Node's exportCampaign (phones
// masked); a bad budget names the field; the crowd builder's crowd can be
// used; a row opens the member's profile with that member's offers; the
// uplift panel says honestly that the demo has no later orders.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { assertLocalOnly, money, nodePackage, openDashboard, parseCsv, screenshot, useEnv } from "./helpers.mjs";

const { Workspace } = nodePackage();

const env = useEnv();

/** Wait until the page shows the plan of exactly `options` (the planCampaign options without paging). */
async function planned(page, options) {
    await page.waitForFunction((expected) => {
        const box = document.querySelector("#campaign-result");
        if (box.dataset.state !== "ok" || !box.dataset.planned) return false;
        const shown = JSON.parse(box.dataset.planned);
        const canonical = (o) => JSON.stringify(o, Object.keys(o).sort());
        return canonical(shown) === canonical(expected);
    }, options);
}

/** The counts shown: { crowdMembers: "115", costFen: "¥460.00", … }. */
const shownCounts = (page) =>
    page.$$eval("#campaign-counts > div", (divs) =>
        Object.fromEntries(divs.map((d) => [d.dataset.key, d.querySelector("dd").textContent])),
    );

/** The counts as the page must show Node's plan. */
function expectedCounts(plan) {
    const int = (n) => n.toLocaleString("en-US");
    return {
        crowdMembers: int(plan.crowdMembers),
        eligible: int(plan.eligible),
        targeted: int(plan.targeted),
        treated: int(plan.treated),
        holdout: int(plan.holdout),
        unfunded: int(plan.unfunded),
        costFen: money(plan.costFen),
        holdoutCostFen: money(plan.holdoutCostFen),
        remainingFen: plan.remainingFen == null ? "不限" : money(plan.remainingFen),
    };
}

/** Counts, per-offer table and first rows on the page equal Node's plan of `options`. */
async function assertPlan(page, ws, options) {
    const plan = ws.planCampaign({ ...options, limit: 20 });
    assert.deepEqual(await shownCounts(page), expectedCounts(plan));
    const perOffer = await page.$$eval("#campaign-offer-rows tr", (rows) => rows.map((r) => [...r.cells].map((c) => c.textContent)));
    assert.deepEqual(
        perOffer,
        plan.perOffer
            .filter((o) => o.treated || o.holdout)
            .map((o) => [o.name, o.treated.toLocaleString("en-US"), o.holdout.toLocaleString("en-US"), money(o.costFen)]),
    );
    const rows = await page.$$eval("#campaign-rows tr", (trs) => trs.map((r) => [...r.cells].map((c) => c.textContent)));
    assert.deepEqual(
        rows,
        plan.rows.map((r) => [
            r.memberId,
            r.phone || "—",
            r.offer.name,
            r.offer.reason,
            r.offer.channelName,
            r.offer.sendAt,
            money(r.offer.costFen),
            r.holdout ? "对照组（不发送）" : "发送",
        ]),
    );
    for (const r of plan.rows) if (r.phone) assert.match(r.phone, /^\d{3}\*{4}\d{4}$/);
    assert.equal(await page.textContent("#campaign-rows-note"), `前 ${plan.rows.length} 行，共 ${plan.total.toLocaleString("en-US")} 行`);
    return plan;
}

/** Click `button` and read the download: { name, bytes }. */
async function download(page, button) {
    const [file] = await Promise.all([page.waitForEvent("download"), page.click(button)]);
    return { name: file.suggestedFilename(), bytes: readFileSync(await file.path()) };
}

test("demo store: plan a campaign over a recommended crowd within a budget, download its lists, read a member's offers", async () => {
    const page = await openDashboard(env);
    const ws = new Workspace();
    ws.loadDemo();
    const summary = ws.analyze();
    ws.predict();
    const { playbook } = ws.rules();
    const allOffers = [...playbook.offers, ...playbook.benefitCards];
    await page.locator("#campaigns").scrollIntoViewIfNeeded();

    // Defaults: an id and send date from the analysis date, every offer ticked, 10% holdout, no budget.
    const id = `campaign-${summary.asOf}`;
    assert.equal(await page.inputValue("#campaign-id"), id);
    assert.equal(await page.inputValue("#campaign-date"), summary.asOf);
    const base = { id, perMemberCap: 1, holdoutShare: 0.1, sendDate: summary.asOf };
    await planned(page, base);
    const picker = await page.$$eval("#campaign-offer-list label", (labels) =>
        labels.map((l) => [l.querySelector("input").value, l.querySelector("input").checked, l.querySelector("small").textContent]),
    );
    assert.deepEqual(picker, allOffers.map((o) => [o.key, true, money(Math.round(o.cost * 100))]));
    const everyone = await assertPlan(page, ws, base);
    const heads = (table) => page.$$eval(`${table} thead th`, (th) => th.map((x) => x.textContent));
    assert.deepEqual(await heads("#campaign-offer-table"), ["权益", "发送", "对照组", "成本"]);
    assert.deepEqual(await heads("#campaign-row-table"), ["会员ID", "手机号", "权益", "推荐理由", "渠道", "发送时间", "成本", "分组"]);
    assert.equal(everyone.crowdMembers, summary.members);

    // A recommended crowd and a budget of ¥500: Node's plan, within the budget, some members left unfunded.
    const crowd = Workspace.recommendedCrowds().find((c) => c.key === "high_value_dormant");
    await page.selectOption("#campaign-crowd", crowd.key);
    await page.fill("#campaign-budget", "500");
    const options = { ...base, crowd: crowd.expr, budgetFen: 50000 };
    await planned(page, options);
    const plan = await assertPlan(page, ws, options);
    assert.equal(plan.crowdMembers, ws.members({ crowd: crowd.expr, limit: 0 }).total);
    assert.ok(plan.costFen + plan.holdoutCostFen <= 50000, `${plan.costFen} + ${plan.holdoutCostFen}`);
    assert.equal(plan.remainingFen, 50000 - plan.costFen - plan.holdoutCostFen);
    assert.ok(plan.unfunded > 0 && plan.holdout > 0 && plan.treated > 0, JSON.stringify(plan));
    await screenshot(page, "campaigns-1280x900", "#campaigns");

    // Untick one offer: the plan leaves it out.
    await page.uncheck('#campaign-offer-list input[value="referral_reward"]');
    const narrowed = { ...options, offers: allOffers.map((o) => o.key).filter((k) => k !== "referral_reward") };
    await planned(page, narrowed);
    const narrowedPlan = await assertPlan(page, ws, narrowed);
    assert.ok(narrowedPlan.costFen + narrowedPlan.holdoutCostFen <= 50000);
    assert.equal(await page.textContent("#campaign-offers-count"), `已选 ${allOffers.length - 1} / ${allOffers.length}`);

    // The send list: Node's CSV byte for byte (BOM, one line per treated member, phones masked).
    const send = await download(page, "#campaign-download");
    assert.equal(send.name, `campaign-${id}.csv`);
    assert.deepEqual([...send.bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    assert.ok(send.bytes.equals(Buffer.from(ws.exportCampaign({ ...narrowed, lang: "zh" }))));
    const table = parseCsv(send.bytes.toString("utf8").slice(1)).filter((r) => r.length > 1);
    assert.equal(table[0][1], "手机号");
    assert.equal(table.length, 1 + narrowedPlan.treated);
    for (const row of table.slice(1)) assert.match(row[1], /^(\d{3}\*{4}\d{4})?$/);
    assert.doesNotMatch(send.bytes.toString("utf8"), /1[3-9]\d{9}/, "phones are masked");
    const holdout = await download(page, "#campaign-download-holdout");
    assert.equal(holdout.name, `campaign-${id}-holdout.csv`);
    assert.ok(holdout.bytes.equals(Buffer.from(ws.exportCampaign({ ...narrowed, list: "holdout", lang: "zh" }))));
    assert.equal(parseCsv(holdout.bytes.toString("utf8").slice(1)).filter((r) => r.length > 1).length, 1 + narrowedPlan.holdout);

    // A budget that is not an amount: the field named, nothing to download; an exact one plans again.
    await page.fill("#campaign-budget", "5OO");
    await page.waitForSelector("#campaign-result[data-state=error]");
    assert.match(await page.textContent("#campaign-error"), /总预算须为金额/);
    assert.ok(await page.$eval("#campaign-budget", (e) => e.classList.contains("invalid")));
    assert.ok(await page.isDisabled("#campaign-download"));
    await page.fill("#campaign-budget", "¥300.05");
    const exact = { ...narrowed, budgetFen: 30005 };
    await planned(page, exact);
    await assertPlan(page, ws, exact);
    assert.ok(await page.isHidden("#campaign-error"));

    // The crowd builder's crowd.
    const churned = Workspace.recommendedCrowds().find((c) => c.key === "churned_big_spenders");
    await page.click(`#crowd-chips button[data-key="${churned.key}"]`);
    await page.selectOption("#campaign-crowd", "builder");
    // The choice is labelled with the builder's crowd once the builder has counted it.
    await page.waitForFunction(
        (name) => document.querySelector('#campaign-crowd option[value="builder"]').textContent === `人群圈选：${name}`,
        churned.name,
    );
    const fromBuilder = { ...exact, crowd: churned.expr };
    await planned(page, fromBuilder);
    const builderPlan = await assertPlan(page, ws, fromBuilder);

    // A row opens the member's profile, with that member's ranked offers.
    const member = builderPlan.rows[0].memberId;
    await page.click(`#campaign-rows tr[data-id="${member}"]`);
    await page.waitForSelector("#member-dialog[open]");
    const offers = ws.offers(member);
    assert.deepEqual(await heads("#member-dialog-offers table"), ["权益", "推荐理由", "渠道", "发送时间", "成本"]);
    assert.ok(offers.length > 0);
    const shownOffers = await page.$$eval("#member-dialog-offers tbody tr", (rows) =>
        rows.map((r) => [r.dataset.key, ...[...r.cells].map((c) => c.textContent)]),
    );
    assert.deepEqual(
        shownOffers,
        offers.map((o) => [o.key, o.name, o.reason, o.channelName, o.sendAt, money(o.costFen)]),
    );
    await screenshot(page, "campaigns-member-offers-1280x900", "#member-dialog");
    await page.click("#member-dialog button");

    // Uplift: the demo ends before the send date, so not enough data, said so.
    await page.click("#campaign-uplift-run");
    await page.waitForSelector("#campaign-uplift-result .uplift-status");
    const targeted = ws.planCampaign({ ...fromBuilder, limit: 1000 }).rows.map((r) => r.memberId);
    const uplift = ws.campaignUplift({ id, sendDate: summary.asOf, holdoutShare: 0.1, members: targeted, days: 30 });
    assert.equal(uplift.status, "no_data");
    assert.equal(await page.textContent("#campaign-uplift-result .uplift-status"), uplift.message);
    assert.match(uplift.message, /^数据不足/);

    // Sent a month before the data ends: treated and holdout compared on the orders after it, as Node does.
    await page.fill("#campaign-date", "2026-10-02");
    const earlier = { ...fromBuilder, sendDate: "2026-10-02" };
    await planned(page, earlier);
    await page.fill("#campaign-uplift-days", "30");
    await page.click("#campaign-uplift-run");
    await page.waitForSelector("#campaign-uplift-result table");
    const earlierPlan = ws.planCampaign({ ...earlier, limit: 1000 });
    assert.ok(earlierPlan.total <= 1000);
    const measured = ws.campaignUplift({
        id,
        sendDate: "2026-10-02",
        holdoutShare: 0.1,
        members: earlierPlan.rows.map((r) => r.memberId),
        days: 30,
    });
    assert.ok(["ok", "partial"].includes(measured.status), measured.status);
    assert.equal(await page.textContent("#campaign-uplift-result .uplift-status"), measured.message);
    const pct = (x) => `${(x * 100).toFixed(1)}%`;
    const points = (x) => `${x >= 0 ? "+" : ""}${(x * 100).toFixed(1)} 个百分点`;
    assert.deepEqual(
        await page.$$eval("#campaign-uplift-result tbody tr", (rows) => rows.map((r) => [...r.cells].map((c) => c.textContent))),
        [
            ["会员数", String(measured.treated.members), String(measured.holdout.members), ""],
            ["复购率", pct(measured.treated.repurchaseRate), pct(measured.holdout.repurchaseRate), measured.difference ? points(measured.difference.repurchaseRate) : "—"],
            ["人均消费", money(measured.treated.spendPerMemberFen), money(measured.holdout.spendPerMemberFen), measured.difference ? money(measured.difference.spendPerMemberFen) : "—"],
        ],
    );
    await screenshot(page, "campaigns-uplift-1280x900", ".campaign-uplift");

    // English: labels follow the language.
    await page.click("#lang-switch");
    assert.equal(await page.textContent("#campaigns h2"), "Campaigns");
    assert.equal(await page.textContent("#campaign-download"), "Download send list");
    await page.evaluate(() => localStorage.clear());

    ws.free();
    assertLocalOnly(env.requests);
    assert.deepEqual(env.pageErrors, []);
    await page.close();
});
