// Matrix view (heatmap): one row per value of `rows`, one column per value of `cols`,
// a cell per result holding `cell`. Numbers shade from light to dark; text is coloured
// by its first item (e.g. the first treatment), with a legend.

import { el, svg, val, isNumber, localHref, fit, textWidth, formatNumber } from "../ui.js";

const PALETTE = ["#9b1c1c", "#1c4e9b", "#2f7d32", "#d08700", "#6a1b9a", "#00838f", "#6d4c41", "#c2185b",
  "#7986cb", "#7cb342", "#ef6c00", "#546e7a"];
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

/** The colour of a cell: shade for numbers, a category colour for text. */
export function colourer(cells) {
  if (cells.length && cells.every((c) => c.numeric)) {
    const max = Math.max(...cells.map((c) => Number(c.value)), 1);
    return { legend: null, colour: (c) => `rgba(155, 28, 28, ${0.15 + 0.85 * (Number(c.value) / max)})` };
  }
  const categories = [];
  const category = (c) => (c.value || "—").split(/,\s*|、/)[0];
  for (const c of cells) if (!categories.includes(category(c))) categories.push(category(c));
  const pick = (name) => PALETTE[categories.indexOf(name) % PALETTE.length];
  return { legend: categories.map((name) => [name, pick(name)]), colour: (c) => pick(category(c)) };
}

/** Draw the matrix into a container. */
export function draw(container, data, options, lang) {
  const vars = data.head.vars;
  const { rows, cols, cells } = oriented(layout(data.results.bindings, vars, options));
  if (!rows.length) return;
  const { legend, colour } = colourer(cells);
  const colLabelEm = Math.min(16, Math.max(...cols.map((c) => textWidth(c.label))) + 1);
  const rowLabelEm = Math.min(LABEL_EM, Math.max(...rows.map((r) => textWidth(r.label))) + 1);
  const top = Math.ceil(colLabelEm * FONT * 0.75) + 10, left = rowLabelEm * FONT + 8;
  const w = Math.max(CELL, Math.min(40, Math.floor(560 / cols.length))); // cell width
  const h = rows.length <= 15 ? 26 : CELL; // and height
  const width = left + cols.length * w + colLabelEm * FONT * 0.6, height = top + rows.length * h + 4;
  const root = svg("svg", { class: "matrix", width, height, viewBox: `0 0 ${width} ${height}`,
    role: "img", "aria-label": `${rows.length} × ${cols.length}` });
  rows.forEach((r, i) => {
    const text = svg("text", { x: left - 6, y: top + i * h + h * 0.7, "text-anchor": "end", class: "row-label" },
      fit(r.label, rowLabelEm));
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
    const rect = svg("rect", { x: left + colIndex.get(c.col) * w + 1, y: top + rowIndex.get(c.row) * h + 1,
      width: w - 2, height: h - 2, rx: 2, fill: colour(c), class: "cell",
      "data-row": c.row, "data-col": c.col, "data-value": c.value },
    svg("title", {}, `${c.row} × ${c.col}: ${shown}`));
    root.append(rect);
    if (c.numeric) {
      root.append(svg("text", { x: left + colIndex.get(c.col) * w + w / 2, y: top + rowIndex.get(c.row) * h + h * 0.7,
        "text-anchor": "middle", class: "cell-value" }, shown));
    }
  }
  const parts = [el("div", { class: "scroll" }, root)];
  if (legend) {
    parts.unshift(el("ul", { class: "legend" }, legend.map(([name, fill]) =>
      el("li", {}, el("span", { class: "swatch", style: `background:${fill}` }), name))));
  }
  container.replaceChildren(...parts);
}
