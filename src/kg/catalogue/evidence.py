"""The evidence behind each row of an answer: which facts it rests on, and their quotes.

A packaged question declares, in its header, how a row of its answer reaches the facts it
rests on (``# evidence:``, docs/queries-format.md): a result column holding the fact
(``?target``), or a SPARQL group pattern that binds ``?fact`` from the row's columns
(``?plan fi:hasSectorLink ?fact . ?fact fi:linkedSector ?sector``). For one page of an
answer, :func:`gather` asks one more query: the rows' values, taken from the answer's
parsed terms, go into a ``VALUES`` block (never the text of a request), joined with the
pattern; each fact comes back with its label (the reason), its quote (``fi:sourceQuote``),
its source and the Web Annotation that locates the quote in the source's text
(graph ``…/graph/evidence``: ``oa:TextPositionSelector`` start and end).
:func:`attach` adds them to the answer as four columns (``facts``, ``reasons``, ``quotes``,
``evidence``), one line per fact.

>>> rows = [{"target": NamedNode("https://w3id.org/future-industries/id/target/x")}, {}]
>>> print(values_block(("target",), rows))
VALUES (?row ?target) {
 (0 <https://w3id.org/future-industries/id/target/x>)
 (1 UNDEF)
}
>>> Fact("http://e/f", "f", "“q”", "https://w3id.org/future-industries/id/source/article",
...      "https://w3id.org/future-industries/id/evidence/0123456789abcdef", 3, 7).href
'https://w3id.org/future-industries/id/source/article#ev-0123456789abcdef'
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pyoxigraph import (
    BlankNode,
    Literal,
    NamedNode,
    QueryResultsFormat,
    QuerySolutions,
    Store,
    Variable,
    parse_query_results,
)

from kg import settings
from kg.catalogue.query import StoredQuery
from kg.errors import CatalogueError
from kg.sparql import Queryable, Result
from kg.sparql.syntax import analyse, tokenize
from kg.vocab import EVIDENCE_BASE, EVIDENCE_GRAPH, FI, OA, PROV, RDFS

COLUMNS = ("facts", "reasons", "quotes", "evidence")  # added to an answer, in this order
SEPARATOR = "\n"  # between the facts of one row in each added column
ANCHOR_PREFIX = "ev-"  # the reader page's id of a span: ev- and the annotation's local name
_COLUMN = re.compile(r"^\?([A-Za-z_][A-Za-z0-9_]*)$")
_DETAILS = f"""
SELECT ?row ?fact ?kind ?label ?year ?wording ?quote ?source ?annotation ?start ?end WHERE {{
  {{ SELECT DISTINCT ?row ?fact ?kind WHERE {{
{{values}}
{{pattern}}
    FILTER(isIRI(?fact))
  }} }}
  ?fact <{FI.sourceQuote.value}> ?quote .
  OPTIONAL {{ ?fact <{PROV.wasDerivedFrom.value}> ?source }}
  OPTIONAL {{ ?fact <{RDFS.label.value}> ?label FILTER(LANG(?label) = {{lang}}) }}
  OPTIONAL {{ ?fact <{FI.targetYear.value}> ?year }}
  OPTIONAL {{ ?fact <{FI.wording.value}> ?linkWording }}
  OPTIONAL {{ ?fact <{FI.originalWording.value}> ?targetWording }}
  BIND(COALESCE(?linkWording, ?targetWording) AS ?wording)
  OPTIONAL {{ GRAPH {EVIDENCE_GRAPH} {{
    ?annotation <{OA.hasBody.value}> ?fact ; <{OA.hasTarget.value}> ?at .
    ?at <{OA.hasSelector.value}> ?quoteSelector , ?positionSelector .
    ?quoteSelector <{OA.exact.value}> ?exact .
    ?positionSelector <{OA.start.value}> ?start ; <{OA.end.value}> ?end }}
    FILTER(STR(?exact) = STR(?quote)) }}
}}
"""


@dataclass(frozen=True)
class Fact:
    """One fact behind a row: why the row is there, and the clause it rests on."""

    iri: str
    reason: str  # the fact in words: its label, year and wording
    quote: str  # the source's clause (fi:sourceQuote)
    source: str  # the source document it is derived from ("" when not said)
    annotation: str = ""  # the Web Annotation locating the quote ("" when none)
    start: int | None = None  # code-point offsets of the quote in the source's text
    end: int | None = None
    kind: str = ""  # what the pattern says the fact is (its ?kind), if it says

    @property
    def anchor(self) -> str:
        """The id of the quote's span on the source's reader page ("" when not located)."""
        if not self.annotation.startswith(EVIDENCE_BASE):
            return ""
        return ANCHOR_PREFIX + self.annotation[len(EVIDENCE_BASE):]

    @property
    def href(self) -> str:
        """The span on the reader page (the source's IRI and the span's id), else the source."""
        return f"{self.source}#{self.anchor}" if self.source and self.anchor else self.source

    def to_json(self) -> dict[str, Any]:
        """The fact as JSON-ready data (``href``: its span on the source's reader page)."""
        return {**dataclasses.asdict(self), "href": self.href}


def pattern(query: StoredQuery) -> str:
    """The query's evidence pattern as SPARQL: a bare column becomes a BIND to ``?fact``.

    >>> import pathlib
    >>> q = StoredQuery("x", {}, "", (), (), "table", "", pathlib.Path("x.rq"), evidence="?target")
    >>> pattern(q)
    'BIND(?target AS ?fact)'
    """
    column = _COLUMN.match(query.evidence.strip())
    return f"BIND(?{column.group(1)} AS ?fact)" if column else query.evidence


def keys(query: StoredQuery, columns: Sequence[str]) -> tuple[str, ...]:
    """The result columns the evidence pattern reads (a row's key), in the answer's order;
    its ``?fact`` is what it finds, never a column (even in an answer that has one)."""
    used = {tok.text[1:] for tok in tokenize(pattern(query)) if tok.sym == "var"}
    return tuple(c for c in columns if c in used and c != "fact")


def values_block(names: Sequence[str], rows: Sequence[Mapping[str, Any]]) -> str:
    """A VALUES block of the rows' terms (numbered ``?row``), written from parsed terms;
    a value that is missing (or a blank node, which cannot be matched) is UNDEF."""
    head = " ".join(f"?{n}" for n in ("row", *names))
    lines = [" (" + " ".join([str(i), *(_written(row.get(n)) for n in names)]) + ")"
             for i, row in enumerate(rows)]
    return "VALUES (" + head + ") {\n" + "\n".join(lines) + ("\n" if lines else "") + "}"


def _written(term: Any) -> str:
    if term is None or isinstance(term, BlankNode):
        return "UNDEF"
    if not isinstance(term, (NamedNode, Literal)):
        raise TypeError(f"not an RDF term: {term!r}")
    return str(term)  # N-Triples syntax, escaped by pyoxigraph


def text(query: StoredQuery, names: Sequence[str], rows: Sequence[Mapping[str, Any]],
         lang: str) -> str:
    """The evidence query for these rows: the question's own prefixes, its pattern."""
    prefixes = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in analyse(query.text).prefixes)
    return prefixes + details(pattern(query), names, rows, lang)


def details(where: str, names: Sequence[str], rows: Sequence[Mapping[str, Any]],
            lang: str) -> str:
    """The query of the facts a pattern finds from each row (its prefixes not included)."""
    return (_DETAILS.replace("{values}", values_block(names, rows))
            .replace("{pattern}", where).replace("{lang}", str(Literal(lang))))


def check(query: StoredQuery, columns: Sequence[str]) -> None:
    """CatalogueError (file, line) when the evidence pattern does not parse, binds no
    ``?fact``, reads no result column, or the added columns clash with the answer's."""
    if not query.evidence:
        return
    where = (str(query.path), query.evidence_line)
    names = keys(query, columns)
    if not names:
        raise CatalogueError(*where, f"the evidence pattern reads none of the result columns "
                             f"({', '.join(columns)})")
    used = {tok.text[1:] for tok in tokenize(pattern(query)) if tok.sym == "var"}
    if "fact" not in used:
        raise CatalogueError(*where, "the evidence pattern must bind ?fact")
    clash = sorted(set(COLUMNS) & set(columns))
    if clash:
        raise CatalogueError(*where, f"result columns {', '.join(clash)} are the evidence's")
    try:
        Store().query(text(query, names, [{}], "en"))
    except SyntaxError as exc:
        raise CatalogueError(*where, f"evidence pattern: SPARQL syntax error: {exc}") from None


def gather(on: Queryable, query: StoredQuery, rows: Sequence[Mapping[str, Any]],
           columns: Sequence[str], lang: str) -> list[list[Fact]]:
    """The facts behind each row (in the order of their spans in the source), at most
    :data:`kg.settings.EVIDENCE_PER_ROW` each; none for a question without evidence."""
    found: list[list[Fact]] = [[] for _ in rows]
    if not query.evidence or not rows:
        return found
    return find(on, text(query, keys(query, columns), rows, lang), len(rows))


def find(on: Queryable, query_text: str, count: int) -> list[list[Fact]]:
    """The facts of ``count`` rows, from the query :func:`details` writes."""
    found: list[list[Fact]] = [[] for _ in range(count)]
    cap = count * settings.EVIDENCE_PER_ROW * 4
    result = on.run(query_text, row_cap=cap)
    rows = range(count)
    seen: set[tuple[int, str]] = set()
    for solution in _solutions(result):
        row, fact = int(_value(solution, "row")), _value(solution, "fact")
        if (row, fact) in seen or row not in rows:
            continue  # a fact with two labels in one language: the first
        seen.add((row, fact))
        found[row].append(_fact(solution))
    return [sorted(facts, key=_order)[:settings.EVIDENCE_PER_ROW] for facts in found]


def _solutions(result: Result) -> QuerySolutions:
    assert isinstance(result.value, QuerySolutions)
    return result.value


def _value(solution: Any, name: str) -> str:
    term = solution[name]
    return "" if term is None else str(term.value)


def _fact(solution: Any) -> Fact:
    start, end = _value(solution, "start"), _value(solution, "end")
    return Fact(
        iri=_value(solution, "fact"),
        reason=reason(_value(solution, "label"), _value(solution, "year"),
                      _value(solution, "wording")),
        quote=_value(solution, "quote"),
        source=_value(solution, "source"),
        annotation=_value(solution, "annotation"),
        start=int(start) if start else None,
        end=int(end) if end else None,
        kind=_value(solution, "kind"),
    )


def _order(fact: Fact) -> tuple[int, str]:
    return (fact.start if fact.start is not None else 1 << 62, fact.iri)


def reason(label: str, year: str, wording: str) -> str:
    """A fact in words, from its data only: its label, the year it is due and its own
    wording, each left out when the label already says it.

    >>> reason("Shanxi: 5 future industries", "2025", "5个产业规模超千亿元")
    'Shanxi: 5 future industries · 2025 · “5个产业规模超千亿元”'
    >>> reason("山东:量子科技(列举)", "", "量子科技")
    '山东:量子科技(列举)'
    """
    parts = [label] if label else []
    if year and year not in label:
        parts.append(year)
    if wording and wording not in label:
        parts.append(f"“{wording}”")
    return " · ".join(parts)


def attach(on: Queryable, query: StoredQuery, result: Result, lang: str) -> Result:
    """The answer with the evidence columns added (``facts``, ``reasons``, ``quotes``,
    ``evidence``: one line per fact, in the same order in each; unbound when a row rests
    on no quoted fact), of the same kind, page and truncation. An answer that is not a
    SELECT is returned unchanged."""
    if result.kind != "select":
        return result
    body = result.serialize("json")
    data = json.loads(body)
    columns = list(data["head"]["vars"])
    solutions = parse_query_results(body, QueryResultsFormat.JSON)
    assert isinstance(solutions, QuerySolutions)
    rows = [{c: s[Variable(c)] for c in columns if s[Variable(c)] is not None}
            for s in solutions]
    facts = gather(on, query, rows, columns, lang)
    data["head"]["vars"] = [*columns, *COLUMNS]
    for binding, row in zip(data["results"]["bindings"], facts, strict=True):
        for column, values in zip(COLUMNS, _columns(row), strict=True):
            if values:
                binding[column] = {"type": "literal", "value": SEPARATOR.join(values)}
    out = json.dumps(data, ensure_ascii=False).encode("utf-8")
    return dataclasses.replace(result, value=parse_query_results(out, QueryResultsFormat.JSON))


def _columns(row: Sequence[Fact]) -> tuple[list[str], ...]:
    return ([f.iri for f in row], [f.reason for f in row], [f.quote for f in row],
            [f.href for f in row])

