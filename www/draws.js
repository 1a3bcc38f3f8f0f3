// The draw page (抽奖与红包, DOMAIN §13): a lottery among the members the table
// shows (or a pasted list), "first N at 1 yuan" from pasted requests, and a
// red-packet split. Every draw comes back with its seed: pasting the seed and
// the same entrants again gives the same winners, which is how anyone checks it.

import { $, el } from "./dom.js";
import { formatInt, formatMoney, t } from "./i18n.js";

/** "12.5" / "¥1,234.50" → fen, exactly (no float); null when it is not an amount. */
export function parseFen(text) {
    const m = /^\s*[¥￥]?\s*(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?\s*$/.exec(text);
    if (!m) return null;
    const yuan = Number(m[1].replaceAll(",", ""));
    const fen = yuan * 100 + Number((m[2] ?? "").padEnd(2, "0"));
    return Number.isSafeInteger(fen) ? fen : null;
}

/** Non-empty trimmed lines. */
const lines = (text) =>
    text
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter(Boolean);

/** A pasted request line "M001, 2026-11-11 20:00:00.250" or "M001, 1762862400250" → [id, ms]; null when unreadable. */
function request(line) {
    const [id, ...rest] = line.split(/[,，\t]/).map((s) => s.trim());
    const when = rest.join(",");
    const ms = /^\d+$/.test(when) ? Number(when) : Date.parse(when.replace(" ", "T"));
    return id && Number.isFinite(ms) ? [id, ms] : null;
}

export class DrawPage {
    /**
      * @param {import("./analysis.js").Analysis} analysis
      * @param {{ tableQuery: () => object, onError: (e: Error) => void }} hooks
      */
    constructor(analysis, hooks) {
        this.analysis = analysis;
        this.hooks = hooks;
        $("draw-kind").addEventListener("change", () => this.showKind());
        $("draw-run").addEventListener("click", () => this.run());
        $("draw-source").addEventListener("change", () => this.showKind());
        this.showKind();
    }

    showKind() {
        const kind = $("draw-kind").value;
        for (const box of document.querySelectorAll("[data-draw-kind]")) {
            box.hidden = !box.dataset.drawKind.split(" ").includes(kind);
        }
        $("draw-entrants").hidden = kind !== "lottery" || $("draw-source").value !== "pasted";
    }

    /** The request for `Workspace.draw`, or throws an error naming the field. */
    async request() {
        const kind = $("draw-kind").value;
        const seed = $("draw-seed").value.trim() || undefined;
        const whole = (id) => {
            const n = Number($(id).value);
            if (!Number.isInteger(n) || n < 1) throw this.bad(id);
            return n;
        };
        if (kind === "lottery") {
            const entrants =
                $("draw-source").value === "pasted"
                    ? lines($("draw-entrants").value)
                    : await this.analysis.memberIds(this.hooks.tableQuery());
            return { kind, entrants, winners: whole("draw-winners"), seed };
        }
        if (kind === "firstN") {
            const requests = lines($("draw-requests").value).map((line, i) => {
                const r = request(line);
                if (!r) throw this.bad("draw-requests", { line: i + 1 });
                return r;
            });
            return { kind, requests, n: whole("draw-winners"), seed };
        }
        const totalFen = parseFen($("draw-total").value);
        if (totalFen === null || totalFen < 1) throw this.bad("draw-total");
        return { kind, totalFen, count: whole("draw-count"), seed };
    }

    bad(id, params = {}) {
        $(id).focus();
        return Object.assign(new Error(t(`drawBad_${id}`, params)), { code: "BAD_OPTIONS", field: id });
    }

    async run() {
        const button = $("draw-run");
        button.disabled = true;
        try {
            const request = await this.request();
            const result = await this.analysis.draw(request);
            this.render(request, result);
        } catch (e) {
            $("draw-result").replaceChildren(el("p", { className: "crowd-error", role: "alert" }, e.message));
        } finally {
            button.disabled = false;
        }
    }

    render(request, result) {
        const out = [];
        if (result.packetsFen) {
            const sum = result.packetsFen.reduce((a, b) => a + b, 0);
            out.push(el("p", {}, t("drawPackets", { n: formatInt(result.packetsFen.length), total: formatMoney(sum) })));
            out.push(el("ol", { className: "draw-list" }, result.packetsFen.map((f) => el("li", {}, formatMoney(f)))));
        } else {
            out.push(
                el("p", {}, t("drawWinners", { n: formatInt(result.winners.length), of: formatInt(result.entrantCount) })),
            );
            out.push(el("ol", { className: "draw-list" }, result.winners.map((w) => el("li", {}, w))));
            out.push(el("p", { className: "muted" }, t("drawDigest", { digest: result.entrantsDigest })));
        }
        out.push(el("p", { className: "draw-seed" }, t("drawSeed"), " ", el("code", { id: "draw-seed-out" }, result.seed)));
        out.push(el("p", { className: "muted" }, t(request.seed ? "drawRechecked" : "drawRecheck")));
        $("draw-result").replaceChildren(...out);
    }
}
