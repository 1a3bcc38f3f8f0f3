// The import report of each loaded file: what was read, how the columns were
// understood, and every rejected row with its reason.

import { el, fact } from "./dom.js";
import { currentLang, delimiterName, fieldName, formatInt, t } from "./i18n.js";

const REJECTED_PAGE = 50;
/** Page of the rejected-rows table, per report. */
const rejectedPage = new WeakMap();

function head(...labels) {
    return el("thead", {}, el("tr", {}, labels.map((key) => el("th", {}, t(key)))));
}

function pageButton(label, disabled, onclick) {
    return el("button", { type: "button", className: "btn btn-quiet", disabled, onclick }, t(label));
}

function rejectedTable(report, rerender) {
    const shown = report.rejected.length;
    const total = report.rejectedTotal;
    const pages = Math.max(1, Math.ceil(shown / REJECTED_PAGE));
    const page = Math.min(rejectedPage.get(report) ?? 0, pages - 1);
    const rows = report.rejected.slice(page * REJECTED_PAGE, (page + 1) * REJECTED_PAGE);
    const zh = currentLang() === "zh";
    const turn = (to) => () => {
        rejectedPage.set(report, to);
        rerender();
    };
    return [
        el("h4", {}, `${t("rejectedTitle")} (${formatInt(total)})`),
        el(
            "div",
            { className: "table-scroll" },
            el(
                "table",
                { className: "data-table rejected" },
                head("colRow", "colColumn", "colValue", "colReason"),
                el(
                    "tbody",
                    {},
                    rows.map((r) =>
                        el(
                            "tr",
                            {},
                            el("td", { className: "num" }, r.row),
                            el("td", {}, r.column || t("wholeRow")),
                            el("td", { className: "wrap" }, r.value),
                            el("td", { className: "wrap" }, zh ? r.reasonZh : r.reason),
                        ),
                    ),
                ),
            ),
        ),
        shown < total
            ? el("p", { className: "muted" }, t("rejectedCapped", { shown: formatInt(shown), total: formatInt(total) }))
            : null,
        pages > 1
            ? el(
                  "div",
                  { className: "pager" },
                  pageButton("prev", page === 0, turn(page - 1)),
                  el("span", { className: "muted" }, t("pageOf", { page: page + 1, pages })),
                  pageButton("next", page >= pages - 1, turn(page + 1)),
              )
            : null,
    ];
}

function reportBlock(report, rerender) {
    const rejected = report.rejectedTotal;
    const dates = report.firstDate ? `${report.firstDate} – ${report.lastDate}` : "—";
    const mapping = Object.entries(report.mapping);
    return el(
        "article",
        { className: "report", dataset: { dataset: report.dataset } },
        el("h3", {}, `${t(report.dataset === "members" ? "datasetMembers" : "datasetOrders")} · ${report.fileName}`),
        el(
            "dl",
            { className: "facts" },
            fact(t("encoding"), report.encoding),
            report.sheet ? fact(t("sheet"), report.sheet) : fact(t("delimiter"), delimiterName(report.delimiter)),
            fact(t("rowsRead"), formatInt(report.rowsRead)),
            fact(t("rowsUsed"), formatInt(report.rowsUsed)),
            fact(t("rowsRejected"), formatInt(rejected), rejected ? { className: "bad" } : {}),
            report.dataset === "orders" ? fact(t("notPurchases"), formatInt(report.notPurchases)) : null,
            fact(t("membersInFile"), formatInt(report.members)),
            fact(t("dateRange"), dates, { className: "wide" }),
        ),
        el("h4", {}, t("mapping")),
        el(
            "div",
            { className: "table-scroll fit" },
            el(
                "table",
                { className: "data-table mapping" },
                head("canonical", "header"),
                el(
                    "tbody",
                    {},
                    mapping.map(([field, header]) =>
                        el("tr", {}, el("td", {}, fieldName(field)), el("td", {}, header)),
                    ),
                ),
            ),
        ),
        el("h4", {}, t("ignored")),
        report.ignoredColumns.length
            ? el("div", { className: "chips" }, report.ignoredColumns.map((c) => el("span", { className: "chip" }, c)))
            : el("p", { className: "muted" }, t("none")),
        rejected ? rejectedTable(report, rerender) : null,
    );
}

/** Show the reports (orders first) in `container`. */
export function renderReports(container, reports) {
    const rerender = () => renderReports(container, reports);
    container.replaceChildren(...reports.filter(Boolean).map((r) => reportBlock(r, rerender)));
}
