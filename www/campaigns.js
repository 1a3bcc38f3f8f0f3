// The campaign builder (营销活动, DOMAIN §10; README "Offers and campaigns"):
// choose a crowd (a recommended one, the crowd builder's, or everyone), the
// playbook's offers, a budget, a per-member cap, a holdout share and a send
// date; every change plans again (`planCampaign`, debounced) and shows the
// counts, the cost, the budget left, the offers and the first rows. The send
// list and the holdout list download as the package's CSV (`exportCampaign`),
// and the uplift panel compares treated and holdout once later orders are in.
// `renderOffers` draws a member's ranked offers (the member profile uses it).

import { $, el, fact, fillRows } from "./dom.js";
import { parseFen } from "./draws.js";
import { currentLang, formatInt, formatMoney, formatPercent, t } from "./i18n.js";

/** Wait after the last change before planning. */
const DEBOUNCE_MS = 250;
/** Rows of the plan shown. */
export const CAMPAIGN_ROWS = 20;
/** The crowd choice that takes the crowd builder's expression. */
const FROM_BUILDER = "builder";
/** The API's option names → the inputs that set them (an error names its input). */
const INPUTS = {
    id: "campaign-id",
    crowd: "campaign-crowd",
    offers: "campaign-offers",
    budgetFen: "campaign-budget",
    perMemberCap: "campaign-cap",
    holdoutShare: "campaign-holdout",
    sendDate: "campaign-date",
};
/** The plan's counts, in the order shown: [field, label key]. */
const COUNTS = [
    ["crowdMembers", "campaignCrowdMembers"],
    ["eligible", "campaignEligible"],
    ["targeted", "campaignTargeted"],
    ["treated", "campaignTreated"],
    ["holdout", "campaignHoldout"],
    ["unfunded", "campaignUnfunded"],
    ["costFen", "campaignCost"],
    ["holdoutCostFen", "campaignHoldoutCost"],
    ["remainingFen", "campaignRemaining"],
];

const zh = () => currentLang() === "zh";

/** An offer's cells as shown: name, reason, channel, send time, cost. */
function offerCells(offer) {
    return [
        el("td", {}, zh() ? offer.name : offer.nameEn),
        el("td", { className: "wrap" }, zh() ? offer.reason : offer.reasonEn),
        el("td", {}, zh() ? offer.channelName : offer.channelNameEn),
        el("td", {}, offer.sendAt),
        el("td", { className: "num" }, formatMoney(offer.costFen)),
    ];
}

const offerHeads = () =>
    [
        el("th", {}, t("colOffer")),
        el("th", {}, t("colOfferReason")),
        el("th", {}, t("colOfferChannel")),
        el("th", {}, t("colSendAt")),
        el("th", { className: "num" }, t("colCost")),
    ];

/** A member's ranked offers (`offers(id)`) as a table, or a line saying there is none. */
export function renderOffers(offers) {
    if (!offers.length) return el("p", { className: "muted" }, t("noOffers"));
    return el(
        "div",
        { className: "table-scroll" },
        el(
            "table",
            { className: "data-table offers-table" },
            el("thead", {}, el("tr", {}, offerHeads())),
            el("tbody", {}, offers.map((o) => el("tr", { dataset: { key: o.key } }, offerCells(o)))),
        ),
    );
}

/** A file name part from a campaign id: characters file systems refuse become "_". */
const fileSafe = (id) => id.replace(/[\\/:*?"<>|\u0000-\u001f]/g, "_");

/** An error of the form, naming its input. */
function bad(input, key) {
    return Object.assign(new Error(t(key)), { code: "BAD_OPTIONS", input });
}

export class CampaignBuilder {
    /**
      * @param {import("./analysis.js").Analysis} analysis
      * @param {{ builderCrowd: () => string, crowdLabel: (expr: string) => string,
      *           showMember: (id: string) => void, onError: (e: Error) => void }} hooks
      */
    constructor(analysis, hooks) {
        this.analysis = analysis;
        this.hooks = hooks;
        this.summary = null;
        /** The recommended crowds `[{ key, name, nameEn, expr }]` (asked once). */
        this.recommended = null;
        /** The playbook's offers and benefit cards: `[{ key, name, nameEn, costFen }]`. */
        this.offers = [];
        /** Offer keys the user unticked (new offers start ticked). */
        this.unticked = new Set();
        /** The id and send date follow the analysis date until the user edits them. */
        this.edited = { id: false, date: false };
        /** The latest plan: `{ options, plan }` or `{ options, error }`; null before the first. */
        this.result = null;
        /** The latest uplift: `{ uplift }` or `{ error }`; null when there is none to show. */
        this.uplift = null;
        this.sequence = 0;
        this.timer = null;
        this.pending = null;
        this.bind();
    }

    bind() {
        $("campaign-id").addEventListener("input", () => {
            this.edited.id = true;
            this.changed();
        });
        $("campaign-date").addEventListener("input", () => {
            this.edited.date = true;
            this.changed();
        });
        for (const id of ["campaign-budget", "campaign-cap", "campaign-holdout"]) {
            $(id).addEventListener("input", () => this.changed());
        }
        $("campaign-crowd").addEventListener("change", () => this.changed());
        $("campaign-offers").addEventListener("change", (e) => {
            if (!e.target.matches("input[type=checkbox]")) return;
            if (e.target.checked) this.unticked.delete(e.target.value);
            else this.unticked.add(e.target.value);
            this.renderOfferCount();
            this.changed();
        });
        $("campaign-offers-all").addEventListener("click", () => this.tickAll(true));
        $("campaign-offers-none").addEventListener("click", () => this.tickAll(false));
        $("campaign-download").addEventListener("click", () => this.download("send"));
        $("campaign-download-holdout").addEventListener("click", () => this.download("holdout"));
        $("campaign-uplift-run").addEventListener("click", () => this.measure());
        $("campaign-rows").addEventListener("click", (e) => {
            const row = e.target.closest("tr[data-id]");
            if (row) this.hooks.showMember(row.dataset.id);
        });
    }

    /** New analysis: the offers follow the rules, the defaults the analysis date; plan again. */
    async setSummary(summary) {
        this.summary = summary;
        this.uplift = null;
        if (!this.edited.id) $("campaign-id").value = `campaign-${summary.asOf}`;
        if (!this.edited.date) $("campaign-date").value = summary.asOf;
        try {
            this.recommended ??= (await this.analysis.crowds()).recommended;
            const { playbook } = await this.analysis.rules();
            const fen = (yuan) => Math.round(yuan * 100);
            this.offers = [...playbook.offers, ...playbook.benefitCards].map((o) => ({
                key: o.key,
                name: o.name,
                nameEn: o.nameEn,
                costFen: fen(o.cost),
            }));
            const keys = new Set(this.offers.map((o) => o.key));
            for (const key of this.unticked) if (!keys.has(key)) this.unticked.delete(key);
        } catch (e) {
            this.hooks.onError(e);
        }
        this.render();
        await this.plan();
    }

    /** The analysis failed: nothing to plan. */
    clear() {
        this.summary = null;
        this.result = null;
        this.uplift = null;
        this.sequence++;
        clearTimeout(this.timer);
        this.render();
    }

    /** The crowd builder's expression changed: relabel its choice; plan again when the campaign uses it. */
    builderChanged() {
        const option = $("campaign-crowd").querySelector(`option[value="${FROM_BUILDER}"]`);
        if (option) this.labelBuilderOption(option);
        if ($("campaign-crowd").value === FROM_BUILDER) this.changed();
    }

    /** "人群圈选：<its name or expression>", the expression in full as the title. */
    labelBuilderOption(option) {
        const builder = this.hooks.builderCrowd();
        const label = builder ? this.hooks.crowdLabel(builder) : t("campaignBuilderEmpty");
        option.title = builder;
        option.textContent = t("campaignFromBuilder", { crowd: label.length > 40 ? `${label.slice(0, 40)}…` : label });
    }

    tickAll(on) {
        this.unticked = on ? new Set() : new Set(this.offers.map((o) => o.key));
        this.renderOffersPicker();
        this.changed();
    }

    /** The crowd expression chosen, or undefined for everyone. */
    crowd() {
        const choice = $("campaign-crowd").value;
        if (choice === FROM_BUILDER) return this.hooks.builderCrowd() || undefined;
        return this.recommended?.find((c) => c.key === choice)?.expr;
    }

    /** The form as `planCampaign` options (without paging), or throws an error naming the input. */
    options() {
        const id = $("campaign-id").value.trim();
        if (!id || [...id].length > 100) throw bad("campaign-id", "campaignBad_id");
        const options = { id };
        const crowd = this.crowd();
        if (crowd) options.crowd = crowd;
        if (this.unticked.size) options.offers = this.offers.map((o) => o.key).filter((k) => !this.unticked.has(k));
        const budget = $("campaign-budget").value.trim();
        if (budget) {
            options.budgetFen = parseFen(budget);
            if (options.budgetFen === null) throw bad("campaign-budget", "campaignBad_budget");
        }
        const cap = Number($("campaign-cap").value);
        if (!Number.isInteger(cap) || cap < 1 || cap > 100) throw bad("campaign-cap", "campaignBad_cap");
        options.perMemberCap = cap;
        const holdout = $("campaign-holdout").value.trim();
        const pct = Number(holdout);
        if (holdout === "" || !Number.isFinite(pct) || pct < 0 || pct >= 100) {
            throw bad("campaign-holdout", "campaignBad_holdout");
        }
        options.holdoutShare = pct / 100;
        const sendDate = $("campaign-date").value;
        if (!sendDate) throw bad("campaign-date", "campaignBad_date");
        options.sendDate = sendDate;
        return options;
    }

    /** Something changed: plan once typing pauses. */
    changed() {
        clearTimeout(this.timer);
        this.uplift = null;
        this.renderUplift();
        $("campaign-result").dataset.state = "planning";
        this.renderActions();
        this.timer = setTimeout(() => this.plan(), DEBOUNCE_MS);
    }

    /** Plan the form now; → the result shown (also what a download waits for). */
    plan() {
        clearTimeout(this.timer);
        this.timer = null;
        if (!this.summary) return Promise.resolve(null);
        const sequence = ++this.sequence;
        this.pending = (async () => {
            let result;
            let options = null;
            try {
                options = this.options();
                $("campaign-result").dataset.state = "planning";
                result = { options, plan: await this.analysis.planCampaign({ ...options, limit: CAMPAIGN_ROWS }) };
            } catch (e) {
                result = { options, error: e };
            }
            if (sequence !== this.sequence) return this.pending;
            this.result = result;
            this.renderResult();
            return result;
        })();
        return this.pending;
    }

    /** Download the send list (or the holdout) of the plan shown, planning first if a change is waiting. */
    async download(list) {
        const result = this.timer ? await this.plan() : await this.pending;
        if (!result?.plan) return;
        const button = $(list === "send" ? "campaign-download" : "campaign-download-holdout");
        button.disabled = true;
        try {
            const bytes = await this.analysis.exportCampaign({ ...result.options, list, lang: currentLang() });
            const name = `campaign-${fileSafe(result.options.id)}${list === "holdout" ? "-holdout" : ""}.csv`;
            const url = URL.createObjectURL(new Blob([bytes], { type: "text/csv;charset=utf-8" }));
            el("a", { href: url, download: name }).click();
            setTimeout(() => URL.revokeObjectURL(url), 60_000);
        } catch (e) {
            this.hooks.onError(e);
        } finally {
            this.renderActions();
        }
    }

    /** Treated against holdout on the orders from the send date, for the plan shown. */
    async measure() {
        const result = this.timer ? await this.plan() : await this.pending;
        if (!result?.plan) return;
        const button = $("campaign-uplift-run");
        button.disabled = true;
        let uplift;
        try {
            const days = Number($("campaign-uplift-days").value);
            if (!Number.isInteger(days) || days < 1 || days > 3660) throw bad("campaign-uplift-days", "campaignBad_days");
            uplift = { uplift: await this.analysis.campaignUplift(result.options, days) };
        } catch (e) {
            uplift = { error: e };
        } finally {
            button.disabled = false;
        }
        if (this.result === result) {
            this.uplift = uplift;
            this.renderUplift();
        }
    }

    // ---- drawing ------------------------------------------------------------

    /** Everything (also after a language switch). */
    render() {
        this.renderCrowds();
        this.renderOffersPicker();
        this.renderResult();
    }

    renderCrowds() {
        const select = $("campaign-crowd");
        const chosen = select.value || "";
        const fromBuilder = el("option", { value: FROM_BUILDER });
        this.labelBuilderOption(fromBuilder);
        select.replaceChildren(
            el("option", { value: "" }, t("campaignEveryone")),
            ...(this.recommended ?? []).map((c) => el("option", { value: c.key, title: c.expr }, zh() ? c.name : c.nameEn)),
            fromBuilder,
        );
        select.value = [...select.options].some((o) => o.value === chosen) ? chosen : "";
    }

    renderOffersPicker() {
        $("campaign-offer-list").replaceChildren(
            ...this.offers.map((o) =>
                el(
                    "label",
                    { className: "campaign-offer", title: zh() ? o.name : o.nameEn },
                    el("input", { type: "checkbox", value: o.key, checked: !this.unticked.has(o.key) }),
                    el("span", {}, zh() ? o.name : o.nameEn),
                    el("small", { className: "muted" }, formatMoney(o.costFen)),
                ),
            ),
        );
        this.renderOfferCount();
    }

    renderOfferCount() {
        $("campaign-offers-count").textContent = t("campaignOffersCount", {
            n: this.offers.length - this.unticked.size,
            all: this.offers.length,
        });
    }

    renderResult() {
        const box = $("campaign-result");
        const result = this.result;
        const plan = result?.plan;
        const error = result?.error;
        box.dataset.state = !result ? "" : error ? "error" : "ok";
        box.dataset.planned = result?.options ? JSON.stringify(result.options) : "";
        for (const input of Object.values(INPUTS)) $(input).classList.remove("invalid");
        const input = error && (error.input ?? INPUTS[String(error.field ?? "").replace(/\[\d+\]$/, "")]);
        if (input) $(input).classList.add("invalid");
        $("campaign-error").hidden = !error;
        $("campaign-error").textContent = error
            ? t("campaignError", { message: error.message.replace(/^bad options: /, "") })
            : "";
        $("campaign-counts").replaceChildren(
            ...COUNTS.map(([field, label]) => {
                let value = "—";
                if (plan) {
                    if (field === "remainingFen" && plan.remainingFen == null) value = t("campaignNoLimit");
                    else value = field.endsWith("Fen") ? formatMoney(plan[field]) : formatInt(plan[field]);
                }
                return fact(t(label), value, { dataset: { key: field } });
            }),
        );
        this.renderPerOffer(plan);
        this.renderRows(plan);
        this.renderUplift();
        this.renderActions();
    }

    renderPerOffer(plan) {
        const used = (plan?.perOffer ?? []).filter((o) => o.treated || o.holdout);
        fillRows(
            $("campaign-offer-rows"),
            used,
            (o) =>
                el(
                    "tr",
                    { dataset: { key: o.key } },
                    el("td", {}, zh() ? o.name : o.nameEn),
                    el("td", { className: "num" }, formatInt(o.treated)),
                    el("td", { className: "num" }, formatInt(o.holdout)),
                    el("td", { className: "num" }, formatMoney(o.costFen)),
                ),
            4,
            t("campaignNoOffers"),
        );
    }

    renderRows(plan) {
        const rows = plan?.rows ?? [];
        fillRows(
            $("campaign-rows"),
            rows,
            (r) =>
                el(
                    "tr",
                    { className: r.holdout ? "clickable holdout" : "clickable", dataset: { id: r.memberId } },
                    el("td", {}, r.memberId),
                    el("td", {}, r.phone || "—"),
                    offerCells(r.offer),
                    el("td", {}, el("span", { className: r.holdout ? "group-chip holdout" : "group-chip" }, t(r.holdout ? "campaignHoldoutMark" : "campaignSendMark"))),
                ),
            8,
            t("noRows"),
        );
        $("campaign-rows-note").textContent = plan
            ? t("campaignRowsNote", { n: formatInt(rows.length), total: formatInt(plan.total) })
            : "";
    }

    renderUplift() {
        const out = $("campaign-uplift-result");
        const shown = this.uplift;
        if (!shown) return out.replaceChildren();
        if (shown.error) {
            return out.replaceChildren(el("p", { className: "crowd-error", role: "alert" }, shown.error.message));
        }
        const u = shown.uplift;
        const message = el("p", { className: `uplift-status uplift-${u.status}` }, zh() ? u.message : u.messageEn);
        if (u.status === "no_data") return out.replaceChildren(message);
        const line = (label, pick, format) => [
            el("th", { scope: "row" }, t(label)),
            el("td", { className: "num" }, format(pick(u.treated))),
            el("td", { className: "num" }, format(pick(u.holdout))),
        ];
        const diff = u.difference;
        const pp = (x) => `${x >= 0 ? "+" : ""}${(x * 100).toFixed(1)}`;
        out.replaceChildren(
            message,
            el(
                "div",
                { className: "table-scroll fit" },
                el(
                    "table",
                    { className: "data-table" },
                    el(
                        "thead",
                        {},
                        el("tr", {}, el("th", {}, ""), el("th", { className: "num" }, t("campaignTreated")), el("th", { className: "num" }, t("campaignHoldout")), el("th", { className: "num" }, t("upliftDifference"))),
                    ),
                    el(
                        "tbody",
                        {},
                        el("tr", {}, line("upliftMembers", (o) => o.members, formatInt), el("td", { className: "num" }, "")),
                        el(
                            "tr",
                            {},
                            line("upliftRepurchase", (o) => o.repurchaseRate, formatPercent),
                            el("td", { className: "num" }, diff ? t("upliftPoints", { n: pp(diff.repurchaseRate) }) : "—"),
                        ),
                        el(
                            "tr",
                            {},
                            line("upliftSpend", (o) => o.spendPerMemberFen, formatMoney),
                            el("td", { className: "num" }, diff ? formatMoney(diff.spendPerMemberFen) : "—"),
                        ),
                    ),
                ),
            ),
            el("p", { className: "muted" }, t("upliftObserved", { days: u.observedDays, of: u.days, date: u.sendDate })),
        );
    }

    /** Downloads and the uplift need a plan of the form as it stands. */
    renderActions() {
        const plan = !this.timer && this.result?.plan;
        $("campaign-download").disabled = !plan || plan.treated === 0;
        $("campaign-download-holdout").disabled = !plan || plan.holdout === 0;
        $("campaign-uplift-run").disabled = !plan || plan.targeted === 0;
    }
}
