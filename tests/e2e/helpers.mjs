// Shared by the dashboard's page tests: the server, headless Chromium, a log
// of every request the page makes, the answers the Node package gives for the
// same bytes, and small readers for what the page shows.
import assert from "node:assert/strict";
import { existsSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";
import { ROOT } from "../js/helpers.mjs";
import { serve } from "../../scripts/serve.mjs";

import { after, before } from "node:test";
export { DATA, ROOT, parseCsv } from "../js/helpers.mjs";
export const SCREENSHOTS = `${ROOT}tests/e2e/screenshots/`;

const CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
];

/** The Node entry of the built package: the reference the page must agree with. */
export function nodePackage() {
    const built = ["pkg/node/index.cjs", "www/pkg/web/index.js", "www/vendor/echarts.min.js"].map((f) => `${ROOT}${f}`);
    for (const file of built) {
        if (!existsSync(file)) throw new Error(`${file} is missing: run \`make build\` first`);
    }
    return createRequire(import.meta.url)(`${ROOT}pkg/node/index.cjs`);
}

/**
  * Serve www/ and start Chromium. `requests` collects the URL of every request
  * any page (and its worker) makes, for `assertLocalOnly`.
  */
export async function start() {
    const server = await serve({ root: `${ROOT}www`, port: 0 });
    const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
    const requests = [];
    const context = await newContext({ browser, requests });
    // The shared context opens on the demo store every time: files an earlier
    // test imported are not restored (persistence.test.mjs uses its own contexts).
    await context.addInitScript(() => indexedDB.deleteDatabase("member-analytics"));
    const pageErrors = [];
    const close = async () => {
        await browser.close();
        await server.close();
    };
    return { server, browser, context, requests, pageErrors, close };
}

/**
  * The shared server and browser of one test file: started before its tests,
  * closed after them. The returned object is filled in by `before`.
  */
export function useEnv() {
    const env = {};
    before(async () => {
        Object.assign(env, await start());
    });
    after(async () => {
        await env.close?.();
    });
    return env;
}

/**
  * A new browser context (its own empty storage, IndexedDB included) that logs
  * its requests into `env.requests`; close it when done.
  */
export async function newContext(env) {
    const context = await env.browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
    context.on("request", (request) => env.requests.push(request.url()));
    return context;
}

/** Open the dashboard in a new page and wait until the demo store is analysed. */
export async function openDashboard(env, { initScript, context = env.context } = {}) {
    const page = await context.newPage();
    page.on("pageerror", (e) => env.pageErrors.push(e.message));
    page.on("console", (m) => m.type() === "error" && env.pageErrors.push(m.text()));
    if (initScript) await page.addInitScript(initScript);
    await page.goto(env.server.url);
    await waitIdle(page);
    return page;
}

/** Wait until no load or analysis is running (the import controls are enabled again). */
export async function waitIdle(page, timeout = 30_000) {
    await page.waitForFunction(
        () =>
            document.querySelector("#kpi-members").textContent !== "—" &&
            !document.querySelector("#file-input").disabled,
        null,
        { timeout },
    );
    // The member table follows the summary by one worker round trip; charts are drawn one per task.
    await page.waitForFunction(
        () => document.querySelector("#members-total").textContent !== "" && !("drawing" in document.body.dataset),
        null,
        { timeout },
    );
}

/** Wait until the status line names `fileName` as imported and the page is idle. */
export async function waitForStatus(page, fileName) {
    await page.waitForFunction((name) => document.querySelector("#status-text").textContent.includes(name), fileName);
    await waitIdle(page);
}

/** Wait until the member table's total is `n`. */
export async function waitForTotal(page, n) {
    await page.waitForFunction(
        (expected) => document.querySelector("#members-total").textContent.replace(/\D/g, "") === String(expected),
        n,
    );
}

/**
  * Click the bar at category `index` (value `value`) of the bar chart `chartId`
  * until the filter select `selectId` shows `key`; clicks again while the bars
  * still grow, and scrolls the chart into view first.
  */
export async function clickBar(page, { chartId, selectId, index, value, key }) {
    for (let attempt = 0; attempt < 20; attempt++) {
        await page.locator(`#${chartId}`).scrollIntoViewIfNeeded();
        const point = await page.evaluate(
            ({ chartId, index, value }) => {
                const el = document.getElementById(chartId);
                const [x, y] = echarts.getInstanceByDom(el).convertToPixel({ seriesIndex: 0 }, [value / 2, index]);
                const box = el.getBoundingClientRect();
                return { x: box.left + x, y: box.top + y };
            },
            { chartId, index, value },
        );
        await page.mouse.click(point.x, point.y);
        if ((await page.inputValue(`#${selectId}`)) === key) return;
        await page.waitForTimeout(200);
    }
    assert.fail(`clicking bar ${index} of #${chartId} did not select ${key}`);
}

/** Every request went to the local server: nothing left the machine. */
export function assertLocalOnly(requests) {
    assert.ok(requests.length > 0, "no request was recorded");
    const outside = requests.filter((url) => {
        if (url.startsWith("blob:http://127.0.0.1:") || url.startsWith("data:")) return false;
        return new URL(url).hostname !== "127.0.0.1";
    });
    assert.deepEqual(outside, [], "requests to other hosts");
}

/** 149140 → "¥1,491.40", written independently of the page's formatter. */
export function money(fen) {
    const yuan = Math.floor(Math.abs(fen) / 100);
    const cents = String(Math.abs(fen) % 100).padStart(2, "0");
    return `${fen < 0 ? "-" : ""}¥${yuan.toLocaleString("en-US")}.${cents}`;
}

/** The integer in a text such as "共 1,234 位会员". */
export function count(text) {
    const digits = text.match(/[\d,]+/);
    assert.ok(digits, `no number in ${JSON.stringify(text)}`);
    return Number(digits[0].replace(/,/g, ""));
}

/** Each chart's canvas size: [{ width, height }] for the chart boxes (default: the three summary charts). */
export function chartCanvases(page, selector = ".charts .chart") {
    return page.$$eval(selector, (charts) =>
        charts.map((chart) => {
            const canvas = chart.querySelector("canvas");
            return canvas ? { width: canvas.width, height: canvas.height } : null;
        }),
    );
}

/** The rejected rows the page shows for a dataset: [{ row, column, value, reason }]. */
export function shownRejections(page, dataset) {
    return page.$$eval(`#reports article[data-dataset="${dataset}"] table.rejected tbody tr`, (rows) =>
        rows.map((tr) => {
            const [row, column, value, reason] = [...tr.cells].map((td) => td.textContent);
            return { row: Number(row), column, value, reason };
        }),
    );
}

/** "1279.80" → 127980 (fen, exact). */
export function yuanToFen(text) {
    const match = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(text);
    assert.ok(match, `not an amount in yuan: ${JSON.stringify(text)}`);
    const fen = Number(match[2]) * 100 + Number((match[3] ?? "0").padEnd(2, "0"));
    return match[1] ? -fen : fen;
}

/** Save a full-page screenshot (or of the element `selector`) under tests/e2e/screenshots/. */
export async function screenshot(page, name, selector) {
    mkdirSync(SCREENSHOTS, { recursive: true });
    const path = `${SCREENSHOTS}${name}.png`;
    if (selector) await page.locator(selector).screenshot({ path });
    else await page.screenshot({ path, fullPage: true });
    return path;
}
