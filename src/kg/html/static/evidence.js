// The evidence behind a row of an answer (asked for with evidence=1): the facts the row
// rests on, each in words with the clause of the source it comes from and a link to that
// clause on the source's reader page. The four added columns hold one line per fact.

import { el, localHref } from "./ui.js";

export const EVIDENCE_COLUMNS = ["facts", "reasons", "quotes", "evidence"];

function lines(row, name) {
  return row[name] ? row[name].value.split("\n") : [];
}

/** A link to a span of a source's reader page: `/id/source/…?lang=zh#ev-…`. */
export function spanHref(href, lang) {
  const [iri, anchor] = href.split("#");
  const page = localHref(iri, lang);
  return page && anchor ? `${page}#${anchor}` : page;
}

/** The row's evidence, folded: "N facts"; opened, each fact's reason (a link to the fact),
 *  its quote and a link to the quote in the source. */
export function evidenceCell(row, lang, words) {
  const facts = lines(row, "facts");
  if (!facts.length) return el("span", { class: "evidence-none", text: words.evidence_none });
  const reasons = lines(row, "reasons"), quotes = lines(row, "quotes"), spans = lines(row, "evidence");
  const items = facts.map((iri, i) => el("li", { class: "fact" },
    el("a", { class: "reason", href: localHref(iri, lang), text: reasons[i] || iri }),
    el("blockquote", { lang: "zh", text: quotes[i] || "" }),
    spans[i] && spans[i].includes("#")
      ? el("a", { class: "in-source", href: spanHref(spans[i], lang), text: words.in_source })
      : null));
  return el("details", { class: "evidence" },
    el("summary", {}, `${facts.length} ${words.evidence_facts}`),
    el("ol", { class: "facts" }, items));
}
