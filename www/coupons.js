// The coupon checker (优惠券): choose a member and a coupon template of the
// rules → eligible, or every rule that fails with its reason (and the order
// amount to check the minimum spend); the coupons to remind members of today
// ("您有一张优惠券即将到期"); issue and use rates by coupon. Everything comes
// from the worker's couponTemplates / couponEligibility / couponReminders /
// couponStats.

import { $, el } from "./dom.js";
import { currentLang, formatInt, formatMoney, formatPercent, t } from "./i18n.js";

/** Reminder rows shown (the total is always shown). */
const REMINDER_ROWS = 20;

export class CouponChecker {
    /**
      * @param {import("./analysis.js").Analysis} analysis
      * @param {{ onError: (e: Error) => void }} hooks
      */
    constructor(analysis, hooks) {
        this.analysis = analysis;
        this.hooks = hooks;
        this.templates = [];
        this.reminders = null;
        this.stats = null;
        /** The latest check: CouponEligibility, or `{ error }`; null before the first. */
        this.result = null;
        this.bind();
    }

    bind() {
        $("coupon-form").addEventListener("submit", (e) => {
            e.preventDefault();
            this.check();
        });
        $("coupon-template").addEventListener("change", () => this.renderDescription());
    }

    /** New analysis: templates, reminders and rates follow it; the last answer is dropped. */
    async setSummary(summary) {
        this.result = null;
        try {
            [this.templates, this.reminders, this.stats] = await Promise.all([
                this.analysis.couponTemplates(),
                this.analysis.couponReminders({ limit: REMINDER_ROWS }),
                this.analysis.couponStats(),
            ]);
        } catch (e) {
            this.hooks.onError(e);
        }
        const member = $("coupon-member");
        if (!member.value && this.reminders?.rows.length) member.value = this.reminders.rows[0].memberId;
        this.render();
    }

    clear() {
        this.templates = [];
        this.reminders = null;
        this.stats = null;
        this.result = null;
        this.render();
    }

    async check() {
        const memberId = $("coupon-member").value.trim();
        const coupon = $("coupon-template").value;
        if (!memberId || !coupon) return;
        const spend = $("coupon-spend").value.trim();
        const options = spend === "" ? {} : { spendFen: Math.round(Number(spend) * 100) };
        try {
            this.result = await this.analysis.couponEligibility(memberId, coupon, options);
        } catch (e) {
            this.result = { error: e };
        }
        this.renderResult();
    }

    name(item, zh = "name", en = "nameEn") {
        return currentLang() === "zh" ? item[zh] : item[en];
    }

    render() {
        const select = $("coupon-template");
        const chosen = select.value;
        select.replaceChildren(
            ...this.templates.map((tpl) => {
                const [name, kind] = [this.name(tpl), this.name(tpl, "kindName", "kindNameEn")];
                return el("option", { value: tpl.key }, name === kind ? name : `${name} · ${kind}`);
            }),
        );
        if (this.templates.some((tpl) => tpl.key === chosen)) select.value = chosen;
        $("coupon-check").disabled = !this.templates.length;
        this.renderDescription();
        this.renderResult();
        this.renderReminders();
        this.renderStats();
    }

    renderDescription() {
        const tpl = this.templates.find((x) => x.key === $("coupon-template").value);
        $("coupon-description").textContent = tpl ? this.name(tpl, "description", "descriptionEn") : "";
    }

    renderResult() {
        const box = $("coupon-result");
        const r = this.result;
        box.hidden = !r;
        if (!r) return box.replaceChildren();
        if (r.error) {
            box.dataset.eligible = "error";
            return box.replaceChildren(el("p", { className: "coupon-verdict" }, r.error.message));
        }
        box.dataset.eligible = String(r.eligible);
        const coupon = this.name(r);
        const verdict = r.eligible
            ? t("couponEligible", { member: r.memberId, coupon, expires: r.expires })
            : t("couponNotEligible", { member: r.memberId, coupon, n: r.failures.length });
        const facts = t("couponIssuedFacts", { mine: formatInt(r.issuedToMember), total: formatInt(r.issuedTotal), at: r.at });
        const reasons = r.failures.map((f) =>
            el(
                "li",
                { dataset: { code: f.code } },
                el("code", {}, f.code),
                " ",
                currentLang() === "zh" ? f.reasonZh : f.reason,
            ),
        );
        box.replaceChildren(
            el("p", { className: "coupon-verdict" }, verdict),
            reasons.length ? el("ul", { className: "coupon-reasons" }, reasons) : null,
            el("p", { className: "muted" }, facts),
        );
    }

    renderReminders() {
        const page = this.reminders;
        $("coupon-reminders-total").textContent = page
            ? t("couponRemindersTotal", { n: formatInt(page.total), at: page.at })
            : "";
        $("coupon-reminders-message").textContent = page ? `“${currentLang() === "zh" ? page.message : page.messageEn}”` : "";
        $("coupon-reminder-rows").replaceChildren(
            ...(page?.rows ?? []).map((r) =>
                el(
                    "tr",
                    { dataset: { id: r.memberId } },
                    el("td", {}, r.memberId),
                    el("td", {}, r.name),
                    el("td", {}, r.phone),
                    el("td", {}, this.name(r, "couponName", "couponNameEn")),
                    el("td", {}, r.expires),
                    el("td", { className: "num" }, r.daysLeft === 0 ? t("couponToday") : formatInt(r.daysLeft)),
                ),
            ),
        );
    }

    renderStats() {
        const stats = this.stats;
        $("coupon-stats-none").hidden = !stats || stats.hasCouponEvents;
        $("coupon-stats-rows").replaceChildren(
            ...(stats?.coupons ?? []).map((c) => {
                const budget = c.budgetCount != null
                    ? t("couponBudgetCount", { n: formatInt(c.budgetCount) })
                    : c.budgetFen != null
                      ? formatMoney(c.budgetFen)
                      : "—";
                return el(
                    "tr",
                    { dataset: { key: c.key } },
                    el("td", {}, this.name(c)),
                    el("td", { className: "num" }, formatInt(c.issued)),
                    el("td", { className: "num" }, formatInt(c.used)),
                    el("td", { className: "num" }, formatPercent(c.useRate)),
                    el("td", { className: "num" }, formatInt(c.membersIssued)),
                    el("td", { className: "num" }, c.issuedFaceFen == null ? "—" : formatMoney(c.issuedFaceFen)),
                    el("td", { className: "num" }, budget),
                );
            }),
        );
    }
}
