"""Evidence on the linked-data pages: a source's text with the spans its facts rest on
(the reader), the quoted facts of a region or a sector in plain words, and breadcrumbs.

They render the plain data :mod:`kg.engine.reading` adds to an entity's description.

>>> print(marked("abcdef", [[1, 3, ["ev-1"], [["http://e/f", "F"]]]]).replace("<sup", "\\n<sup"))
a<mark id="ev-1">bc
<sup>1</sup></mark>def
>>> spans = [Span(0, 4, ("a",), ()), Span(2, 6, ("b",), ()), Span(1, 3, ("c",), ())]
>>> [(n.start, n.end, n.first, [(c.start, c.end) for c in n.children]) for n in nest(spans)]
[(0, 4, True, [(1, 3), (3, 4)]), (4, 6, False, [])]
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from html import escape
from typing import Any

from kg.html.view import View
from kg.vocab import FI, ID_BASE


@dataclass(frozen=True)
class Span:
    """One distinct span of a source's text: the annotations on it and their facts."""

    start: int
    end: int
    anchors: tuple[str, ...]  # ev-… ids, one per annotation
    facts: tuple[tuple[str, str], ...]  # (fact IRI, its label)


@dataclass
class Node:
    """A span placed in the text: cut where it crosses an enclosing span (``first`` is
    false on the pieces after the first), with the spans inside it."""

    start: int
    end: int
    span: int  # its index among the spans
    first: bool = True
    children: list[Node] = field(default_factory=list)


def nest(spans: list[Span]) -> list[Node]:
    """The spans as a tree of properly nested pieces, in the order of the text."""
    queue = [(s.start, -s.end, i, True) for i, s in enumerate(spans) if s.end > s.start]
    heapq.heapify(queue)
    roots: list[Node] = []
    stack: list[Node] = []
    while queue:
        start, neg_end, index, first = heapq.heappop(queue)
        end = -neg_end
        while stack and start >= stack[-1].end:
            stack.pop()
        if stack and end > stack[-1].end:  # crosses its parent: the rest comes later
            heapq.heappush(queue, (stack[-1].end, -end, index, False))
            end = stack[-1].end
        node = Node(start, end, index, first)
        (stack[-1].children if stack else roots).append(node)
        stack.append(node)
    return roots


KINDS = ("plan", "sector_link", "target", "action")  # the order of a region's sections
CRUMBS = {FI.Region.value: ("crumb_region", "/ui/queries/regions-overview"),
          FI.Sector.value: ("crumb_sector", "/ui/queries/sector-hierarchy"),
          FI.Source.value: ("crumb_source", "")}


def breadcrumbs(types: set[str], title: str, view: View) -> str:
    """home › regions › 山东 (for regions, sectors and sources; nothing for the rest)."""
    kind = next((CRUMBS[t] for t in CRUMBS if t in types), None)
    if kind is None:
        return ""
    word, where = kind
    middle = (f'<a href="{escape(view.href(where))}">{escape(view.word(word))}</a>' if where
              else escape(view.word(word)))
    return (f'<nav class="breadcrumbs" aria-label="{escape(view.word("breadcrumb"))}"><ol>'
            f'<li><a href="{escape(view.href("/"))}">{escape(view.word("home"))}</a></li>'
            f'<li>{middle}</li><li aria-current="page">{escape(title)}</li></ol></nav>')


def span_href(href: str, view: View) -> str:
    """A span of a source (its IRI and #ev-…) as a link to its reader page here.

    >>> span_href(ID_BASE + "source/article#ev-1", View("zh", True))
    '/id/source/article?lang=zh#ev-1'
    """
    iri, _, anchor = href.partition("#")
    if not iri.startswith(ID_BASE):
        return ""
    return view.href("/id/" + iri[len(ID_BASE):] + (f"#{anchor}" if anchor else ""))


def fact_item(fact: dict[str, Any], view: View) -> str:
    """One fact: its reason (a link to the fact), its quote, a link to the quote's span."""
    where = view.href("/id/" + fact["iri"][len(ID_BASE):]) if fact["iri"].startswith(
        ID_BASE) else ""
    reason = escape(fact["reason"] or fact["iri"])
    head = f'<a class="reason" href="{escape(where)}">{reason}</a>' if where else reason
    span = span_href(fact.get("href", ""), view) if "#" in fact.get("href", "") else ""
    see = (f' <a class="in-source" href="{escape(span)}">{escape(view.word("in_source"))}</a>'
           if span else "")
    return (f'<li class="fact">{head}<blockquote lang="zh">{escape(fact["quote"])}</blockquote>'
            f"{see}</li>")


def facts_section(facts: list[dict[str, Any]], types: set[str], view: View) -> str:
    """A region's facts by kind (plans, sectors named, targets, actions), or the places
    where plans name a sector; each in words with its quote."""
    if not facts:
        return ""
    if FI.Sector.value in types:
        items = "".join(fact_item(f, view) for f in facts)
        return (f'<section class="evidence-facts"><h2>{escape(view.word("named_by"))}</h2>'
                f'<ol class="facts">{items}</ol></section>')
    parts = [f'<section class="evidence-facts"><h2>{escape(view.word("facts_here"))}</h2>']
    for kind in KINDS:
        mine = [f for f in facts if f.get("kind") == kind]
        if mine:
            items = "".join(fact_item(f, view) for f in mine)
            parts.append(f'<h3>{escape(view.word("kind_" + kind))} ({len(mine)})</h3>'
                         f'<ol class="facts">{items}</ol>')
    return "".join(parts) + "</section>"


def marked(text: str, spans: list[list[Any]], view: View | None = None) -> str:
    """The text escaped, each span in a ``<mark id="ev-…">`` (one per distinct span; a
    span crossing another is continued in a ``<mark class="cont">`` without id) ending in
    its number, a link to its fact (``18``; ``18a``, ``18b`` … for several); the other
    annotations of a span are empty anchors inside its mark. Compact: no notes list, so
    that the page of a long source stays small.

    >>> print(marked("ab<c", [[1, 4, ["ev-1"], [[ID_BASE + "plan/p", "P"]]]], View("en")))
    a<mark id="ev-1">b&lt;c<sup><a href="/id/plan/p">1</a></sup></mark>
    """
    v = view or View()
    parsed = [Span(s, e, tuple(a), tuple((f[0], f[1]) for f in fs)) for s, e, a, fs in spans]

    def links(number: int, facts: tuple[tuple[str, str], ...]) -> str:
        out = []
        for k, (iri, _label) in enumerate(facts):
            mark = f"{number}{chr(ord('a') + k) if len(facts) > 1 and k < 26 else ''}"
            href = v.href("/id/" + iri[len(ID_BASE):]) if iri.startswith(ID_BASE) else ""
            out.append(f'<a href="{escape(href)}">{mark}</a>' if href else mark)
        return f"<sup>{' '.join(out)}</sup>" if out else ""

    def render(start: int, end: int, nodes: list[Any]) -> str:
        out, at = [], start
        for node in nodes:
            out.append(escape(text[at:node.start]))
            span = parsed[node.span]
            inner = render(node.start, node.end, node.children)
            if node.first:
                first, *others = span.anchors
                extra = "".join(f'<span id="{escape(a)}"></span>' for a in others)
                note = links(node.span + 1, span.facts)
                out.append(f'<mark id="{escape(first)}">{extra}{inner}{note}</mark>')
            else:
                out.append(f'<mark class="cont">{inner}</mark>')
            at = node.end
        out.append(escape(text[at:end]))
        return "".join(out)

    return render(0, len(text), nest(parsed))


def reader(data: dict[str, Any], view: View) -> str:
    """A source's reader: what it is (title, publisher, date, address: "none" when the
    source gives none), its text with every span a fact rests on highlighted, and the
    notes that link each span to its facts."""
    read = data["reading"]
    about = read["about"]
    rows = []
    for key, word in (("title", "source_title"), ("publisher", "source_publisher"),
                      ("date", "source_date"), ("url", "source_url")):
        values = about.get(key, [])
        mine = [v for v, lang in values if lang in (view.lang, "")] or [v for v, _ in values]
        shown = " · ".join(escape(v) for v in mine) if mine else (
            f'<span class="none">{escape(view.word("not_stated"))}</span>')
        rows.append(f"<tr><th>{escape(view.word(word))}</th><td>{shown}</td></tr>")
    head = f'<table class="facts source-about">{"".join(rows)}</table>'
    if not read["has_text"]:
        return head + f'<p class="note">{escape(view.word("reader_none"))}</p>'
    spans = read["spans"]
    return (head + f'<section class="reader"><h2>{escape(view.word("reader"))}</h2>'
            f'<p class="description">{escape(view.word("reader_intro"))} '
            f'({len(spans)} {escape(view.word("spans"))})</p>'
            f'<div class="source-text" lang="zh">{marked(read["text"], spans, view)}</div>'
            "</section>")
