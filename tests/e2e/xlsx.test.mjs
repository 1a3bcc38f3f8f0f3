// An Excel workbook through the dashboard's file input: the worker streams it
// in like a CSV (the wasm keeps the chunks and reads the zip at the end), and
// the page shows the same report and analysis the Node package gives.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { count, DATA, money, nodePackage, openDashboard, screenshot, shownRejections, useEnv, waitForStatus } from "./helpers.mjs";

const env = useEnv();
const XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

test("imports an .xlsx through the file input: its report names the sheet and the rejected cells", async () => {
    const page = await openDashboard(env);
    const accept = await page.getAttribute("#file-input", "accept");
    assert.ok(accept === null || /\.xlsx/.test(accept), `the file input must take .xlsx (accept=${accept})`);

    const name = "门店订单.xlsx";
    const buffer = readFileSync(`${DATA}orders_edge.xlsx`);
    const { Workspace } = nodePackage();
    const ws = new Workspace();
    const report = ws.load("orders", buffer, { fileName: name });
    const summary = ws.analyze();

    await page.setInputFiles("#file-input", { name, mimeType: XLSX_TYPE, buffer });
    await waitForStatus(page, name);
    const facts = await page.$$eval('#reports article[data-dataset="orders"] .facts div', (divs) =>
        Object.fromEntries(divs.map((d) => [d.querySelector("dt").textContent, d.querySelector("dd").textContent])),
    );
    assert.equal(facts["编码"], "Excel .xlsx");
    assert.equal(facts["工作表"], "订单");
    assert.equal(Number(facts["读取行数"]), report.rowsRead);
    assert.equal(Number(facts["使用行数"]), report.rowsUsed);
    assert.deepEqual(
        await shownRejections(page, "orders"),
        report.rejected.map((r) => ({ row: r.row, column: r.column || "整行", value: r.value, reason: r.reasonZh })),
    );
    assert.deepEqual(report.rejected.map((r) => r.code), ["cell_error", "bad_date", "field_count"]);
    assert.equal(count(await page.textContent("#kpi-members")), summary.members);
    assert.equal(await page.textContent("#kpi-revenue"), money(summary.revenueFen));
    await page.waitForTimeout(600);
    await screenshot(page, "xlsx-import-1280x900");

    // A damaged workbook: a clear error, and the data shown stays.
    await page.setInputFiles("#file-input", { name: "坏的.xlsx", mimeType: XLSX_TYPE, buffer: buffer.subarray(0, 2000) });
    await page.waitForFunction(() => document.querySelector("#error-message")?.textContent.includes("Excel"));
    assert.match(await page.textContent("#error-message"), /无法读取该 Excel 工作簿/);
    assert.equal(await page.textContent("#kpi-revenue"), money(summary.revenueFen));
    assert.deepEqual(env.pageErrors.filter((e) => !/BAD_WORKBOOK|Excel/.test(e)), []);
    ws.free();
});
