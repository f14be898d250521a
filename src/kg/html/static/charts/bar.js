// Bar view: one horizontal bar per result, `value` against `label`, in the results' order
// (the packaged queries sort largest first). Amounts of money are shown in 亿元 / bn yuan.

import { svg, el, val, localHref, fit, formatNumber, formatYuan, YUAN_COLUMNS } from "../ui.js";
import { iriColumn } from "./matrix.js";

const ROW = 24;
const LABEL_EM = 18;
const FONT = 12;
const TRACK = 460;

/** Bars from result rows: label (with the year when there is one), value, link, note. */
export function bars(bindings, vars, { label, value }) {
  const link = iriColumn(label, vars) || ["target", "plan"].find((v) => vars.includes(v));
  return bindings
    .filter((b) => val(b, value) !== "")
    .map((b) => ({
      label: [val(b, label) || val(b, link) || "—", val(b, "year")].filter(Boolean).join(" · "),
      value: Number(val(b, value)),
      iri: link ? val(b, link) : "",
      note: val(b, "originalWording") || val(b, "thresholdWording") || val(b, "targetLabel"),
    }));
}

/** Draw the bars into a container. */
export function draw(container, data, options, lang) {
  const list = bars(data.results.bindings, data.head.vars, options);
  if (!list.length) return;
  const format = YUAN_COLUMNS.has(options.value) ? (v) => formatYuan(v, lang) : (v) => formatNumber(v, lang);
  const max = Math.max(...list.map((b) => b.value), 1);
  const left = LABEL_EM * FONT + 12, width = left + TRACK + 150, height = list.length * ROW + 8;
  const root = svg("svg", { class: "bars", width, height, viewBox: `0 0 ${width} ${height}`, role: "img" });
  list.forEach((b, i) => {
    const y = 4 + i * ROW;
    const text = svg("text", { x: left - 8, y: y + ROW * 0.62, "text-anchor": "end", class: "bar-label" }, fit(b.label, LABEL_EM));
    const length = Math.max(1, (b.value / max) * TRACK);
    root.append(svg("g", { class: "bar", "data-label": b.label, "data-value": b.value },
      svg("title", {}, `${b.label}: ${format(b.value)}${b.note ? ` — ${b.note}` : ""}`),
      b.iri ? svg("a", { href: localHref(b.iri, lang) }, text) : text,
      svg("rect", { x: left, y: y + 3, width: length, height: ROW - 8, rx: 2 }),
      svg("text", { x: left + length + 6, y: y + ROW * 0.62, class: "bar-value" }, format(b.value))));
  });
  container.replaceChildren(el("div", { class: "scroll" }, root));
}
