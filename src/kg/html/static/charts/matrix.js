// Matrix view (heatmap): one row per value of `rows`, one column per value of `cols`,
// a cell per result holding `cell`. Numbers shade from light to dark (one hue); text is
// coloured by category (e.g. the treatment), a cell with several in stripes, one per
// category, with a legend. Colours are colour-blind safe (ui.js PALETTE). A sector whose
// broader sector is also a row comes right under it, marked ↳.

import { el, svg, val, isNumber, localHref, fit, textWidth, formatNumber, PALETTE, broaderOf, word } from "../ui.js";
const CELL = 18;
const LABEL_EM = 22; // widest row label, in em of 12px
const FONT = 12;

/** The IRI column that goes with a label column (`regionLabel` → `region`). */
export function iriColumn(labelCol, vars) {
  const base = labelCol.endsWith("Label") ? labelCol.slice(0, -5) : null;
  return base && vars.includes(base) ? base : null;
}

/** Rows, columns and cells of the matrix from result rows; several rows for one cell
 *  (one per treatment, say) make one cell holding their values joined. */
export function layout(bindings, vars, { rows, cols, cell }) {
  const rowIri = iriColumn(rows, vars), colIri = iriColumn(cols, vars);
  const rowKeys = new Map(), colKeys = new Map(), cells = new Map();
  for (const b of bindings) {
    const r = val(b, rows) || val(b, rowIri), c = val(b, cols) || val(b, colIri);
    if (!r || !c) continue;
    const key = JSON.stringify([r, c]), value = val(b, cell), seen = cells.get(key);
    if (seen) {
      if (!seen.numeric && value && !seen.value.split(", ").includes(value)) {
        seen.value = seen.value ? `${seen.value}, ${value}` : value;
      }
      continue;
    }
    if (!rowKeys.has(r)) rowKeys.set(r, { label: r, iri: rowIri ? val(b, rowIri) : "", filled: 0 });
    if (!colKeys.has(c)) colKeys.set(c, { label: c, iri: colIri ? val(b, colIri) : "", filled: 0 });
    rowKeys.get(r).filled += 1;
    colKeys.get(c).filled += 1;
    cells.set(key, { row: r, col: c, value, numeric: isNumber(b[cell]) });
  }
  const colList = [...colKeys.values()].sort((a, b) => b.filled - a.filled || a.label.localeCompare(b.label));
  return { rows: [...rowKeys.values()], cols: colList, cells: [...cells.values()] };
}

/** Many more columns than rows (90 sectors × 10 regions) read better turned: labels stay level. */
export function oriented(grid) {
  if (grid.cols.length <= 30 || grid.cols.length <= 2.5 * grid.rows.length) return grid;
  return { rows: grid.cols, cols: grid.rows, cells: grid.cells.map((c) => ({ ...c, row: c.col, col: c.row })) };
}

/** The categories a text cell holds ("focus field, breakthrough" → two). */
export function categoriesOf(cell) {
  return [...new Set((cell.value || "—").split(/,\s*|、/).filter(Boolean))];
}

/** The colours of a cell: one shade for a number, one colour per category for text. */
export function colourer(cells) {
  if (cells.length && cells.every((c) => c.numeric)) {
    const max = Math.max(...cells.map((c) => Number(c.value)), 1);
    return { legend: null, colours: (c) => [`rgba(0, 114, 178, ${0.15 + 0.85 * (Number(c.value) / max)})`] };
  }
  const categories = [];
  for (const c of cells) for (const name of categoriesOf(c)) if (!categories.includes(name)) categories.push(name);
  const pick = (name) => PALETTE[categories.indexOf(name) % PALETTE.length];
  return { legend: categories.map((name) => [name, pick(name)]), colours: (c) => categoriesOf(c).map(pick) };
}

/** Sectors under their broader sector when both are on one axis (the narrower marked ↳). */
export function nested(keys) {
  const byIri = new Map(keys.filter((k) => k.iri).map((k) => [k.iri, k]));
  const parentOf = (k) => broaderOf(k.iri).find((b) => byIri.has(b) && b !== k.iri);
  const children = new Map();
  for (const k of keys) {
    const p = parentOf(k);
    if (p) { if (!children.has(p)) children.set(p, []); children.get(p).push(k); }
  }
  if (!children.size) return keys;
  const out = [];
  const place = (k, depth) => {
    out.push(depth ? { ...k, depth } : k);
    for (const c of children.get(k.iri) || []) place(c, depth + 1);
  };
  for (const k of keys) if (!parentOf(k)) place(k, 0);
  return out;
}

/** Draw the matrix into a container. */
export function draw(container, data, options, lang) {
  const vars = data.head.vars;
  const grid = oriented(layout(data.results.bindings, vars, options));
  const rows = nested(grid.rows), cols = grid.cols, cells = grid.cells;
  if (!rows.length) return;
  const { legend, colours } = colourer(cells);
  const shownLabel = (r) => (r.depth ? `${"↳".repeat(r.depth)} ${r.label}` : r.label);
  const colLabelEm = Math.min(16, Math.max(...cols.map((c) => textWidth(c.label))) + 1);
  const rowLabelEm = Math.min(LABEL_EM, Math.max(...rows.map((r) => textWidth(shownLabel(r)))) + 1);
  const top = Math.ceil(colLabelEm * FONT * 0.75) + 10, left = rowLabelEm * FONT + 8;
  const w = Math.max(CELL, Math.min(40, Math.floor(560 / cols.length))); // cell width
  const h = rows.length <= 15 ? 26 : CELL; // and height
  const width = left + cols.length * w + colLabelEm * FONT * 0.6, height = top + rows.length * h + 4;
  const root = svg("svg", { class: "matrix", width, height, viewBox: `0 0 ${width} ${height}`,
    role: "group", "aria-label": word("js_chart_matrix", { r: rows.length, c: cols.length }) });
  rows.forEach((r, i) => {
    const text = svg("text", { x: left - 6, y: top + i * h + h * 0.7, "text-anchor": "end", class: "row-label" },
      fit(shownLabel(r), rowLabelEm));
    root.append(r.iri ? svg("a", { href: localHref(r.iri, lang) }, text) : text);
    root.append(svg("line", { x1: left, x2: left + cols.length * w, y1: top + i * h, y2: top + i * h, class: "grid" }));
  });
  cols.forEach((c, j) => {
    const x = left + j * w + w / 2 + 3, y = top - 6;
    const text = svg("text", { x, y, transform: `rotate(-50 ${x} ${y})`, class: "col-label" }, fit(c.label, colLabelEm));
    root.append(c.iri ? svg("a", { href: localHref(c.iri, lang) }, text) : text);
  });
  const rowIndex = new Map(rows.map((r, i) => [r.label, i])), colIndex = new Map(cols.map((c, j) => [c.label, j]));
  for (const c of cells) {
    const shown = c.numeric ? formatNumber(c.value, lang) : c.value;
    const fills = colours(c);
    const x0 = left + colIndex.get(c.col) * w + 1, y0 = top + rowIndex.get(c.row) * h + 1;
    const rect = svg("rect", { x: x0, y: y0, width: w - 2, height: h - 2, rx: 2, fill: fills[0], class: "cell",
      "data-row": c.row, "data-col": c.col, "data-value": c.value, "data-parts": fills.length },
    svg("title", {}, `${c.row} × ${c.col}: ${shown}`));
    root.append(rect);
    const stripe = (w - 2) / fills.length;
    fills.slice(1).forEach((fill, k) => root.append(svg("rect", { x: x0 + stripe * (k + 1), y: y0, width: stripe,
      height: h - 2, fill, class: "stripe", "pointer-events": "none" })));
    if (c.numeric) {
      root.append(svg("text", { x: left + colIndex.get(c.col) * w + w / 2, y: top + rowIndex.get(c.row) * h + h * 0.7,
        "text-anchor": "middle", class: "cell-value" }, shown));
    }
  }
  const parts = [el("div", { class: "scroll" }, root)];
  const notes = [legend ? word("js_legend_cell") : word("js_legend_shade")];
  if (rows.some((r) => r.depth)) notes.push(word("js_legend_narrower"));
  parts.unshift(el("p", { class: "chart-note", text: notes.join(" · ") }));
  if (legend) {
    parts.splice(1, 0, el("ul", { class: "legend" }, legend.map(([name, fill]) =>
      el("li", {}, el("span", { class: "swatch", style: `background:${fill}` }), name))));
  }
  container.replaceChildren(...parts);
}
