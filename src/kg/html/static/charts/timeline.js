// Timeline view: one line per dated result, a dot at its date (`date`, as precise as the
// data: a year, a month or a day) and, when the results have periodStart/periodEnd, a bar
// for the period; a legend says which is which. Rows without a date are listed apart,
// under the chart, never placed on the axis. Titles are wrapped, never cut.

import { svg, el, val, localHref, wrap, multiline, word } from "../ui.js";

const ROW = 22;
const LINE = 14;
const LABEL_EM = 24;
const FONT = 12;
const TRACK = 560;

/** A date literal (2023, 2023-09, 2023-09-12) as a fractional year; NaN when absent. */
export function yearOf(text) {
  const m = /^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?/.exec(text || "");
  if (!m) return NaN;
  const [year, month, day] = [Number(m[1]), Number(m[2] || 0), Number(m[3] || 0)];
  if (!month) return year + 0.5;
  return year + (month - 1) / 12 + (day ? (day - 1) / 365 : 1 / 24);
}

/** The IRI column a label column names (title → plan, targetLabel → target). */
export function subjectColumn(labelCol, vars) {
  if (labelCol.endsWith("Label") && vars.includes(labelCol.slice(0, -5))) return labelCol.slice(0, -5);
  return ["plan", "target", "entity"].find((v) => vars.includes(v)) || null;
}

/** Items of the timeline from result rows. */
export function items(bindings, vars, { date, label }) {
  const subject = subjectColumn(label, vars);
  return bindings.map((b) => ({
    label: val(b, label) || val(b, subject),
    iri: subject ? val(b, subject) : "",
    date: val(b, date),
    at: yearOf(val(b, date)),
    from: Number(val(b, "periodStart")) || NaN,
    to: Number(val(b, "periodEnd")) || NaN,
    region: val(b, "regionLabel"),
  }));
}

/** The years the axis spans (whole years around every date and period of dated items). */
export function span(list) {
  const values = list.flatMap((i) => [i.at, i.from, i.to + 1]).filter((v) => !Number.isNaN(v));
  if (!values.length) return null;
  return [Math.floor(Math.min(...values)), Math.ceil(Math.max(...values))];
}

/** Draw the timeline into a container: legend, chart of the dated items, the undated apart. */
export function draw(container, data, options, lang) {
  const list = items(data.results.bindings, data.head.vars, options);
  const dated = list.filter((i) => !Number.isNaN(i.at)), undated = list.filter((i) => Number.isNaN(i.at));
  const years = span(dated);
  const parts = [];
  if (years) {
    const periods = dated.some((i) => !Number.isNaN(i.from) && !Number.isNaN(i.to));
    parts.push(legend(periods));
    parts.push(el("div", { class: "scroll" }, chart(dated, years, lang)));
  }
  if (undated.length) {
    parts.push(el("h3", { class: "undated-heading", text: word("js_undated") }),
      el("ul", { class: "undated" }, undated.map((item) => el("li", { class: "item undated", "data-date": "" },
        item.iri ? el("a", { href: localHref(item.iri, lang), text: item.label }) : item.label,
        item.region ? ` — ${item.region}` : ""))));
  }
  container.replaceChildren(...parts);
}

function legend(periods) {
  const dot = svg("svg", { width: 14, height: 14, "aria-hidden": "true" }, svg("circle", { cx: 7, cy: 7, r: 5, class: "dot" }));
  const bar = svg("svg", { width: 26, height: 14, "aria-hidden": "true" }, svg("rect", { x: 1, y: 3, width: 24, height: 8, rx: 4, class: "period" }));
  return el("ul", { class: "legend chart-legend" },
    el("li", {}, dot, " ", word("js_legend_issued")),
    periods ? el("li", {}, bar, " ", word("js_legend_period")) : null);
}

function chart(dated, years, lang) {
  const left = LABEL_EM * FONT + 14, top = 26;
  const x = (year) => left + ((year - years[0]) / Math.max(1, years[1] - years[0])) * TRACK;
  const rows = dated.map((item) => {
    const name = item.region ? `${item.label} — ${item.region}` : item.label;
    const lines = wrap(name, LABEL_EM);
    return { item, name, lines, height: Math.max(ROW, lines.length * LINE + 8) };
  });
  const width = left + TRACK + 20;
  const height = top + rows.reduce((sum, r) => sum + r.height, 0) + 10;
  const root = svg("svg", { class: "timeline", width, height, viewBox: `0 0 ${width} ${height}`,
    role: "group", "aria-label": word("js_chart_timeline", { n: dated.length }) });
  const step = years[1] - years[0] > 16 ? 5 : years[1] - years[0] > 8 ? 2 : 1;
  for (let y = years[0]; y <= years[1]; y += step) {
    root.append(svg("line", { x1: x(y), x2: x(y), y1: top - 6, y2: height - 6, class: "grid" }),
      svg("text", { x: x(y), y: top - 10, "text-anchor": "middle", class: "tick" }, String(y)));
  }
  let y0 = top;
  for (const r of rows) {
    root.append(row(r, y0, { x, left, lang }));
    y0 += r.height;
  }
  return root;
}

function row({ item, name, lines, height }, y0, { x, left, lang }) {
  const y = y0 + height / 2;
  const group = svg("g", { class: "item", "data-date": item.date });
  const firstLine = y + 4 - ((lines.length - 1) * LINE) / 2;
  const text = multiline({ x: left - 10, y: firstLine, "text-anchor": "end", class: "item-label" }, lines, LINE);
  group.append(svg("title", {}, `${name}${item.date ? ` (${item.date})` : ""}`));
  group.append(item.iri ? svg("a", { href: localHref(item.iri, lang) }, text) : text);
  if (!Number.isNaN(item.from) && !Number.isNaN(item.to)) {
    group.append(svg("rect", { x: x(item.from), y: y - 4, width: Math.max(2, x(item.to + 1) - x(item.from)), height: 8,
      rx: 4, class: "period" }));
  }
  group.append(svg("circle", { cx: x(item.at), cy: y, r: 5, class: "dot" }));
  return group;
}
