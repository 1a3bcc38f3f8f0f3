// The coupon checker in headless Chromium, on the demo store: choose a member
// and a coupon and read the reasons (the same as the Node package's
// couponEligibility), an eligible member's answer, the reminders due on the
// analysis date and the issue/use rates by coupon.
import assert from "node:assert/strict";
import { test } from "node:test";
import { assertLocalOnly, nodePackage, openDashboard, screenshot, useEnv } from "./helpers.mjs";

const { Workspace } = nodePackage();

const env = useEnv();

/** Check `coupon` for `memberId` (and an order amount in yuan) and wait for the answer. */
async function check(page, memberId, coupon, spend = "") {
    await page.fill("#coupon-member", memberId);
    await page.selectOption("#coupon-template", coupon);
    await page.fill("#coupon-spend", spend);
    const before = await page.evaluate(() => document.querySelector("#coupon-result").textContent);
    await page.click("#coupon-check");
    await page.waitForFunction(
        ([id, old]) => {
            const box = document.querySelector("#coupon-result");
            return !box.hidden && box.textContent.includes(id) && box.textContent !== old;
        },
        [memberId, before],
    );
    return page.$eval("#coupon-result", (box) => ({
        eligible: box.dataset.eligible,
        verdict: box.querySelector(".coupon-verdict").textContent,
        reasons: [...box.querySelectorAll(".coupon-reasons li")].map((li) => [li.dataset.code, li.lastChild.textContent.trim()]),
    }));
}

test("demo store: a coupon checked for a member gives every reason; reminders and rates agree with Node", async () => {
    const page = await openDashboard(env);
    const ws = new Workspace();
    ws.loadDemo();
    ws.analyze();
    await page.waitForFunction(() => document.querySelectorAll("#coupon-template option").length > 0);
    const keys = await page.$$eval("#coupon-template option", (options) => options.map((o) => o.value));
    assert.deepEqual(keys, ws.couponTemplates().map((c) => c.key));

    // A dormant member who already had the new-member coupon: two reasons, plus the minimum spend of the recall coupon.
    const dormant = ws.members({ lifecycle: "dormant", sort: "id_asc", limit: 200 }).rows.map((r) => r.id);
    const id = dormant.find((m) => ws.couponEligibility(m, "new_member").failures.length === 2);
    assert.ok(id, "a dormant member with two failing rules");
    const node = ws.couponEligibility(id, "new_member");
    const shown = await check(page, id, "new_member");
    assert.equal(shown.eligible, "false");
    assert.deepEqual(shown.reasons, node.failures.map((f) => [f.code, f.reasonZh]));
    assert.deepEqual(shown.reasons.map((r) => r[0]), ["audience_lifecycle", "limit_reached"]);
    assert.match(shown.verdict, /不能领取「新人券」：2 条规则未通过/);
    await screenshot(page, "coupons-reasons", "#coupons");

    // The recall coupon for the same member with a ¥25 order: audience passes, the ¥30 minimum does not.
    const recall = ws.couponEligibility(id, "recall", { spendFen: 2500 });
    const shownRecall = await check(page, id, "recall", "25");
    assert.deepEqual(shownRecall.reasons, recall.failures.map((f) => [f.code, f.reasonZh]));
    assert.ok(shownRecall.reasons.some(([code]) => code === "min_spend"));
    const ok = ws.couponEligibility(id, "recall", { spendFen: 3000 });
    if (ok.eligible) {
        const shownOk = await check(page, id, "recall", "30");
        assert.equal(shownOk.eligible, "true");
        assert.ok(shownOk.verdict.includes(ok.expires), shownOk.verdict);
    }

    // An unknown member: the error is shown in the answer box.
    const unknown = await check(page, "NOBODY", "recall");
    assert.equal(unknown.eligible, "error");

    // Reminders and rates as Node computes them.
    const reminders = ws.couponReminders({ limit: 20 });
    assert.equal(await page.textContent("#coupon-reminders-total"), `${reminders.at} 需提醒 ${reminders.total} 张`);
    const rows = await page.$$eval("#coupon-reminder-rows tr", (trs) => trs.map((tr) => tr.cells[0].textContent));
    assert.deepEqual(rows, reminders.rows.map((r) => r.memberId));
    const stats = ws.couponStats();
    const shownStats = await page.$$eval("#coupon-stats-rows tr", (trs) =>
        trs.map((tr) => [tr.dataset.key, Number(tr.cells[1].textContent.replace(/,/g, "")), Number(tr.cells[2].textContent.replace(/,/g, ""))]),
    );
    assert.deepEqual(shownStats, stats.coupons.map((c) => [c.key, c.issued, c.used]));
    await screenshot(page, "coupons-section", "#coupons");

    // English.
    await page.click("#lang-switch");
    await page.waitForFunction(() => document.querySelector("#coupons h2").textContent.startsWith("Coupons"));
    const reasonsEn = await page.$$eval("#coupon-result .coupon-reasons li", (lis) => lis.map((li) => li.lastChild.textContent.trim()));
    assert.deepEqual(reasonsEn, []); // the last answer was the unknown member's error
    await page.click("#lang-switch");
    assert.deepEqual(env.pageErrors, []);
    assertLocalOnly(env.requests);
    ws.free();
});
