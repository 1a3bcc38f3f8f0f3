// The rules editor (规则设置): the whole rules document as JSON text — RFM,
// value groups, levels, tags and every later section (points, coupons, the
// playbook) — checked as the user types by the worker's `validateRules`, which
// names the field at fault. Applying it re-runs the analysis; the worker keeps
// it in this browser (IndexedDB) until it is reset or the local data cleared.

import { $, el } from "./dom.js";
import { t } from "./i18n.js";

/** Wait after the last keystroke before checking. */
const DEBOUNCE_MS = 250;

function isJson(text) {
    try {
        JSON.parse(text);
        return true;
    } catch {
        return false;
    }
}

export class RulesEditor {
    /**
      * @param {import("./analysis.js").Analysis} analysis
      * @param {{ onApplied: () => Promise<void>, onError: (e: Error) => void }} hooks
      */
    constructor(analysis, hooks) {
        this.analysis = analysis;
        this.hooks = hooks;
        /** What the check said about the text now in the box: null (checking), true, or the error. */
        this.verdict = null;
        /** The text last applied (or loaded): the box differs from it when there are edits to apply. */
        this.applied = "";
        this.custom = false;
        this.timer = 0;
        this.checked = 0;
        this.text = $("rules-text");
        this.text.addEventListener("input", () => this.schedule());
        $("rules-section").addEventListener("change", (e) => this.jumpTo(e.target.value));
        $("rules-apply").addEventListener("click", () => this.apply(this.text.value));
        $("rules-reset").addEventListener("click", () => this.apply(null));
    }

    /** Fill the box with the rules in force (the worker's, kept or default). */
    async load() {
        try {
            const { text, custom } = await this.analysis.rulesDocument();
            this.text.value = text;
            this.applied = text;
            this.custom = custom;
            this.verdict = true;
            this.renderSections();
        } catch (e) {
            this.verdict = e;
        }
        this.render();
    }

    schedule() {
        clearTimeout(this.timer);
        this.verdict = null;
        this.render();
        this.timer = setTimeout(() => this.check(), DEBOUNCE_MS);
    }

    async check() {
        const text = this.text.value;
        const ticket = ++this.checked;
        let verdict;
        try {
            await this.analysis.validateRules(text);
            verdict = true;
        } catch (e) {
            verdict = e;
            verdict.syntax = !isJson(text);
        }
        if (ticket !== this.checked || text !== this.text.value) return; // a later edit is being checked
        this.verdict = verdict;
        this.render();
    }

    /** Apply `text` (null: back to the defaults), then re-run the analysis. */
    async apply(text) {
        $("rules-apply").disabled = true;
        $("rules-reset").disabled = true;
        try {
            await this.analysis.setRules(text);
        } catch (e) {
            this.verdict = e;
            this.render();
            return;
        }
        await this.load();
        $("rules-saved").textContent = text === null ? t("rulesResetDone") : t("rulesApplied");
        try {
            await this.hooks.onApplied();
        } catch (e) {
            this.hooks.onError(e);
        }
    }

    /** The document's top-level sections, to jump to. */
    renderSections() {
        let keys = [];
        try {
            keys = Object.keys(JSON.parse(this.text.value));
        } catch {
            // Not JSON just now: keep the list as it is.
            return;
        }
        const choose = el("option", { value: "" }, t("rulesJump"));
        $("rules-section").replaceChildren(choose, ...keys.map((k) => el("option", { value: k }, k)));
    }

    /** Put the caret on the line of top-level key `key` and scroll to it. */
    jumpTo(key) {
        if (!key) return;
        const at = this.text.value.search(new RegExp(`^ {2}"${key}":`, "m"));
        if (at < 0) return;
        this.text.focus();
        this.text.setSelectionRange(at + 2, at + 2 + key.length + 2);
        const line = this.text.value.slice(0, at).split("\n").length - 1;
        const lineHeight = parseFloat(getComputedStyle(this.text).lineHeight) || 18;
        this.text.scrollTop = Math.max(0, (line - 2) * lineHeight);
        $("rules-section").value = "";
    }

    render() {
        const verdict = this.verdict;
        const status = $("rules-status");
        const dirty = this.text.value !== this.applied;
        status.className = "rules-status";
        if (!this.text.value && !this.applied) {
            status.textContent = ""; // not loaded yet
        } else if (verdict === null) {
            status.textContent = t("rulesChecking");
        } else if (verdict === true) {
            status.classList.add("ok");
            status.textContent = dirty ? t("rulesValidEdited") : t(this.custom ? "rulesCustom" : "rulesDefault");
        } else {
            status.classList.add("bad");
            const field = verdict.field && !verdict.syntax ? t("rulesField", { field: verdict.field }) : t("rulesSyntax");
            status.replaceChildren(el("strong", { className: "rules-field" }, field), " ", verdict.message);
        }
        this.text.classList.toggle("invalid", verdict !== null && verdict !== true);
        $("rules-apply").disabled = verdict !== true || !dirty;
        $("rules-reset").disabled = !this.custom && !dirty;
        if (dirty) $("rules-saved").textContent = "";
    }
}
