// The lifecycle moves (`summary.lifecycleMoves`): how many members went from
// the stage they were in on `lifecycleSince` (rows; "joined since" first) to
// the stage they are in now (columns). The cells a store owner acts on are
// marked: active → dormant, dormant → churned, and dormant / churned → active
// (won back), with their totals in a legend below.

import { $, el } from "./dom.js";
import { countLabel, formatInt, t } from "./i18n.js";

/** Marked moves: "from>to" → kind (a class of the cell and a legend entry). */
const MARKED = {
    "active>dormant": "slipping",
    "dormant>churned": "lost",
    "dormant>active": "wonBack",
    "churned>active": "wonBack",
};

/** The moves as "from>to" → members; from null is written "". */
function movesByCell(moves) {
    return new Map(moves.map((m) => [`${m.from ?? ""}>${m.to}`, m.members]));
}

/** Draw the moves table and its legend; `summary` null empties them. */
export function renderMoves(summary) {
    if (!summary) {
        $("moves-title").textContent = "";
        $("moves-table").replaceChildren();
        $("moves-legend").replaceChildren();
        return;
    }
    const stages = summary.lifecycle;
    const cells = movesByCell(summary.lifecycleMoves);
    const rows = [{ key: "", label: t("movesJoined") }, ...stages.map((c) => ({ key: c.key, label: countLabel(c) }))];
    const totals = { slipping: 0, lost: 0, wonBack: 0 };
    for (const [cell, kind] of Object.entries(MARKED)) totals[kind] += cells.get(cell) ?? 0;

    $("moves-title").textContent = t("movesTitle", { since: summary.lifecycleSince });
    $("moves-table").replaceChildren(
        el(
            "thead",
            {},
            el(
                "tr",
                {},
                el("th", {}, t("movesCorner")),
                stages.map((c) => el("th", { className: "num" }, countLabel(c))),
            ),
        ),
        el(
            "tbody",
            {},
            rows.map((row) =>
                el(
                    "tr",
                    {},
                    el("th", { scope: "row" }, row.label),
                    stages.map((to) => {
                        const n = cells.get(`${row.key}>${to.key}`) ?? 0;
                        const kind = MARKED[`${row.key}>${to.key}`];
                        return el(
                            "td",
                            {
                                className: ["num", kind && `move-${kind}`, n === 0 && "zero"].filter(Boolean).join(" "),
                                dataset: { from: row.key, to: to.key },
                            },
                            n === 0 ? "·" : formatInt(n),
                        );
                    }),
                ),
            ),
        ),
    );
    $("moves-legend").replaceChildren(
        ...Object.entries(totals).map(([kind, n]) =>
            el(
                "span",
                { className: "tag", dataset: { kind } },
                el("span", { className: `dot move-${kind}` }),
                t(`move_${kind}`, { n: formatInt(n) }),
            ),
        ),
    );
}
