"""What the pages need from the graph: choices for forms, places for maps.

The queries here are fixed texts (no user input reaches them); they run in
the server's worker pool on the request's build, and each answer is kept for
that build (``Runtime.remember``), so a page costs one worker round trip per
build at most.

>>> slug("https://w3id.org/future-industries/id/region/shandong", "region")
'shandong'
>>> slug("http://example.org/x", "region")
'http://example.org/x'
"""

from __future__ import annotations

import functools
import json
from collections.abc import Hashable
from typing import Any

from pyoxigraph import QuerySolutions, RdfFormat, Store
from starlette.requests import Request

from kg import settings, vocab
from kg.html.forms import Choice
from kg.http.respond import HttpError, engine, snapshot
from kg.vocab import GRAPH, ID_BASE

JSON = "application/sparql-results+json"
Row = dict[str, str]

_PREFIXES = vocab.prologue("fi", "rdfs", "dcterms", "schema", "void", "skos")
ENTITIES = _PREFIXES + """SELECT ?class ?x ?zh ?en WHERE {
  VALUES ?class { fi:Region fi:Sector fi:Domain fi:Plan }
  ?x a ?class .
  OPTIONAL { ?x rdfs:label ?zh FILTER(LANG(?zh) = "zh") }
  OPTIONAL { ?x rdfs:label ?en FILTER(LANG(?en) = "en") }
} ORDER BY ?class ?en ?x"""
REGION_CODES = _PREFIXES + f"""SELECT ?region ?code WHERE {{
  GRAPH <{GRAPH.links.value}> {{ ?region dcterms:identifier ?code }}
  FILTER(STRSTARTS(STR(?region), "{ID_BASE}region/"))
}}"""
DIVISIONS = _PREFIXES + f"""SELECT ?code ?name ?lat ?lon WHERE {{
  ?d void:inDataset <{vocab.DIVISIONS.value}> ; dcterms:identifier ?code ;
     rdfs:label ?name ; schema:geo ?geo .
  ?geo schema:latitude ?lat ; schema:longitude ?lon .
}} ORDER BY ?code"""
SECTOR_DOMAINS = _PREFIXES + """SELECT DISTINCT ?x ?domain WHERE {
  ?domain a fi:Domain . ?x a fi:Sector ; skos:broader+ ?domain .
} ORDER BY ?x ?domain"""
SECTOR_BROADER = _PREFIXES + """SELECT DISTINCT ?x ?broader WHERE {
  ?x a fi:Sector ; skos:broader ?broader . ?broader a fi:Sector .
} ORDER BY ?x ?broader"""
KINDS = {"Region": "region", "Sector": "sector", "Domain": "domain", "Plan": "plan"}


def slug(iri: str, kind: str) -> str:
    """The short value a region/sector parameter accepts for an IRI (the IRI otherwise)."""
    base = f"{ID_BASE}{kind}/"
    return iri[len(base):] if iri.startswith(base) else iri


async def select(request: Request, text: str) -> list[Row]:
    """A fixed SELECT on the request's build, as rows of plain values (kept per build)."""
    rt, snap = engine(request), snapshot(request)
    key: Hashable = ("web", snap.tag, text)
    if key in rt.memo:
        rows: list[Row] = rt.memo[key]
        return rows
    args = {"text": text, "format": JSON, "row_cap": rt.config.row_cap}
    reply = await rt.run(snap, "query", args, rt.timeout(None))
    if not reply.ok:
        raise HttpError(reply.status, reply.message)
    rows = plain(json.loads(reply.body))
    rt.remember(key, rows)
    return rows


def plain(results: dict[str, Any]) -> list[Row]:
    """SPARQL JSON results as rows of plain values.

    >>> plain({"results": {"bindings": [{"x": {"type": "literal", "value": "1"}}]}})
    [{'x': '1'}]
    """
    return [{k: v["value"] for k, v in b.items()} for b in results["results"]["bindings"]]


async def choices(request: Request) -> dict[str, list[Choice]]:
    """Regions, sectors, domains and plans with their labels, by kind."""
    out: dict[str, list[Choice]] = {kind: [] for kind in KINDS.values()}
    seen: set[tuple[str, str]] = set()
    domains: dict[str, str] = {}
    for row in await select(request, SECTOR_DOMAINS):
        domains.setdefault(row["x"], row["domain"])
    for row in await select(request, ENTITIES):
        kind = KINDS[row["class"].rpartition("#")[2]]
        if (kind, row["x"]) in seen:
            continue
        seen.add((kind, row["x"]))
        value = slug(row["x"], kind)
        group = ""  # a sector's domain (a domain is in its own group)
        if kind == "sector":
            group = domains.get(row["x"]) or (row["x"] if ("domain", row["x"]) in seen else "")
        out[kind].append(Choice(row["x"], value, row.get("zh", ""), row.get("en", ""), group))
    return out


async def labels(request: Request) -> dict[str, Any]:
    """Names of the regions, sectors, domains and plans by IRI (``[zh, en]``), and each
    sector's broader sectors: what the pages show for an IRI without a label column."""
    found = await choices(request)
    names = {c.iri: [c.zh, c.en] for kind in found.values() for c in kind}
    broader: dict[str, list[str]] = {}
    for row in await select(request, SECTOR_BROADER):
        broader.setdefault(row["x"], []).append(row["broader"])
    return {"names": names, "broader": broader}


async def places(request: Request) -> dict[str, Any]:
    """Coordinates of our regions (by their GB/T 2260 code) and of every division.

    Codes come from the linkset graph; coordinates from the divisions dataset
    in the store when it was imported (``kg import-divisions``), else from the
    same dataset as shipped in ``data/external/``.
    """
    codes = await select(request, REGION_CODES)
    rows, origin = await select(request, DIVISIONS), "graph"
    if not rows:
        rows, origin = shipped_divisions(), "data/external/cn-admin-divisions.ttl"
    by_code = {r["code"]: r for r in rows}
    regions = {
        r["region"]: {"code": r["code"], "lat": float(by_code[r["code"]]["lat"]),
                      "lon": float(by_code[r["code"]]["lon"])}
        for r in codes if r["code"] in by_code
    }
    points = [[float(r["lon"]), float(r["lat"]), r["name"], r["code"]] for r in rows]
    return {"regions": regions, "divisions": points, "coordinates_from": origin}


@functools.cache
def shipped_divisions() -> list[Row]:
    """The divisions of the shipped dataset file (read once per process).

    >>> beijing = next(d for d in shipped_divisions() if d["code"] == "110000")
    >>> beijing["name"], round(float(beijing["lat"]))
    ('北京市', 40)
    """
    store = Store()
    store.load(path=str(settings.divisions_path()), format=RdfFormat.TURTLE)
    result = store.query(DIVISIONS)
    assert isinstance(result, QuerySolutions)
    names = [v.value for v in result.variables]
    return [{n: row[n].value for n in names if row[n] is not None} for row in result]
