// The points section in headless Chromium, on the demo store: the KPI cards
// equal the Node package's points(); the expiry schedule is drawn; the
// reconcile list has Node's count and rows (phones masked); nothing expires
// within 30 days of 2026-11-01, so the list shows the members of the next
// expiry date and its button narrows the member table to them; a member's
// ledger, opened from the reconcile list and from the member's details, shows
// pointsLedger()'s lines one by one, in Chinese and in English; with the
// reminder window widened in the rules editor, the list is the window's and
// its button applies the recommended crowd 积分即将过期.
import assert from "node:assert/strict";
import { test } from "node:test";
import { SCREENSHOTS, assertLocalOnly, count, money, nodePackage, openDashboard, screenshot, useEnv, waitIdle, waitForTotal } from "./helpers.mjs";

const { Workspace } = nodePackage();

const env = useEnv();

/** 765512 → "765,512". */
const int = (n) => n.toLocaleString("en-US");
/** 150 → "+150", -150 → "−150" (the ledger's sign). */
const signed = (n) => (n > 0 ? `+${int(n)}` : n < 0 ? `−${int(-n)}` : "0");

/** The demo store in Node, analysed (and with `rules`, if given). */
function demo(rules) {
    const ws = new Workspace();
    if (rules) ws.setRules(rules);
    ws.loadDemo();
    ws.analyze();
    return ws;
}

async function waitForPoints(page) {
    await page.waitForSelector("#points:not([hidden])");
    await page.waitForFunction(() => document.querySelector("#points-reconcile-rows tr") !== null);
}

/** The cells of each row of a table body: [[text, …], …]. */
const cells = (page, tbody) =>
    page.$$eval(`#${tbody} tr`, (rows) => rows.map((tr) => [...tr.cells].map((td) => td.textContent)));

/** Wait until the ledger dialog is open on member `id`. */
async function openLedger(page, id) {
    await page.waitForSelector("#ledger-dialog[open]");
    await page.waitForFunction((want) => document.querySelector("#ledger-title").textContent.includes(want), id);
}

async function assertLedgerShown(page, ledger, lang) {
    const rows = await cells(page, "ledger-lines-rows");
    assert.equal(rows.length, ledger.lines.length, "one row per ledger line");
    for (const [k, line] of ledger.lines.entries()) {
        const [day, , points, balance, reason] = rows[k];
        assert.deepEqual(
            [day, points, balance, reason],
            [line.day, signed(line.points), int(line.balance), lang === "zh" ? line.reason : line.reasonEn],
            `line ${k}`,
        );
    }
    const kinds = await page.$$eval("#ledger-lines-rows tr", (r) => r.map((tr) => tr.dataset.kind));
    assert.deepEqual(kinds, ledger.lines.map((l) => l.kind));
    const lots = await cells(page, "ledger-lots-rows");
    assert.deepEqual(
        lots,
        ledger.lots.map((l) => [l.earnedOn, l.expiresOn, int(l.remaining)]),
    );
}

test("demo store: KPIs, schedule, reconcile, next expiry and a member's ledger match the Node package", async () => {
    const page = await openDashboard(env);
    await waitForPoints(page);
    await waitIdle(page);
    const ws = demo();
    const p = ws.points();

    // KPI cards.
    const text = (id) => page.textContent(`#${id}`);
    assert.equal(await text("kpi-points-liability"), int(p.liabilityPoints));
    assert.equal(await text("kpi-points-liability-sub"), `价值 ${money(p.liabilityFen)}`);
    assert.equal(await text("kpi-points-members"), int(p.membersWithPoints));
    assert.equal(await text("kpi-points-expiring-label"), `${p.expiringWithinDays} 天内到期积分`);
    assert.equal(await text("kpi-points-expiring"), int(p.expiringPoints));
    assert.equal(await text("kpi-points-expiring-sub"), `${int(p.expiringMembers)} 位会员`);
    const next = p.expirySchedule[0];
    assert.equal(await text("kpi-points-next"), next.day);
    assert.equal(await text("kpi-points-next-sub"), `${next.daysLeft} 天后 · ${int(next.points)} 积分 · ${int(next.members)} 位会员`);
    assert.equal(count(await text("kpi-points-reconcile")), p.reconcile.differing);
    assert.ok((await text("points-flow")).includes(int(p.spentPoints)));
    // The demo as documented: points spent, none overdrawn, the 2025 points gone on 2027-01-01.
    assert.ok(p.spentPoints > 0 && p.reconcile.differing > 0 && p.reconcile.differing < 50);
    assert.deepEqual([p.overdrawnMembers, p.overCapOrders, p.expiringMembers], [0, 0, 0]);
    assert.deepEqual([next.day, next.daysLeft], ["2027-01-01", 61]);

    // The schedule: one bar per expiry day, as Node lists them.
    const bars = await page.evaluate(() => {
        const option = echarts.getInstanceByDom(document.getElementById("chart-points-expiry")).getOption();
        return { days: option.xAxis[0].data, points: option.series[0].data };
    });
    assert.deepEqual(bars, { days: p.expirySchedule.map((b) => b.day), points: p.expirySchedule.map((b) => b.points) });

    // The reconcile list: Node's count, first page, masked phones.
    const reconcile = ws.pointsReconcile({ limit: 10 });
    assert.equal(reconcile.total, p.reconcile.differing);
    assert.ok((await text("points-reconcile-hint")).includes(`${int(p.reconcile.differing)} 位不一致`));
    const shown = await cells(page, "points-reconcile-rows");
    assert.deepEqual(
        shown,
        reconcile.rows.map((d) => [d.memberId, d.name, d.phone, int(d.imported), int(d.ledger), signed(d.difference)]),
    );
    assert.ok(shown.every((r) => /^1\d{2}\*{4}\d{4}$/.test(r[2])), "phones masked");
    assert.equal(await text("points-reconcile-info"), `第 1 / ${Math.ceil(reconcile.total / 10)} 页`);
    await page.click("#points-reconcile-next");
    const second = ws.pointsReconcile({ offset: 10, limit: 10 }).rows.map((d) => d.memberId);
    await page.waitForFunction((id) => document.querySelector("#points-reconcile-rows tr")?.dataset.id === id, second[0]);
    assert.deepEqual((await cells(page, "points-reconcile-rows")).map((r) => r[0]), second);
    await page.click("#points-reconcile-prev");
    await page.waitForFunction((id) => document.querySelector("#points-reconcile-rows tr")?.dataset.id === id, reconcile.rows[0].memberId);

    // Nothing expires within 30 days: the next expiry date's members, as of the day it enters the window.
    const from = "2026-12-02";
    const preview = ws.pointsExpiring({ asOf: from, limit: 10 });
    assert.equal(preview.total, next.members);
    assert.equal(await text("points-expiring-title"), `${next.day} 积分到期的会员`);
    assert.ok((await text("points-expiring-note")).includes(from));
    assert.deepEqual(
        (await cells(page, "points-expiring-rows")).map((r) => [r[0], r[3], r[4], r[5], r[6]]),
        preview.rows.map((m) => [m.memberId, int(m.balance), int(m.expiring), m.firstExpiry, String(next.daysLeft)]),
    );
    await screenshot(page, "points-1280x900", "#points");

    // A member's ledger from the reconcile list: every line as pointsLedger() gives it.
    const first = reconcile.rows.map((d) => d.memberId).find((id) => ws.pointsLedger(id).lines.length > 5);
    await page.click(`#points-reconcile-rows tr[data-id="${first}"]`);
    await openLedger(page, first);
    const ledger = ws.pointsLedger(first);
    assert.notEqual(ledger.imported, ledger.balance);
    await assertLedgerShown(page, ledger, "zh");
    // The same in English.
    await page.click("#ledger-dialog button.btn");
    await page.click("#lang-switch");
    await page.click(`#points-reconcile-rows tr[data-id="${first}"]`);
    await openLedger(page, first);
    await assertLedgerShown(page, ledger, "en");
    await page.click("#ledger-dialog button.btn");
    await page.click("#lang-switch");

    // From the member's details: a member who paid with points and exchanged some.
    const spender = ws
        .members({ sort: "m_desc", limit: 200 })
        .rows.map((m) => m.id)
        .find((id) => {
            const kinds = new Set(ws.pointsLedger(id).lines.map((l) => l.kind));
            return kinds.has("cash_offset") && kinds.has("redeem");
        });
    assert.ok(spender, "a top member who spent points both ways");
    await page.fill("#member-search", spender);
    await page.waitForFunction((id) => document.querySelector("#member-rows tr")?.dataset.id === id, spender);
    await page.click(`#member-rows tr[data-id="${spender}"]`);
    await page.waitForSelector("#member-dialog[open]");
    await page.click("#member-dialog-points");
    await openLedger(page, spender);
    await assertLedgerShown(page, ws.pointsLedger(spender), "zh");
    await page.screenshot({ path: `${SCREENSHOTS}points-ledger-1280x900.png` }); // the dialog over the page
    await page.click("#ledger-dialog button.btn");
    await page.click("#member-dialog button"); // the first button closes it
    await page.fill("#member-search", "");

    // The button narrows the member table to the next expiry date's members.
    await page.click("#points-expiring-crowd");
    await waitForTotal(page, next.members);
    assert.equal(ws.members({ crowd: "pointsExpiryDays <= 61", limit: 0 }).total, next.members);
    assert.equal(await page.textContent("#crowd-filter-name"), "积分 2027-01-01 到期");
    await page.click("#crowd-filter-clear");

    assert.deepEqual(env.pageErrors, []);
    assertLocalOnly(env.requests);
    ws.free();
    await page.close();
});

test("a reminder window of 90 days: the expiring list is the window's and applies the crowd 积分即将过期", async () => {
    const page = await openDashboard(env);
    await waitForPoints(page);
    await page.waitForFunction(() => document.querySelector("#rules-text").value.includes("expiringWithinDays"));
    const rules = JSON.parse(await page.inputValue("#rules-text"));
    rules.points.expiringWithinDays = 90;
    const text = JSON.stringify(rules, null, 2);
    await page.fill("#rules-text", text);
    await page.waitForFunction(() => !document.querySelector("#rules-apply").disabled);
    await page.click("#rules-apply");
    await page.waitForFunction(() => document.querySelector("#kpi-points-expiring-label").textContent.startsWith("90 "));
    await waitIdle(page);

    const ws = demo(text);
    const p = ws.points();
    assert.equal(p.expiringMembers, p.expirySchedule[0].members);
    assert.equal(await page.textContent("#kpi-points-expiring"), int(p.expiringPoints));
    assert.equal(await page.textContent("#points-expiring-title"), "90 天内积分到期的会员");
    assert.ok(await page.isHidden("#points-expiring-note"));
    const expiring = ws.pointsExpiring({ limit: 10 });
    await page.waitForFunction((id) => document.querySelector("#points-expiring-rows tr")?.dataset.id === id, expiring.rows[0].memberId);
    assert.deepEqual(
        (await cells(page, "points-expiring-rows")).map((r) => [r[0], r[4]]),
        expiring.rows.map((m) => [m.memberId, int(m.expiring)]),
    );
    await page.click("#points-expiring-crowd");
    await waitForTotal(page, p.expiringMembers);
    assert.equal(ws.members({ crowd: "pointsExpiring > 0", limit: 0 }).total, p.expiringMembers);
    assert.equal(await page.textContent("#crowd-filter-name"), "积分即将过期");

    await page.click("#rules-reset");
    assert.deepEqual(env.pageErrors, []);
    ws.free();
    await page.close();
});
