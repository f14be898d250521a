// Bar view: one horizontal bar per result, `value` against `label`, in the results' order
// (the packaged queries sort largest first). Amounts of money are shown in 亿元 / bn yuan,
// with their qualifier (左右, 以上…) as the article gives it. Money targets measure different
// things (main business revenue, output value, industry scale): each metric has its own
// group of bars and its own scale, so bars of different metrics are never compared.

import { svg, el, val, localHref, wrap, multiline, formatNumber, formatYuan, YUAN_COLUMNS, word, hasWord } from "../ui.js";
import { iriColumn } from "./matrix.js";

const ROW = 24;
const LINE = 14;
const LABEL_EM = 18;
const FONT = 12;
const TRACK = 420;

/** What a money target measures, from its wording or its name ("" when they name none). */
export function metricOf(wording) {
  if (/业务收入|营业收入|营收|revenue/i.test(wording)) return "revenue";
  if (/产值|output value/i.test(wording)) return "output";
  if (/规模|scale/i.test(wording)) return "scale";
  return "";
}

/** Bars from result rows: label (with the year when there is one), value, qualifier, metric,
 *  link, note. */
export function bars(bindings, vars, { label, value }) {
  const link = iriColumn(label, vars) || ["target", "plan"].find((v) => vars.includes(v));
  return bindings
    .filter((b) => val(b, value) !== "")
    .map((b) => {
      const note = val(b, "originalWording") || val(b, "thresholdWording") || val(b, "targetLabel");
      return {
        label: [val(b, label) || val(b, link) || "—", val(b, "year")].filter(Boolean).join(" · "),
        value: Number(val(b, value)),
        qualifier: val(b, "qualifierLabel"),
        metric: YUAN_COLUMNS.has(value) ? metricOf(`${val(b, "originalWording")} ${val(b, "targetLabel")}`) : "",
        iri: link ? val(b, link) : "",
        note,
      };
    });
}

/** The bars grouped by metric, in the order each metric first appears. */
export function groups(list) {
  const out = new Map();
  for (const b of list) {
    if (!out.has(b.metric)) out.set(b.metric, []);
    out.get(b.metric).push(b);
  }
  return [...out.entries()];
}

/** Draw the bars into a container: one chart per metric, each with its own scale. */
export function draw(container, data, options, lang) {
  const list = bars(data.results.bindings, data.head.vars, options);
  if (!list.length) return;
  const money = YUAN_COLUMNS.has(options.value);
  const format = money ? (v) => formatYuan(v, lang) : (v) => formatNumber(v, lang);
  const shown = (b) => (b.qualifier ? (lang === "zh" ? `${format(b.value)}${b.qualifier}` : `${format(b.value)} (${b.qualifier})`) : format(b.value));
  const sets = groups(list);
  const parts = [];
  if (sets.length > 1) parts.push(el("p", { class: "chart-note", text: word("js_one_axis") }));
  for (const [metric, items] of sets) {
    const key = `js_metric_${metric || "other"}`;
    const heading = money ? (hasWord(key) ? word(key) : metric) : word(`col_${options.value}`);
    if (money || sets.length > 1) parts.push(el("h3", { class: "metric", text: `${word("js_metric")}: ${heading}` }));
    parts.push(el("div", { class: "scroll" }, chart(items, { shown, lang, heading })));
  }
  container.replaceChildren(...parts);
}

function chart(items, { shown, lang, heading }) {
  const max = Math.max(...items.map((b) => b.value), 1);
  const rows = items.map((b) => {
    const lines = wrap(b.label, LABEL_EM);
    return { b, lines, height: Math.max(ROW, lines.length * LINE + 8) };
  });
  const left = LABEL_EM * FONT + 12, width = left + TRACK + 190;
  const height = rows.reduce((sum, r) => sum + r.height, 0) + 8;
  const root = svg("svg", { class: "bars", width, height, viewBox: `0 0 ${width} ${height}`,
    role: "group", "aria-label": `${heading}: ${word("js_chart_bar", { n: items.length })}` });
  let y = 4;
  for (const { b, lines, height: h } of rows) {
    const mid = y + h / 2;
    const first = mid + 4 - ((lines.length - 1) * LINE) / 2;
    const text = multiline({ x: left - 8, y: first, "text-anchor": "end", class: "bar-label" }, lines, LINE);
    const length = Math.max(1, (b.value / max) * TRACK);
    root.append(svg("g", { class: "bar", "data-label": b.label, "data-value": b.value, "data-metric": b.metric },
      svg("title", {}, `${b.label}: ${shown(b)}${b.note ? ` — ${b.note}` : ""}`),
      b.iri ? svg("a", { href: localHref(b.iri, lang) }, text) : text,
      svg("rect", { x: left, y: mid - (ROW - 8) / 2, width: length, height: ROW - 8, rx: 2 }),
      svg("text", { x: left + length + 6, y: mid + 4, class: "bar-value" }, shown(b))));
    y += h;
  }
  return root;
}
