// Timeline view: one line per result, a dot at its date (`date`, as precise as the data:
// a year, a month or a day) and, when the results have periodStart/periodEnd, a bar for
// the period. Rows without a date are kept, under the dated ones, without a dot.

import { svg, el, val, localHref, fit } from "../ui.js";

const ROW = 22;
const LABEL_EM = 26;
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

/** The years the axis spans (whole years around every date and period). */
export function span(list) {
  const values = list.flatMap((i) => [i.at, i.from, i.to + 1]).filter((v) => !Number.isNaN(v));
  if (!values.length) return null;
  return [Math.floor(Math.min(...values)), Math.ceil(Math.max(...values))];
}

/** Draw the timeline into a container. */
export function draw(container, data, options, lang) {
  const list = items(data.results.bindings, data.head.vars, options);
  const years = span(list);
  if (!years) return;
  const dated = list.filter((i) => !Number.isNaN(i.at)), undated = list.filter((i) => Number.isNaN(i.at));
  const ordered = [...dated, ...undated];
  const left = LABEL_EM * FONT + 14, top = 26;
  const x = (year) => left + ((year - years[0]) / Math.max(1, years[1] - years[0])) * TRACK;
  const width = left + TRACK + 20, height = top + ordered.length * ROW + 10;
  const root = svg("svg", { class: "timeline", width, height, viewBox: `0 0 ${width} ${height}`, role: "img" });
  const step = years[1] - years[0] > 16 ? 5 : years[1] - years[0] > 8 ? 2 : 1;
  for (let y = years[0]; y <= years[1]; y += step) {
    root.append(svg("line", { x1: x(y), x2: x(y), y1: top - 6, y2: height - 6, class: "grid" }),
      svg("text", { x: x(y), y: top - 10, "text-anchor": "middle", class: "tick" }, String(y)));
  }
  ordered.forEach((item, i) => root.append(row(item, i, { x, top, left, lang })));
  container.replaceChildren(el("div", { class: "scroll" }, root));
}

function row(item, i, { x, top, left, lang }) {
  const y = top + i * ROW + ROW / 2;
  const group = svg("g", { class: Number.isNaN(item.at) ? "item undated" : "item", "data-date": item.date });
  const name = item.region ? `${item.label} — ${item.region}` : item.label;
  const text = svg("text", { x: left - 10, y: y + 4, "text-anchor": "end", class: "item-label" }, fit(name, LABEL_EM));
  group.append(svg("title", {}, `${name}${item.date ? ` (${item.date})` : ""}`));
  group.append(item.iri ? svg("a", { href: localHref(item.iri, lang) }, text) : text);
  if (!Number.isNaN(item.from) && !Number.isNaN(item.to)) {
    group.append(svg("rect", { x: x(item.from), y: y - 4, width: Math.max(2, x(item.to + 1) - x(item.from)), height: 8,
      rx: 4, class: "period" }));
  }
  if (!Number.isNaN(item.at)) {
    group.append(svg("circle", { cx: x(item.at), cy: y, r: 5, class: "dot" }));
  } else {
    group.append(svg("text", { x: left + TRACK, y: y + 4, "text-anchor": "end", class: "no-date" }, lang === "zh" ? "未注明日期" : "date not stated"));
  }
  return group;
}
