// Search results: the packaged search query's hits, one entry per entity, with how it
// matched (its own name, or naming a matching sector) and the matched text highlighted.

import { fetchResults, el, val, localHref, shortIri, word, hasWord } from "./ui.js";

/** Hits grouped by entity, in the order of the results. */
export function group(bindings) {
  const byEntity = new Map();
  for (const b of bindings) {
    const iri = val(b, "entity");
    if (!byEntity.has(iri)) byEntity.set(iri, { iri, label: val(b, "label"), kind: val(b, "kindLabel"), hows: [], matches: [] });
    const hit = byEntity.get(iri);
    hit.hows.push(val(b, "how"));
    hit.matches.push(...val(b, "matches").split(" | ").filter(Boolean));
  }
  return [...byEntity.values()];
}

/** A text with every occurrence of the search text (any case) marked. */
export function highlight(text, needle) {
  const parts = [];
  const lower = text.toLowerCase(), find = needle.toLowerCase();
  let at = 0;
  while (find && lower.indexOf(find, at) >= 0) {
    const i = lower.indexOf(find, at);
    parts.push(text.slice(at, i), el("mark", { text: text.slice(i, i + find.length) }));
    at = i + find.length;
  }
  parts.push(text.slice(at));
  return parts;
}

async function main() {
  const section = document.getElementById("search-results");
  if (!section) return;
  const { api, lang } = section.dataset;
  const needle = new URL(api, location.href).searchParams.get("text") || "";
  const status = section.querySelector(".status");
  try {
    const { data } = await fetchResults(api + "&format=json");
    const hits = group(data.results.bindings);
    status.textContent = hits.length === 1 ? word("js_hits_one") : word("js_hits", { n: hits.length });
    section.querySelector(".hits").replaceChildren(el("ol", { class: "hits-list" }, hits.map((h) => el("li", { class: "hit" },
      el("a", { href: localHref(h.iri, lang), class: "hit-label", text: h.label || shortIri(h.iri) }),
      h.kind ? el("span", { class: "tag", text: h.kind }) : null,
      [...new Set(h.hows)].map((how) => el("span", { class: `how how-${how.replace(/\s+/g, "-")}`, text: hasWord(`js_how_${how}`) ? word(`js_how_${how}`) : how })),
      el("span", { class: "matches" }, [...new Set(h.matches)].slice(0, 4).map((m, i) => [i ? " | " : "", highlight(m, needle)]))))));
    section.classList.add("ready");
  } catch (error) {
    status.replaceChildren(el("span", { class: "error", role: "alert", text: word("js_err_other") }));
  }
}

main();
