// A question's page: fetch its results from the API, draw them in the query's view,
// then as a table. The API URL (with the form's values) is in the page; every word shown
// comes from the page's word table (ui.js `word`). Also: the sector picker's filter, more
// sectors for a list parameter, and the old answer marked stale as soon as the form changes.

import { fetchResults, renderTable, el, word, loadLabels } from "./ui.js";
import { EVIDENCE_COLUMNS, evidenceCell } from "./evidence.js";
import * as matrix from "./charts/matrix.js";
import * as timeline from "./charts/timeline.js";
import * as bar from "./charts/bar.js";
import * as map from "./charts/map.js";

const VIEWS = { matrix, timeline, bar, map };

/** The message for a failed answer: the remote service unreachable (a federated question's
 *  502/504), a value refused (400), busy (503/504), else a general one; never the error's text. */
export function failure(status, federated) {
  if (federated && (status === 502 || status === 504)) return word("js_err_remote");
  if (status === 400) return word("js_err_400");
  if (status === 404) return word("js_err_404");
  if (status === 503 || status === 504) return word("js_err_busy");
  return word("js_err_other");
}

/** The status line of an answer: its rows (a sentence when there are none). */
export function statusText(count, offset, next, truncated) {
  if (!count && !offset) return word("js_empty");
  const rows = count === 1 ? word("js_rows_one") : word("js_rows", { n: count });
  const range = offset || next ? word("js_range", { from: offset + 1, to: offset + count }) : "";
  return rows + range + (truncated && !next ? word("js_truncated") : "");
}

/** Download links that cannot work now become text, with the reason beside them. */
function disableDownloads(section) {
  const box = section.querySelector(".downloads");
  if (!box) return;
  for (const link of box.querySelectorAll("a.download")) {
    link.replaceWith(el("span", { class: "download disabled", "aria-disabled": "true", text: link.textContent }));
  }
  box.append(el("span", { class: "reason", text: ` — ${word("js_download_off")}` }));
}

async function main() {
  const section = document.getElementById("results");
  watchForm(section);
  if (!section || !section.dataset.api) return;
  const { api, view, lang } = section.dataset;
  const options = JSON.parse(section.dataset.options || "{}");
  const hidden = JSON.parse(section.dataset.hide || "[]");
  const status = section.querySelector(".status");
  let results;
  const names = loadLabels();  // names for IRIs without a label column, and the sector hierarchy
  try {
    const asked = section.dataset.evidence ? "&evidence=1" : "";  // each row's facts and quotes
    results = await fetchResults(`${api}${api.includes("?") ? "&" : "?"}format=${section.dataset.format || "json"}${asked}`);
  } catch (error) {
    status.replaceChildren(el("span", { class: "error", role: "alert",
      text: failure(error.status, section.dataset.federated === "true") }));
    section.classList.add("failed");
    if (section.dataset.federated === "true") disableDownloads(section);
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
  await names;
  const count = data.results.bindings.length;
  const offset = Number(section.dataset.offset || 0), limit = Number(section.dataset.limit);
  status.textContent = statusText(count, offset, next, truncated);
  if (!count) section.classList.add("empty");
  if (offset || next) status.after(pager(offset, limit, next, after));
  if (VIEWS[view] && count) {
    try {
      await VIEWS[view].draw(section.querySelector(".chart"), data, options, lang);
    } catch (error) {
      section.querySelector(".chart").replaceChildren(el("p", { class: "error", text: word("js_err_other") }));
      console.warn(error);
    }
  }
  const cells = {};
  if (section.dataset.evidence) {
    const words = JSON.parse(section.dataset.evidence);
    hidden.push(...EVIDENCE_COLUMNS.filter((c) => c !== "evidence"));
    cells.evidence = (row) => evidenceCell(row, lang, words);
  }
  if (count) renderTable(section.querySelector(".table-wrap"), data, { hidden, lang, cells });
  section.dataset.drawnMs = String(Math.round(performance.now()));  // read by bench/bench_ui.py
  section.classList.add("ready");
}

/** Once the form changes, the answer on screen is for the old values: say so. */
function watchForm(section) {
  const form = document.querySelector("form.question");
  if (!form) return;
  for (const select of form.querySelectorAll("select[data-picker]")) picker(select);
  for (const list of form.querySelectorAll("fieldset[data-list]")) addable(list);
  const mark = (event) => {
    if (!section || event.target.classList.contains("picker-filter")) return;
    if (section.classList.contains("stale")) return;
    section.classList.add("stale");
    section.prepend(el("p", { class: "stale-note", role: "status", text: word("js_stale") }));
  };
  form.addEventListener("change", mark);
  form.addEventListener("input", mark);
}

/** A list parameter's drop-downs (one per value, the form sends them all): its button adds
 *  another, empty, with its own filter. */
export function addable(list) {
  const button = list.querySelector(".add-item");
  if (!button) return;
  button.hidden = false;
  button.addEventListener("click", () => {
    const items = list.querySelectorAll(".many-item");
    const item = items[items.length - 1].cloneNode(true);
    for (const filter of item.querySelectorAll(".picker-filter")) filter.remove();
    const select = item.querySelector("select");
    for (const option of select.querySelectorAll("option, optgroup")) option.hidden = false;
    select.value = "";
    const label = select.getAttribute("aria-label") || "";
    select.setAttribute("aria-label", label.replace(/\d+$/, String(items.length + 1)));
    button.before(item);
    if (select.dataset.picker) picker(select);
    select.focus();
  });
}

/** A select of sectors filtered as you type: characters, pinyin (with or without spaces) or
 *  English; groups (domains) with nothing left are hidden. */
export function picker(select) {
  const input = el("input", { type: "search", class: "picker-filter", placeholder: word("js_filter"),
    "aria-label": word("js_filter"), autocomplete: "off" });
  select.before(input);
  input.addEventListener("input", () => {
    const needle = input.value.trim().toLowerCase().replace(/\s+/g, "");
    let firstShown = null;
    for (const option of select.querySelectorAll("option")) {
      const hay = (option.dataset.search || option.textContent).toLowerCase().replace(/\s+/g, "");
      option.hidden = Boolean(needle) && !hay.includes(needle) && option.value !== "";
      if (!option.hidden && option.value && !firstShown) firstShown = option;
    }
    for (const group of select.querySelectorAll("optgroup")) {
      group.hidden = [...group.querySelectorAll("option")].every((o) => o.hidden);
    }
    const chosen = select.selectedOptions[0];
    if (needle && firstShown && (!chosen || chosen.hidden || !chosen.value)) {  // the first match
      select.value = firstShown.value;
      select.dispatchEvent(new Event("change", { bubbles: true }));
    }
  });
}

/** Links to the previous and next pages of the answer and to all its rows (this page's URL
 *  with another offset or limit; the next page by its `after` token when the server gave one). */
export function pager(offset, limit, next, after = null) {
  const link = (changes, text, rel) => {
    const url = new URL(location.href);
    for (const [key, value] of Object.entries(changes)) {
      if (value === null) url.searchParams.delete(key); else url.searchParams.set(key, value);
    }
    return el("a", { href: url.pathname + url.search, class: `page-link ${rel}`, rel, text });
  };
  const step = limit > 0 ? limit : 0;
  return el("nav", { class: "pages", "aria-label": word("js_pages") },
    offset > 0 && step ? link({ offset: offset > step ? offset - step : null, after: null }, word("js_prev"), "prev") : null,
    next && step ? link({ offset: offset + step, limit: step, after }, word("js_next"), "next") : null,
    link({ offset: null, limit: "all", after: null }, word("js_all_rows"), "all"));
}

main();
