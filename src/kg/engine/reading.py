"""What the pages of sources, regions and sectors add to an entity's description: the
text of a source with the spans its facts rest on, and the quoted facts of a region or a
sector, read through the backend (a build's store or another endpoint).

The spans are the Web Annotations of ``…/graph/evidence`` (``oa:TextPositionSelector``);
the text is the file the data registers for the source (:data:`kg.vocab.SOURCE_TEXT`), a
path relative to the project folder. A span whose text is not its annotation's quote is
left out (and counted), never shown at the wrong place.

>>> from pyoxigraph import Store
>>> from kg.engine.backend import LocalBackend
>>> reading(LocalBackend(Store()), "https://w3id.org/future-industries/id/source/x", "en") is None
True
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pyoxigraph import Literal, NamedNode, QuerySolutions, Variable

from kg import settings
from kg.catalogue import evidence
from kg.sparql import Queryable
from kg.vocab import (
    DCAT,
    DCTERMS,
    EVIDENCE_GRAPH,
    FI,
    OA,
    RDFS,
    SCHEMA,
    SKOS,
    SOURCE_TEXT,
)

# What a region's and a sector's pages list: each fact with its kind (?kind)
REGION_FACTS = """
{ ?fact fi:forRegion ?entity BIND("plan" AS ?kind) }
UNION { ?plan fi:forRegion ?entity ; fi:hasSectorLink ?fact BIND("sector_link" AS ?kind) }
UNION { ?plan fi:forRegion ?entity ; fi:hasTarget ?fact BIND("target" AS ?kind) }
UNION { ?plan fi:forRegion ?entity ; fi:hasAction ?fact BIND("action" AS ?kind) }
"""
SECTOR_FACTS = """
?matched skos:broader* ?entity . ?fact fi:linkedSector ?matched BIND("sector_link" AS ?kind)
"""
_PREFIXES = f"PREFIX fi: <{FI.base}>\nPREFIX skos: <{SKOS.base}>\n"
_ABOUT = f"""SELECT ?entity ?p ?o WHERE {{
  VALUES ?p {{ <{SOURCE_TEXT.value}> <{DCTERMS.title.value}> <{DCTERMS.publisher.value}>
              <{DCTERMS.issued.value}> <{DCTERMS.date.value}> <{SCHEMA.datePublished.value}>
              <{SCHEMA.url.value}> <{DCAT.landingPage.value}> }}
  ?entity ?p ?o }}"""
_SPANS = f"""SELECT ?entity ?lang ?annotation ?fact ?exact ?start ?end ?label WHERE {{
  GRAPH {EVIDENCE_GRAPH} {{
    ?target <{OA.hasSource.value}> ?entity .
    ?annotation <{OA.hasTarget.value}> ?target ; <{OA.hasBody.value}> ?fact .
    ?target <{OA.hasSelector.value}> ?quote , ?position .
    ?quote <{OA.exact.value}> ?exact .
    ?position <{OA.start.value}> ?start ; <{OA.end.value}> ?end }}
  OPTIONAL {{ ?fact <{RDFS.label.value}> ?label FILTER(LANG(?label) = ?lang) }}
}}"""
_ROLES = {SOURCE_TEXT.value: "text", DCTERMS.title.value: "title",
          DCTERMS.publisher.value: "publisher", DCTERMS.issued.value: "date",
          DCTERMS.date.value: "date", SCHEMA.datePublished.value: "date",
          SCHEMA.url.value: "url", DCAT.landingPage.value: "url"}


def entity_facts(on: Queryable, iri: str, where: str, lang: str) -> list[dict[str, Any]]:
    """The quoted facts a pattern finds from ``?entity`` (one row), as JSON-ready data."""
    text = _PREFIXES + evidence.details(where, ("entity",), [{"entity": NamedNode(iri)}], lang)
    return [f.to_json() for f in evidence.find(on, text, 1)[0]]


def page_facts(on: Queryable, iri: str, types: set[str], lang: str) -> list[dict[str, Any]]:
    """What a region's or a sector's page lists (nothing for other entities)."""
    if FI.Region.value in types:
        return entity_facts(on, iri, REGION_FACTS, lang)
    if FI.Sector.value in types:
        return entity_facts(on, iri, SECTOR_FACTS, lang)
    return []


def reading(on: Queryable, iri: str, lang: str) -> dict[str, Any] | None:
    """A source's reader: what the data says of it (title, publisher, date, address), its
    text and the spans its facts rest on; None when it is not a source the data gives a
    text for."""
    entity = {Variable("entity"): NamedNode(iri)}
    about: dict[str, list[tuple[str, str]]] = {}
    for row in _rows(on.run(_ABOUT, substitutions=entity)):
        about.setdefault(_ROLES[row["p"].value], []).append(
            (row["o"].value, getattr(row["o"], "language", None) or ""))
    if "text" not in about:
        return None
    text = _text(about["text"][0][0])
    subs = entity | {Variable("lang"): Literal(lang)}
    spans, wrong = _spans(_rows(on.run(_SPANS, substitutions=subs,
                                       row_cap=settings.GRAPH_CAP)), text)
    return {"text": text if text is not None else "", "has_text": text is not None,
            "about": {k: v for k, v in about.items() if k != "text"},
            "spans": spans, "misplaced": wrong}


def _rows(result: Any) -> QuerySolutions:
    assert isinstance(result.value, QuerySolutions)
    return result.value


def _text(registered: str) -> str | None:
    """The text of the file the data names (relative to the project folder), if readable."""
    path = Path(registered)
    if not path.is_absolute():
        path = settings.resources().root / path
    try:
        with path.open(encoding="utf-8") as handle:
            return handle.read(settings.SOURCE_TEXT_CHARS)
    except (OSError, UnicodeDecodeError):
        return None


def _spans(rows: QuerySolutions, text: str | None) -> tuple[list[list[Any]], int]:
    """The distinct spans whose text is their quote, in order (``[start, end, anchors,
    [[fact, label], …]]``), and how many annotations were not."""
    found: dict[tuple[int, int], tuple[set[str], dict[str, str]]] = {}
    wrong = 0
    for row in rows:
        start, end = int(row["start"].value), int(row["end"].value)
        if text is None or text[start:end] != row["exact"].value:
            wrong += 1
            continue
        anchors, facts = found.setdefault((start, end), (set(), {}))
        anchors.add(evidence.Fact("", "", "", "", row["annotation"].value).anchor)
        label = row["label"].value if row["label"] is not None else ""
        facts[row["fact"].value] = facts.get(row["fact"].value) or label
    spans = [[s, e, sorted(a), [list(f) for f in sorted(f.items())]]
             for (s, e), (a, f) in sorted(found.items())]
    return spans, wrong
