// Shared helpers of the web pages: DOM and SVG building, links in the page's language,
// SPARQL JSON results, number formatting, and the results table.

export const ID_BASE = "https://w3id.org/future-industries/id/";
export const ONTOLOGY = "https://w3id.org/future-industries/ontology";
const SVG_NS = "http://www.w3.org/2000/svg";

/** An HTML element with attributes and children (strings become text nodes). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  setAttrs(node, attrs);
  node.append(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== ""));
  return node;
}

/** An SVG element with attributes and children. */
export function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  setAttrs(node, attrs);
  node.append(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== ""));
  return node;
}

function setAttrs(node, attrs) {
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "text") node.textContent = value;
    else if (key === "style") node.style.cssText = String(value); // CSSOM: allowed by the CSP
    else node.setAttribute(key, value === true ? "" : String(value));
  }
}

/** The page's language: the `lang` URL parameter, else the document's. */
export function pageLang() {
  const asked = new URLSearchParams(location.search).get("lang");
  return asked === "zh" || asked === "en" ? asked : document.documentElement.lang === "zh" ? "zh" : "en";
}

/** Where this site shows an IRI (entity pages keep the language); other http(s) IRIs as they
 *  are; null for any other scheme (javascript:, data:, vbscript:…): an `a` without href is
 *  text, never a link (el and svg leave null attributes out). */
export function localHref(iri, lang) {
  if (iri.startsWith(ID_BASE)) return `/id/${iri.slice(ID_BASE.length)}?lang=${lang}`;
  if (iri.startsWith(ONTOLOGY)) return `/ontology${iri.slice(ONTOLOGY.length)}`;
  return /^https?:\/\//i.test(iri) ? iri : null;
}

/** A short display form of an IRI: `region/beijing`, `fi:Plan`, or the IRI. */
export function shortIri(iri) {
  if (iri.startsWith(ID_BASE)) return iri.slice(ID_BASE.length);
  if (iri.startsWith(ONTOLOGY + "#")) return "fi:" + iri.slice(ONTOLOGY.length + 1);
  return iri;
}

/** Fetch SPARQL JSON results (or, for a graph, its text); a failed request throws an Error
 *  with the server's message. `next` says whether a next page follows (Link rel="next"),
 *  `after` is its token when the answer is paged by key (X-KG-After). */
export async function fetchResults(url) {
  const response = await fetch(url, { headers: { Accept: "application/sparql-results+json" } });
  if (!response.ok) {
    const message = (await response.text()).trim();
    const error = new Error(`${response.status}: ${message}`);
    error.status = response.status;
    throw error;
  }
  const truncated = response.headers.get("X-KG-Truncated") === "true";
  const next = /rel="next"/.test(response.headers.get("Link") || "");
  const after = response.headers.get("X-KG-After");  // the next page's token, if paged by key
  if (!(response.headers.get("Content-Type") || "").includes("sparql-results+json")) {
    return { text: await response.text(), truncated, next };  // a graph (CONSTRUCT, DESCRIBE)
  }
  return { data: await response.json(), truncated, next, after };
}

let LABELS = { names: {}, broader: {} };

/** Names of the graph's regions, sectors and plans, and the sector hierarchy (fetched once
 *  per page from /ui/labels.json); tables and charts show names, never IRIs. */
export async function loadLabels() {
  try {
    const response = await fetch("/ui/labels.json");
    if (response.ok) LABELS = await response.json();
  } catch (_) { /* names stay short IRIs */ }
  return LABELS;
}

/** The name of an IRI in a language ("" when the page does not know it). */
export function nameOf(iri, lang) {
  const names = LABELS.names[iri];
  if (!names) return "";
  const [zh, en] = names;
  return (lang === "zh" ? zh || en : en || zh) || "";
}

/** The broader sectors of a sector (IRIs). */
export function broaderOf(iri) {
  return LABELS.broader[iri] || [];
}

/** Colours that colour-blind readers tell apart (Okabe & Ito), no red/green pair. */
export const PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00",
  "#F0E442", "#000000", "#999999", "#7A5195"];

/** The plain value of a variable in a result row ("" when unbound). */
export function val(row, name) {
  return row[name] ? row[name].value : "";
}

/** True when a binding is an IRI. */
export function isIri(term) {
  return Boolean(term) && term.type === "uri";
}

const NUMERIC = /#(integer|decimal|double|float|int|long|nonNegativeInteger|positiveInteger)$/;

/** True when a binding is a number literal. */
export function isNumber(term) {
  return Boolean(term) && term.type === "literal" && NUMERIC.test(term.datatype || "");
}

/** A number for people: grouped digits in the page's language. */
export function formatNumber(value, lang) {
  return Number(value).toLocaleString(lang === "zh" ? "zh-CN" : "en-GB", { maximumFractionDigits: 2 });
}

/** An amount of yuan: 亿/万亿 in Chinese, million/billion/trillion in English. */
export function formatYuan(value, lang) {
  const v = Number(value);
  const n = (x) => formatNumber(x, lang);
  if (lang === "zh") {
    if (v >= 1e12) return `${n(v / 1e12)}万亿元`;
    if (v >= 1e8) return `${n(v / 1e8)}亿元`;
    return `${n(v)}元`;
  }
  if (v >= 1e12) return `${n(v / 1e12)} trillion yuan`;
  if (v >= 1e9) return `${n(v / 1e9)} bn yuan`;
  if (v >= 1e6) return `${n(v / 1e6)} m yuan`;
  return `${n(v)} yuan`;
}

/** Column names that hold yuan (per the data model). */
export const YUAN_COLUMNS = new Set(["amount", "threshold"]);

let WORDS = null;

/** A word of the interface in the page's language (sent with the page by the server, from
 *  kg.html.i18n, the one table of interface words), with {name} filled from `vars`. */
export function word(key, vars = {}) {
  if (WORDS === null) {
    const block = document.getElementById("kg-words");
    WORDS = block ? JSON.parse(block.textContent) : {};
  }
  const text = WORDS[key] !== undefined ? WORDS[key] : key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (vars[name] !== undefined ? String(vars[name]) : ""));
}

/** True when the page has a word for a key. */
export function hasWord(key) {
  word("");
  return WORDS[key] !== undefined;
}

/** A column's heading: the variable without a trailing "Label", in the page's language. */
export function columnName(name, _lang) {
  const base = name.endsWith("Label") ? name.slice(0, -5) : name;
  return hasWord(`col_${base}`) ? word(`col_${base}`) : base;
}

/** The label column that goes with an IRI column (`region` → `regionLabel`, `entity` → `label`,
 *  `plan` → `title`). */
export function labelColumn(name, vars) {
  if (vars.includes(`${name}Label`)) return `${name}Label`;
  if (name === "entity" && vars.includes("label")) return "label";
  if (name === "plan" && vars.includes("title")) return "title";
  return null;
}

/** The columns a table shows: hidden ones and label columns folded into their IRI column. */
export function tableColumns(vars, hidden = []) {
  const folded = new Set(vars.map((v) => labelColumn(v, vars)).filter(Boolean));
  return vars.filter((v) => !hidden.includes(v) && !folded.has(v));
}

/** One cell's content: a link (labelled when a label column has a value), a number, or text. */
export function cellContent(row, name, vars, lang) {
  const term = row[name];
  const labelName = labelColumn(name, vars);
  const label = labelName ? val(row, labelName) : "";
  if (!term) return label;
  if (isIri(term)) {
    const text = label || nameOf(term.value, lang) || shortIri(term.value);
    return el("a", { href: localHref(term.value, lang), title: term.value, text });
  }
  if (isNumber(term)) {
    return YUAN_COLUMNS.has(name) ? formatYuan(term.value, lang) : formatNumber(term.value, lang);
  }
  return term.value;
}

function sortKey(row, name, vars) {
  const term = row[name];
  const labelName = labelColumn(name, vars);
  if (isNumber(term)) return Number(term.value);
  return (labelName && val(row, labelName)) || (term ? term.value : "");
}

/** The results table; clicking a heading sorts by that column (again: the other way). */
export function renderTable(container, data, { hidden = [], lang = "en", cells = {} } = {}) {
  const vars = data.head.vars;
  const columns = tableColumns(vars, hidden);
  let rows = data.results.bindings.slice();
  const body = el("tbody");
  const heads = [];
  const fill = () => body.replaceChildren(...rows.map((row) => el("tr", {},
    columns.map((c) => el("td", { class: numeric.has(c) ? "num" : null },
      cells[c] ? cells[c](row) : cellContent(row, c, vars, lang))))));
  let sorted = null;
  const numeric = new Set(columns.filter((c) => rows.some((r) => isNumber(r[c]))));
  heads.push(...columns.map((c) => {
    const th = el("th", { scope: "col", "data-column": c, class: numeric.has(c) ? "num" : null, "aria-sort": "none" },
      el("button", { type: "button", class: "sort", text: columnName(c, lang) }));
    th.addEventListener("click", () => {
      const dir = sorted === c ? -1 : 1;
      sorted = dir === 1 ? c : null;
      heads.forEach((h) => h.setAttribute("aria-sort", "none"));
      th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
      rows.sort((a, b) => {
        const x = sortKey(a, c, vars), y = sortKey(b, c, vars);
        return (typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y), lang)) * dir;
      });
      fill();
    });
    return th;
  }));
  fill();
  const table = el("table", { class: "results-table" }, el("thead", {}, el("tr", {}, heads)), body);
  container.replaceChildren(table);
  return table;
}

/** Approximate width of a text in em: CJK characters count 1, others about 0.56. */
export function textWidth(text) {
  let width = 0;
  for (const ch of text) width += /[\u2e80-\u9fff\uff00-\uffef]/.test(ch) ? 1 : 0.56;
  return width;
}

/** A text broken into lines of at most `em` wide (at spaces where it has them, else
 *  anywhere), never cut. */
export function wrap(text, em) {
  const lines = [];
  let line = "";
  const tokens = text.match(/[\u2e80-\u9fff\uff00-\uffef]|[^\s\u2e80-\u9fff\uff00-\uffef]+\s*|\s+/g) || [];
  for (const token of tokens) {
    if (line && textWidth(line + token.trimEnd()) > em) {
      lines.push(line.trimEnd());
      line = token.trimStart();
    } else {
      line += token;
    }
    while (textWidth(line) > em) {  // a word longer than a line
      let cut = "";
      for (const ch of line) { if (textWidth(cut + ch) > em) break; cut += ch; }
      lines.push(cut);
      line = line.slice(cut.length);
    }
  }
  if (line.trim()) lines.push(line.trimEnd());
  return lines.length ? lines : [""];
}

/** SVG text of several lines (tspans), the first at `y`. */
export function multiline(attrs, lines, lineHeight = 14) {
  return svg("text", attrs, lines.map((l, i) => svg("tspan", { x: attrs.x, dy: i ? lineHeight : 0 }, l)));
}

/** A text cut to fit a width in em, with an ellipsis when cut. */
export function fit(text, em) {
  if (textWidth(text) <= em) return text;
  let out = "";
  for (const ch of text) {
    if (textWidth(out + ch) > em - 1) break;
    out += ch;
  }
  return out + "…";
}
