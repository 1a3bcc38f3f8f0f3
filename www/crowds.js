// The crowd builder (人群圈选): the recommended crowds as chips, a visual
// builder of condition rows that writes the expression text (README "Crowds"),
// the text itself for hand edits, and a live count (`members({ crowd, limit: 0 })`,
// debounced) with the language's error, position included, shown inline.
// Builder → text is one way: a hand edit is what counts until the builder is
// used again. The crowd can be applied to the member table or exported.

import { $, el } from "./dom.js";
import { countLabel, currentLang, formatInt, formatPercent, t } from "./i18n.js";

/** Fields whose values are keys: where their choices come from (a summary count list, or the rules' levels). */
const KEYED = {
    lifecycle: "lifecycle", valueGroup: "valueGroups", grade: "grades", rfmClass: "classes", level: "levels", tag: "tags",
    store: "stores", preferredChannel: "preferredChannels", benefitCard: "benefitCards", wechatFan: "yesNo",
    memberType: "memberTypes",
};

const KEYED_OPS = ["=", "!=", "in"];
const NUMBER_OPS = [">=", ">", "<=", "<", "=", "!="];

/** Wait after the last keystroke before counting. */
const DEBOUNCE_MS = 250;

const isKeyed = (field) => field in KEYED;

/** A new condition row: the first keyed field, no value chosen yet (so it writes nothing). */
const newRow = (field = "lifecycle") => ({ field, op: isKeyed(field) ? "=" : ">=", value: "", values: [], not: false });
const newGroup = () => ({ join: "and", rows: [newRow()] });

/** One row as text, or null while it is incomplete (no value yet). */
function rowText(row) {
    let condition;
    if (row.op === "in") {
        if (!row.values.length) return null;
        condition = `${row.field} in (${row.values.map((v) => JSON.stringify(v)).join(", ")})`;
    } else {
        if (row.value === "") return null;
        const value = isKeyed(row.field) ? JSON.stringify(row.value) : row.value;
        condition = `${row.field} ${row.op} ${value}`;
    }
    return row.not ? `not ${condition}` : condition;
}

/** The builder as an expression: rows joined in each group, groups joined; a group of several rows in parentheses. */
export function builderText(groups, join) {
    const filled = groups
        .map((g) => ({ join: g.join, rows: g.rows.map(rowText).filter(Boolean) }))
        .filter((g) => g.rows.length);
    return filled
        .map((g) => {
            const text = g.rows.join(` ${g.join} `);
            return filled.length > 1 && g.rows.length > 1 ? `(${text})` : text;
        })
        .join(` ${join} `);
}

export class CrowdBuilder {
    /**
      * @param {import("./analysis.js").Analysis} analysis
      * @param {{ onApply: (crowd: string, label: string) => void, onExport: (crowd: string) => Promise<void>, onError: (e: Error) => void,
      *           onCounted?: (crowd: string) => void }} hooks (`onCounted`: after each count, the campaign builder follows the text)
      */
    constructor(analysis, hooks) {
        this.analysis = analysis;
        this.hooks = hooks;
        this.summary = null;
        /** `{ recommended, fields }` from the worker (static; asked once). */
        this.catalog = null;
        /** The rules' member levels (choices of `level`). */
        this.levels = [];
        this.groups = [newGroup()];
        this.join = "and";
        /** The latest count: `{ expr, total }` or `{ expr, error }`; null before the first. */
        this.result = null;
        this.sequence = 0;
        this.timer = null;
        this.bind();
    }

    bind() {
        $("crowd-text").addEventListener("input", () => this.changed());
        $("crowd-add-group").addEventListener("click", () => {
            this.groups.push(newGroup());
            this.builderChanged(true);
        });
        $("crowd-reset").addEventListener("click", () => {
            this.groups = [newGroup()];
            this.join = "and";
            this.builderChanged(true);
        });
        $("crowd-chips").addEventListener("click", (e) => {
            const chip = e.target.closest("button[data-key]");
            const crowd = chip && this.catalog?.recommended.find((c) => c.key === chip.dataset.key);
            if (!crowd) return;
            $("crowd-text").value = crowd.expr;
            this.changed();
        });
        $("crowd-apply").addEventListener("click", () => {
            const crowd = this.text();
            if (crowd) this.hooks.onApply(crowd, this.label(crowd));
        });
        $("crowd-export").addEventListener("click", async () => {
            const crowd = this.text();
            if (!crowd) return;
            const button = $("crowd-export");
            button.disabled = true;
            button.textContent = t("exporting");
            try {
                await this.hooks.onExport(crowd);
            } finally {
                button.textContent = t("crowdExport");
                this.renderActions();
            }
        });
        const rows = $("crowd-groups");
        rows.addEventListener("change", (e) => this.edit(e.target));
        rows.addEventListener("input", (e) => e.target.matches("input[type=number]") && this.edit(e.target));
        rows.addEventListener("click", (e) => {
            const button = e.target.closest("button[data-action]");
            if (button) this.act(button);
        });
    }

    /** New analysis: the choices follow it; the builder and the text stay. */
    async setSummary(summary) {
        this.summary = summary;
        try {
            this.catalog ??= await this.analysis.crowds();
            this.levels = (await this.analysis.rules()).levels.levels;
        } catch (e) {
            this.hooks.onError(e);
        }
        this.render();
        this.count();
    }

    /** The analysis failed: nothing to count. */
    clear() {
        this.summary = null;
        this.result = null;
        this.sequence++;
        this.render();
    }

    /** The expression in force: the text area, as edited or as the builder wrote it. */
    text() {
        return $("crowd-text").value.trim();
    }

    /** A recommended crowd's name when the text is one, else the text. */
    label(crowd) {
        const known = this.catalog?.recommended.find((c) => c.expr === crowd);
        if (!known) return crowd;
        return currentLang() === "zh" ? known.name : known.nameEn;
    }

    /** The choices of a keyed field: [{ key, label }]. */
    choices(field) {
        if (field === "level") {
            return this.levels.map((l) => ({ key: l.key, label: currentLang() === "zh" ? l.name : l.nameEn }));
        }
        if (field === "wechatFan") return [{ key: "yes", label: t("fanYes") }, { key: "no", label: t("fanNo") }];
        if (field === "memberType") return ["personal", "enterprise"].map((key) => ({ key, label: t(`memberType_${key}`) }));
        return (this.summary?.[KEYED[field]] ?? []).map((c) => ({ key: c.key, label: countLabel(c) }));
    }

    /** The row a control belongs to, from its data-group / data-row. */
    rowOf(target) {
        const at = target.closest("[data-row]");
        return at && this.groups[Number(at.dataset.group)]?.rows[Number(at.dataset.row)];
    }

    /** A control of a row changed: fields and operators change the row's shape (redraw), values only the text. */
    edit(target) {
        const row = this.rowOf(target);
        if (!row) return;
        const part = target.dataset.part;
        if (part === "field") {
            Object.assign(row, newRow(target.value), { not: row.not });
            return this.builderChanged(true);
        }
        if (part === "op") {
            row.op = target.value;
            return this.builderChanged(true);
        }
        if (part === "not") row.not = target.checked;
        else if (part === "value") row.value = target.value.trim();
        else if (part === "pick") {
            const picked = new Set(row.values);
            if (target.checked) picked.add(target.value);
            else picked.delete(target.value);
            // In the order the choices are listed.
            row.values = this.choices(row.field).map((c) => c.key).filter((k) => picked.has(k));
        }
        this.builderChanged(false);
    }

    /** The builder's buttons: add or remove a row, the AND / OR toggles. */
    act(button) {
        const { action } = button.dataset;
        const group = this.groups[Number(button.dataset.group)];
        if (action === "join-groups") this.join = button.dataset.join;
        else if (action === "join-rows") group.join = button.dataset.join;
        else if (action === "add-row") group.rows.push(newRow(group.rows.at(-1)?.field));
        else if (action === "remove-row") {
            group.rows.splice(Number(button.dataset.row), 1);
            if (!group.rows.length) this.groups.splice(this.groups.indexOf(group), 1);
            if (!this.groups.length) this.groups.push(newGroup());
        }
        this.builderChanged(true);
    }

    /** The builder writes the text (over any hand edit) and the count follows. */
    builderChanged(redraw) {
        $("crowd-text").value = builderText(this.groups, this.join);
        if (redraw) this.renderBuilder();
        this.changed();
    }

    /** The text changed: count it once typing pauses. */
    changed() {
        this.renderChips();
        this.renderActions();
        clearTimeout(this.timer);
        $("crowd-result").dataset.state = "counting";
        this.timer = setTimeout(() => this.count(), DEBOUNCE_MS);
    }

    async count() {
        clearTimeout(this.timer);
        if (!this.summary) return;
        const expr = this.text();
        const sequence = ++this.sequence;
        $("crowd-result").dataset.state = "counting";
        let result;
        try {
            result = { expr, total: (await this.analysis.members({ crowd: expr, limit: 0 })).total };
        } catch (e) {
            // Shown inline, whatever it is: a malformed crowd, or the data changing under a load.
            result = { expr, error: e.message.replace(/^bad options: crowd: /, "") };
        }
        if (sequence !== this.sequence) return;
        this.result = result;
        this.renderResult();
        this.renderActions();
        this.hooks.onCounted?.(expr);
    }

    // ---- drawing ------------------------------------------------------------

    /** Everything (also after a language switch). */
    render() {
        this.renderChips();
        this.renderBuilder();
        this.renderResult();
        this.renderActions();
    }

    renderChips() {
        const text = this.text();
        const crowds = this.catalog?.recommended ?? [];
        $("crowd-chips").replaceChildren(
            ...crowds.map((c) =>
                el(
                    "button",
                    {
                        type: "button",
                        className: "crowd-chip",
                        title: c.expr,
                        ariaPressed: String(c.expr === text),
                        dataset: { key: c.key },
                    },
                    currentLang() === "zh" ? c.name : c.nameEn,
                ),
            ),
        );
    }

    /** A segmented AND / OR toggle. */
    toggle(action, current, group) {
        return el(
            "span",
            { className: "crowd-join", role: "group", dataset: { scope: action } },
            ["and", "or"].map((join) =>
                el(
                    "button",
                    {
                        type: "button",
                        className: "crowd-join-option",
                        ariaPressed: String(current === join),
                        dataset: { action, join, ...(group == null ? {} : { group }) },
                    },
                    t(`crowdJoin_${join}`),
                ),
            ),
        );
    }

    renderValue(row) {
        if (!isKeyed(row.field)) {
            return el("input", {
                type: "number",
                step: "any",
                className: "crowd-value",
                value: row.value,
                placeholder: t("crowdNumber"),
                ariaLabel: t("crowdValue"),
                dataset: { part: "value" },
            });
        }
        const choices = this.choices(row.field);
        if (row.op === "in") {
            return el(
                "span",
                { className: "crowd-picks crowd-value", role: "group", ariaLabel: t("crowdValue") },
                choices.map((c) =>
                    el(
                        "label",
                        { className: "crowd-pick" },
                        el("input", { type: "checkbox", value: c.key, checked: row.values.includes(c.key), dataset: { part: "pick" } }),
                        c.label,
                    ),
                ),
            );
        }
        const select = el(
            "select",
            { className: "crowd-value", ariaLabel: t("crowdValue"), dataset: { part: "value" } },
            el("option", { value: "" }, t("crowdChoose")),
            choices.map((c) => el("option", { value: c.key }, c.label)),
        );
        select.value = row.value;
        return select;
    }

    renderRow(row, at) {
        const fields = this.catalog?.fields ?? [];
        const field = el(
            "select",
            { className: "crowd-field", ariaLabel: t("crowdField"), dataset: { part: "field" } },
            fields.map((f) => el("option", { value: f.name, title: f.meaning }, `${t(`crowdField_${f.name}`)} (${f.name})`)),
        );
        field.value = row.field;
        const op = el(
            "select",
            { className: "crowd-op", ariaLabel: t("crowdOp"), dataset: { part: "op" } },
            (isKeyed(row.field) ? KEYED_OPS : NUMBER_OPS).map((o) => el("option", { value: o }, t(`crowdOp_${o}`))),
        );
        op.value = row.op;
        return el(
            "div",
            { className: "crowd-row", dataset: at },
            el(
                "label",
                { className: "crowd-not", title: t("crowdNotHint") },
                el("input", { type: "checkbox", checked: row.not, dataset: { part: "not" } }),
                t("crowdNot"),
            ),
            field,
            op,
            this.renderValue(row),
            el(
                "button",
                {
                    type: "button",
                    className: "btn btn-quiet crowd-remove",
                    ariaLabel: t("crowdRemove"),
                    title: t("crowdRemove"),
                    dataset: { action: "remove-row", ...at },
                },
                "×",
            ),
        );
    }

    renderBuilder() {
        const blocks = [];
        this.groups.forEach((group, g) => {
            if (g > 0) blocks.push(el("div", { className: "crowd-between" }, this.toggle("join-groups", this.join)));
            blocks.push(
                el(
                    "div",
                    { className: "crowd-group", dataset: { group: g } },
                    el(
                        "div",
                        { className: "crowd-group-head" },
                        el("span", { className: "muted" }, t("crowdGroupTitle", { n: g + 1 })),
                        group.rows.length > 1 ? [el("span", { className: "muted" }, t("crowdRowsJoin")), this.toggle("join-rows", group.join, g)] : null,
                    ),
                    group.rows.map((row, r) => this.renderRow(row, { group: g, row: r })),
                    el(
                        "button",
                        { type: "button", className: "btn btn-quiet crowd-add-row", dataset: { action: "add-row", group: g } },
                        t("crowdAddRow"),
                    ),
                ),
            );
        });
        $("crowd-groups").replaceChildren(...blocks);
    }

    renderResult() {
        const box = $("crowd-result");
        const result = this.result;
        const all = this.summary?.members ?? 0;
        box.dataset.state = !result ? "" : result.error != null ? "error" : "ok";
        box.dataset.expr = result?.expr ?? "";
        $("crowd-text").classList.toggle("invalid", result?.error != null);
        $("crowd-error").hidden = result?.error == null;
        $("crowd-error").textContent = result?.error == null ? "" : t("crowdError", { message: result.error });
        const counted = result && result.error == null;
        $("crowd-count").textContent = counted ? t("total", { n: formatInt(result.total) }) : "—";
        $("crowd-share").textContent = !counted
            ? ""
            : result.expr
              ? t("crowdShare", { all: formatInt(all), pct: formatPercent(all ? result.total / all : 0) })
              : t("crowdEverybody");
    }

    /** Apply and export need a counted, non-empty crowd. */
    renderActions() {
        const ok = Boolean(this.summary && this.text() && this.result?.error == null && this.result.expr === this.text());
        $("crowd-apply").disabled = !ok;
        $("crowd-export").disabled = !ok;
    }
}
