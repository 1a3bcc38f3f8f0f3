// A tiny element builder: text always goes in as text, never as HTML, because
// names and values come from the user's files.

/** `el("td", { className: "num" }, "12")`; children are nodes, strings or null. */
export function el(tag, props = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props)) {
        if (key === "dataset") Object.assign(node.dataset, value);
        else if (key === "style") node.style.cssText = value;
        else node[key] = value;
    }
    for (const child of children.flat()) {
        if (child != null) node.append(child instanceof Node ? child : String(child));
    }
    return node;
}

/** `<div><dt>label</dt><dd>value</dd></div>` for a `<dl class="facts">`; `props` go on the div. */
export function fact(label, value, props = {}) {
    return el("div", props, el("dt", {}, label), el("dd", {}, value));
}

/** A table cell with optional classes (`"num"` right-aligns it); a missing value shows as "—". */
export function td(text, className = "") {
    return el("td", className ? { className } : {}, text ?? "—");
}

/**
 * A table row for one member that opens the member when clicked: id, name and
 * phone ("—" when missing), then `cells`.
 */
export function memberRow(id, name, phone, ...cells) {
    return el("tr", { className: "clickable", dataset: { id } }, td(id), td(name || "—"), td(phone || "—"), ...cells);
}

/**
 * Fill a `<tbody>` with `row(item)` for each item, or, when there are none, one
 * row whose single cell spans `columns` and says `emptyText`.
 */
export function fillRows(tbody, items, row, columns, emptyText) {
    const empty = () => el("tr", {}, el("td", { className: "empty", colSpan: columns }, emptyText));
    tbody.replaceChildren(...(items.length ? items.map((item) => row(item)) : [empty()]));
}

export const $ = (id) => document.getElementById(id);
