"""Quotes checked against their sources' texts, and where each lies (Web Annotations).

Every source with a registered text (``fi:textFile``, ``fi:textSha256`` in the data) is
read and its checksum checked; every zh quote, wording and plan title of a fact derived
from it (``prov:wasDerivedFrom``) must be in that text verbatim. Each one found becomes a
W3C Web Annotation in the evidence graph: its body the fact, its target the source with a
``TextQuoteSelector`` (exact, prefix, suffix) and a ``TextPositionSelector`` (Unicode
code-point offsets into the file's text, end exclusive). A quote not found fails the
build with the Turtle file and line that state it and the source named.

>>> text = "甲乙丙丁。甲乙"
>>> place(text, ["甲乙丙", "甲乙"])
[('甲乙丙', 0, 3), ('甲乙', 0, 2)]
>>> place(text, ["丁"]), place(text, ["戊"])
([('丁', 3, 4)], [('戊', -1, -1)])
>>> evidence_iri("https://e/fact", "甲乙").value
'https://w3id.org/future-industries/id/evidence/8607df87ba6c99ab'
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyoxigraph import Literal, NamedNode, Quad, Store

from kg.build.sources import Source
from kg.errors import EvidenceError
from kg.vocab import EVIDENCE_BASE, EVIDENCE_GRAPH, OA, RDF, XSD, prologue

AFFIX = 32  # characters of text kept before and after a quote (oa:prefix, oa:suffix)
VERBATIM = ("sourceQuote", "wording", "originalWording", "dateAsStated", "countedThing")

_REGISTERED = prologue("fi") + """
SELECT ?source ?file ?sha ?g WHERE { GRAPH ?g { ?source fi:textFile ?file }
  OPTIONAL { ?source fi:textSha256 ?sha } }"""
_VERBATIM_VALUES = " ".join(f"fi:{p}" for p in VERBATIM)
_SOURCES = prologue("fi") + "SELECT DISTINCT ?source WHERE { ?source a fi:Source }"
_TEXTS = prologue("fi", "rdfs", "dcterms", "prov") + """
SELECT DISTINCT ?g ?fact ?text ?source WHERE {
  VALUES ?source { SOURCES }
  { GRAPH ?g { VALUES ?p { VERBATIM } ?fact ?p ?text } }
  UNION { GRAPH ?g { ?fact dcterms:title ?text } ?fact a/rdfs:subClassOf* fi:Plan }
  FILTER(LANG(?text) = "zh")
  ?fact prov:wasDerivedFrom ?source
}""".replace("VERBATIM", _VERBATIM_VALUES)


@dataclass(frozen=True)
class Text:
    """A registered source text."""

    source: str
    path: Path
    text: str


@dataclass
class Located:
    """What the evidence step found: annotations, quotes missing, figures."""

    quads: list[Quad] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)
    texts: dict[str, Text] = field(default_factory=dict)
    spans: dict[str, list[tuple[int, int]]] = field(default_factory=dict)

    def check(self) -> None:
        """:class:`EvidenceError` listing every quote not found, if any."""
        if self.missing:
            raise EvidenceError(self.missing)


def texts(store: Store, sources: list[Source], root: Path) -> dict[str, Text]:
    """The registered texts, each file read and its checksum checked."""
    found: dict[str, Text] = {}
    problems = []
    for row in _rows(store, _REGISTERED):
        iri, file = row["source"].value, row["file"].value
        where = _where(sources, row["g"], file)
        path = root / file
        if not path.is_file():
            problems.append(f"{where}: the text of <{iri}> is registered as {file}, "
                            f"which is not a file in {root}")
            continue
        data = path.read_bytes()
        actual = hashlib.sha256(data).hexdigest()
        declared = row["sha"].value if row["sha"] else None
        if declared != actual:
            problems.append(f"{path}: its SHA-256 is {actual}, but {where} registers "
                            f"{declared or 'none'} for <{iri}>: if the text was changed on "
                            "purpose, register the new checksum (fi:textSha256)")
            continue
        found[iri] = Text(iri, path, data.decode("utf-8"))
    if problems:
        raise EvidenceError(problems)
    return found


def locate(store: Store, sources: list[Source], root: Path) -> Located:
    """Find every verbatim text of every fact in its source's text; annotate each."""
    registered = texts(store, sources, root)
    described = {row["source"].value for row in _rows(store, _SOURCES)}
    by_fact: dict[tuple[str, str], list[tuple[NamedNode, str]]] = defaultdict(list)
    if registered:  # only the quotes of registered sources: a big graph may cite others
        values = " ".join(f"<{iri}>" for iri in sorted(registered))
        for row in _rows(store, _TEXTS.replace("SOURCES", values)):
            key = (row["fact"].value, row["source"].value)
            by_fact[key].append((row["g"], row["text"].value))
    out = Located(texts=registered, spans={iri: [] for iri in registered})
    counts: dict[str, int] = defaultdict(int)
    for (fact, source), items in sorted(by_fact.items()):
        graph_of = dict((text, g) for g, text in items)
        for exact, start, end in place(registered[source].text, list(graph_of)):
            if start < 0:
                where = _where(sources, graph_of[exact], exact, fact)
                out.missing.append(
                    f"{where}: “{exact}” (of <{fact}>) is not in the text of <{source}> "
                    f"({registered[source].path.name}): copy it verbatim from the source")
                continue
            out.quads += annotation(fact, source, registered[source].text, start, end)
            out.spans[source].append((start, end))
            counts[source] += 1
    out.figures = {"located": sum(counts.values()),
                   "sources_without_text": sorted(described - set(registered)),
                   "by_source": dict(sorted(counts.items()))}
    return out


def place(text: str, quotes: list[str]) -> list[tuple[str, int, int]]:
    """Where each quote of one fact lies in a text: longest first, each at its first
    occurrence after the start of the fact's previous one, else at its first occurrence
    (so a wording lies inside its fact's quote); (-1, -1) when absent."""
    out = []
    previous = 0
    for quote in sorted(set(quotes), key=lambda q: (-len(q), q)):
        start = text.find(quote, previous)
        if start < 0:
            start = text.find(quote)
        if start < 0:
            out.append((quote, -1, -1))
            continue
        out.append((quote, start, start + len(quote)))
        previous = start
    return out


def evidence_iri(fact: str, exact: str) -> NamedNode:
    """The annotation's IRI: 16 hex digits of SHA-256(fact IRI, newline, exact text)."""
    digest = hashlib.sha256(f"{fact}\n{exact}".encode()).hexdigest()[:16]
    return NamedNode(EVIDENCE_BASE + digest)


def annotation(fact: str, source: str, text: str, start: int, end: int) -> list[Quad]:
    """One located quote as a Web Annotation (the shared contract's shape).

    >>> quads = annotation("https://e/f", "https://e/s", "一二三四五", 1, 3)
    >>> sorted(q.predicate.value.split("#")[-1] for q in quads)[:6]
    ['end', 'exact', 'hasBody', 'hasSelector', 'hasSelector', 'hasSource']
    >>> [q.object.value for q in quads if q.predicate == OA.exact]
    ['二三']
    """
    iri = evidence_iri(fact, text[start:end])
    target, quote, position = (NamedNode(f"{iri.value}#{part}")
                               for part in ("target", "quote", "position"))
    triples: list[tuple[NamedNode, NamedNode, NamedNode | Literal]] = [
        (iri, RDF.type, OA.Annotation), (iri, OA.motivatedBy, OA.describing),
        (iri, OA.hasBody, NamedNode(fact)), (iri, OA.hasTarget, target),
        (target, RDF.type, OA.SpecificResource), (target, OA.hasSource, NamedNode(source)),
        (target, OA.hasSelector, quote), (target, OA.hasSelector, position),
        (quote, RDF.type, OA.TextQuoteSelector),
        (quote, OA.exact, Literal(text[start:end], language="zh")),
        (quote, OA.prefix, Literal(text[max(0, start - AFFIX):start], language="zh")),
        (quote, OA.suffix, Literal(text[end:end + AFFIX], language="zh")),
        (position, RDF.type, OA.TextPositionSelector),
        (position, OA.start, Literal(str(start), datatype=XSD.nonNegativeInteger)),
        (position, OA.end, Literal(str(end), datatype=XSD.nonNegativeInteger)),
    ]
    return [Quad(s, p, o, EVIDENCE_GRAPH) for s, p, o in triples]


def _rows(store: Store, query: str) -> list[Any]:
    return list(store.query(query, use_default_graph_as_union=True))  # type: ignore[arg-type]


def _where(sources: list[Source], graph: NamedNode, needle: str, fact: str = "") -> str:
    """``file:line`` of the line that holds ``needle`` among the files loaded into
    ``graph``: the first one after the line where ``fact``'s description starts, else the
    first one (the file alone when no line holds it).

    >>> import tempfile
    >>> from kg.build.sources import make_source
    >>> p = Path(tempfile.mkdtemp()) / "d.ttl"
    >>> _ = p.write_text('x:a x:q "甲" .\\nx:b x:q "乙" ;\\n  x:r "甲" .\\n', "utf-8")
    >>> src = make_source(p)
    >>> _where([src], src.graph, "甲", "https://e/b").endswith("d.ttl:3")
    True
    """
    local = re.compile(rf"^\S*[/:#]{re.escape(fact.rsplit('/', 1)[-1])}>?\s") if fact else None
    escaped = needle.replace("\\", "\\\\").replace('"', '\\"')
    for path in (s.path for s in sources if s.graph == graph):
        lines = path.read_text("utf-8", errors="replace").splitlines()
        begin = next((i for i, line in enumerate(lines) if local and local.match(line)), 0)
        for i in [*range(begin, len(lines)), *range(begin)]:
            if needle in lines[i] or escaped in lines[i]:
                return f"{path}:{i + 1}"
    files = [s.path for s in sources if s.graph == graph]
    return str(files[0]) if files else graph.value
