// A question's page: fetch its results from the API, draw them in the query's view,
// then as a table. The API URL (with the form's values) is in the page.

import { fetchResults, renderTable, el } from "./ui.js";
import { EVIDENCE_COLUMNS, evidenceCell } from "./evidence.js";
import * as matrix from "./charts/matrix.js";
import * as timeline from "./charts/timeline.js";
import * as bar from "./charts/bar.js";
import * as map from "./charts/map.js";

const VIEWS = { matrix, timeline, bar, map };

async function main() {
  const section = document.getElementById("results");
  if (!section) return;
  const { api, view, lang } = section.dataset;
  const options = JSON.parse(section.dataset.options || "{}");
  const hidden = JSON.parse(section.dataset.hide || "[]");
  const status = section.querySelector(".status");
  let results;
  try {
    const asked = section.dataset.evidence ? "&evidence=1" : "";  // each row's facts and quotes
    results = await fetchResults(`${api}${api.includes("?") ? "&" : "?"}format=${section.dataset.format || "json"}${asked}`);
  } catch (error) {
    status.replaceChildren(el("span", { class: "error", text: error.message }));
    section.classList.add("failed");
    return;
  }
  if (results.text !== undefined || results.data.boolean !== undefined) {
    const shown = results.text !== undefined ? results.text : String(results.data.boolean);
    status.textContent = "";
    section.querySelector(".table-wrap").replaceChildren(el("pre", { class: "graph", text: shown }));
    section.classList.add("ready");
    return;
  }
  const { data, truncated, next, after } = results;
  const count = data.results.bindings.length;
  const offset = Number(section.dataset.offset || 0), limit = Number(section.dataset.limit);
  const rowsText = lang === "zh" ? `${count} 行` : `${count} row${count === 1 ? "" : "s"}`;
  const range = offset || next ? (lang === "zh" ? `(第 ${offset + 1}–${offset + count} 行)`
    : ` (${offset + 1}–${offset + count})`) : "";
  const cut = truncated && !next ? (lang === "zh" ? "(已截断)" : " (truncated)") : "";
  status.textContent = rowsText + range + cut;
  if (offset || next) status.after(pager(offset, limit, next, lang, after));
  if (VIEWS[view] && count) {
    try {
      await VIEWS[view].draw(section.querySelector(".chart"), data, options, lang);
    } catch (error) {
      section.querySelector(".chart").replaceChildren(el("p", { class: "error", text: String(error) }));
    }
  }
  const cells = {};
  if (section.dataset.evidence) {
    const words = JSON.parse(section.dataset.evidence);
    hidden.push(...EVIDENCE_COLUMNS.filter((c) => c !== "evidence"));
    cells.evidence = (row) => evidenceCell(row, lang, words);
  }
  renderTable(section.querySelector(".table-wrap"), data, { hidden, lang, cells });
  section.dataset.drawnMs = String(Math.round(performance.now()));  // read by bench/bench_ui.py
  section.classList.add("ready");
}

/** Links to the previous and next pages of the answer and to all its rows (this page's URL
 *  with another offset or limit; the next page by its `after` token when the server gave one). */
export function pager(offset, limit, next, lang, after = null) {
  const link = (changes, text, rel) => {
    const url = new URL(location.href);
    for (const [key, value] of Object.entries(changes)) {
      if (value === null) url.searchParams.delete(key); else url.searchParams.set(key, value);
    }
    return el("a", { href: url.pathname + url.search, class: `page-link ${rel}`, rel, text });
  };
  const zh = lang === "zh", step = limit > 0 ? limit : 0;
  return el("nav", { class: "pages", "aria-label": zh ? "分页" : "pages" },
    offset > 0 && step ? link({ offset: offset > step ? offset - step : null, after: null }, zh ? "← 上一页" : "← previous", "prev") : null,
    next && step ? link({ offset: offset + step, limit: step, after }, zh ? "下一页 →" : "next →", "next") : null,
    link({ offset: null, limit: "all", after: null }, zh ? "全部行" : "all rows", "all"));
}

main();
