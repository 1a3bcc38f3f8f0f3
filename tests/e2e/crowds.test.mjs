// The crowd builder in headless Chromium, on the demo store: a crowd built
// with the visual builder (AND, OR and NOT) writes the expected expression and
// counts what the Node package counts; a malformed expression shows the
// language's error, position included, inline; a recommended crowd loads and
// counts; its export is Node's CSV; applied, it narrows the member table
// behind a chip that clears it.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { assertLocalOnly, count, nodePackage, openDashboard, screenshot, useEnv, waitForTotal } from "./helpers.mjs";

const { Workspace } = nodePackage();

const env = useEnv();

/** Wait until the card has counted `expr` (or failed on it); → the shown count, or null on an error. */
async function counted(page, expr) {
    await page.waitForFunction(
        (text) => {
            const box = document.querySelector("#crowd-result");
            return box.dataset.expr === text && (box.dataset.state === "ok" || box.dataset.state === "error");
        },
        expr,
    );
    if ((await page.getAttribute("#crowd-result", "data-state")) === "error") return null;
    return count(await page.textContent("#crowd-count"));
}

/** The builder row `row` of group `group`. */
const row = (group, r) => `#crowd-groups [data-group="${group}"][data-row="${r}"]`;

test("demo store: build a crowd, count it, a malformed one, a recommended one, export and apply it", async () => {
    const page = await openDashboard(env);
    const ws = new Workspace();
    ws.loadDemo();
    const summary = ws.analyze();
    ws.predict();
    const total = (crowd) => ws.members({ crowd, limit: 0 }).total;

    // The chips: every recommended crowd, by its Chinese name.
    const chips = await page.$$eval("#crowd-chips button", (b) => b.map((x) => [x.dataset.key, x.textContent]));
    assert.deepEqual(chips, Workspace.recommendedCrowds().map((c) => [c.key, c.name]));
    // The field select knows every field of the language, with a Chinese label.
    const fields = await page.$$eval(`${row(0, 0)} [data-part="field"] option`, (o) => o.map((x) => [x.value, x.textContent]));
    assert.deepEqual(fields.map(([name]) => name), Workspace.crowdFields().map((f) => f.name));
    assert.ok(fields.every(([name, label]) => label !== `crowdField_${name} (${name})` && /[\u4e00-\u9fff]/.test(label)), String(fields));
    // No condition yet: everybody.
    assert.equal(await counted(page, ""), summary.members);

    // (lifecycle = dormant OR lifecycle = churned) AND NOT mScore <= 2, built row by row.
    await page.selectOption(`${row(0, 0)} [data-part="value"]`, "dormant");
    await page.click('#crowd-groups [data-group="0"] [data-action="add-row"]');
    await page.selectOption(`${row(0, 1)} [data-part="value"]`, "churned");
    await page.click('#crowd-groups [data-scope="join-rows"] button[data-join="or"]');
    await page.click("#crowd-add-group");
    await page.selectOption(`${row(1, 0)} [data-part="field"]`, "mScore");
    await page.selectOption(`${row(1, 0)} [data-part="op"]`, "<=");
    await page.fill(`${row(1, 0)} [data-part="value"]`, "2");
    await page.check(`${row(1, 0)} [data-part="not"]`);
    const built = '(lifecycle = "dormant" or lifecycle = "churned") and not mScore <= 2';
    assert.equal(await page.inputValue("#crowd-text"), built);
    const builtTotal = total(built);
    assert.ok(builtTotal > 0 && builtTotal < summary.members, `${builtTotal}`);
    assert.equal(await counted(page, built), builtTotal);
    assert.equal(builtTotal, total('lifecycle in ("dormant", "churned") and not mScore <= 2'));
    const share = `${((builtTotal / summary.members) * 100).toFixed(1)}%`;
    assert.equal(await page.textContent("#crowd-share"), `占全部 ${summary.members.toLocaleString("en-US")} 位会员的 ${share}`);
    await screenshot(page, "crowds-1280x900", "#crowds");

    // The same OR as one row: "in" with two stages ticked.
    await page.selectOption(`${row(0, 0)} [data-part="op"]`, "in");
    await page.check(`${row(0, 0)} input[value="churned"]`);
    await page.check(`${row(0, 0)} input[value="dormant"]`);
    await page.click(`${row(0, 1)} [data-action="remove-row"]`);
    const withIn = 'lifecycle in ("dormant", "churned") and not mScore <= 2';
    assert.equal(await page.inputValue("#crowd-text"), withIn);
    assert.equal(await counted(page, withIn), builtTotal);

    // The fields of the members file and the events (seed 003's filters): a fan of the
    // official account at 静安寺店 who has not visited in 30 days, holding a 省钱卡.
    await page.click("#crowd-reset");
    await page.selectOption(`${row(0, 0)} [data-part="field"]`, "wechatFan");
    const fanChoices = await page.$$eval(`${row(0, 0)} [data-part="value"] option`, (o) => o.map((x) => [x.value, x.textContent]));
    assert.deepEqual(fanChoices.slice(1), [["yes", "已关注"], ["no", "未关注"]]);
    await page.selectOption(`${row(0, 0)} [data-part="value"]`, "yes");
    await page.click('#crowd-groups [data-group="0"] [data-action="add-row"]');
    await page.selectOption(`${row(0, 1)} [data-part="field"]`, "store");
    const stores = await page.$$eval(`${row(0, 1)} [data-part="value"] option`, (o) => o.map((x) => x.value).filter(Boolean));
    assert.deepEqual(stores, summary.stores.map((c) => c.key));
    await page.selectOption(`${row(0, 1)} [data-part="value"]`, "静安寺店");
    await page.click('#crowd-groups [data-group="0"] [data-action="add-row"]');
    await page.selectOption(`${row(0, 2)} [data-part="field"]`, "daysSinceVisit");
    await page.selectOption(`${row(0, 2)} [data-part="op"]`, "<=");
    await page.fill(`${row(0, 2)} [data-part="value"]`, "30");
    await page.check(`${row(0, 2)} [data-part="not"]`);
    await page.click('#crowd-groups [data-group="0"] [data-action="add-row"]');
    await page.selectOption(`${row(0, 3)} [data-part="field"]`, "benefitCard");
    await page.selectOption(`${row(0, 3)} [data-part="value"]`, "省钱卡");
    const seeded = 'wechatFan = "yes" and store = "静安寺店" and not daysSinceVisit <= 30 and benefitCard = "省钱卡"';
    assert.equal(await page.inputValue("#crowd-text"), seeded);
    const seededTotal = total(seeded);
    assert.ok(seededTotal > 0, "the demo has such members");
    assert.equal(await counted(page, seeded), seededTotal);
    await screenshot(page, "crowds-seed003-1280x900", "#crowds");


    // Malformed, typed by hand: the error with its position, inline; nothing else breaks.
    await page.fill("#crowd-text", "lifecycle = ");
    assert.equal(await counted(page, "lifecycle ="), null);
    const error = await page.textContent("#crowd-error");
    assert.match(error, /^表达式有误：at \d+: /);
    assert.ok(await page.isVisible("#crowd-error"));
    assert.equal(await page.$eval("#crowd-error", (e) => getComputedStyle(e).color), "rgb(201, 42, 42)");
    assert.ok(await page.isDisabled("#crowd-apply"));
    assert.ok(await page.isDisabled("#crowd-export"));
    assert.ok(await page.isHidden("#error-banner"));

    // A recommended crowd: its expression, its count.
    const [dormantHigh] = Workspace.recommendedCrowds().filter((c) => c.key === "high_value_dormant");
    await page.click('#crowd-chips button[data-key="high_value_dormant"]');
    assert.equal(await page.inputValue("#crowd-text"), dormantHigh.expr);
    const n = total(dormantHigh.expr);
    assert.ok(n > 0);
    assert.equal(await counted(page, dormantHigh.expr), n);
    assert.equal(await page.getAttribute('#crowd-chips button[data-key="high_value_dormant"]', "aria-pressed"), "true");

    // Export: Node's CSV of the crowd (BOM, header + one line per member, masked phones).
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#crowd-export")]);
    assert.match(download.suggestedFilename(), /^crowd-\d{4}-\d{2}-\d{2}\.csv$/);
    assert.equal(download.suggestedFilename(), `crowd-${summary.asOf}.csv`);
    const bytes = readFileSync(await download.path());
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    const lines = bytes.toString("utf8").split(/\r?\n/).filter(Boolean);
    assert.equal(lines.length, 1 + n);
    assert.ok(bytes.equals(Buffer.from(ws.exportMembers({ crowd: dormantHigh.expr, lang: "zh" }))));
    assert.doesNotMatch(bytes.toString("utf8"), /1[3-9]\d{9}/, "phones are masked");

    // Apply: the table shows the crowd, with a chip that clears it.
    await page.click("#crowd-apply");
    await waitForTotal(page, n);
    assert.ok(await page.isVisible("#crowd-filter"));
    assert.equal(await page.textContent("#crowd-filter-name"), dormantHigh.name);
    assert.ok(await page.isVisible("#clear-filters"));
    await page.click("#crowd-filter-clear");
    await waitForTotal(page, summary.members);
    assert.ok(await page.isHidden("#crowd-filter"));

    // English: chips and labels follow the language.
    await page.click("#lang-switch");
    assert.equal(await page.textContent('#crowd-chips button[data-key="high_value_dormant"]'), dormantHigh.nameEn);
    assert.equal(await page.textContent("#crowds h2"), "Crowd builder");
    await page.evaluate(() => localStorage.clear());

    ws.free();
    assertLocalOnly(env.requests);
    assert.deepEqual(env.pageErrors, []);
    await page.close();
});
