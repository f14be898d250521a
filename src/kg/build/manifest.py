"""The build manifest: what went in, what came out, recorded in the store and beside it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pyoxigraph import Literal, NamedNode, Quad, Store

from kg import __version__
from kg.vocab import BUILD_BASE, FI, GRAPH, KGB, PROV, RDF, XSD, graph_for

COUNT_GRAPHS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
COUNT_CLASSES = f"""SELECT ?c (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a ?c
  FILTER(STRSTARTS(STR(?c), "{FI.base}")) }}
  GROUP BY ?c ORDER BY ?c"""


def new_build_id(now: datetime | None = None) -> str:
    """A sortable, unique-enough build id.

    >>> new_build_id(datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC))[:22]
    '20260102T030405.678000'
    """
    import secrets

    now = now or datetime.now(UTC)
    return now.strftime("%Y%m%dT%H%M%S.%f") + "-" + secrets.token_hex(3)


def counts(store: Store) -> tuple[dict[str, int], dict[str, int]]:
    """Triples per named graph and instances per ontology class (union of graphs)."""
    graphs = {str(r["g"].value): int(r["n"].value) for r in _rows(store, COUNT_GRAPHS)}
    return graphs, classes(store)


def classes(store: Store) -> dict[str, int]:
    """Instances per ontology class (union of graphs)."""
    return {str(r["c"].value): int(r["n"].value) for r in _rows(store, COUNT_CLASSES, union=True)}


def graph_size(store: Store, graph: NamedNode) -> int:
    """Triples in one named graph.

    >>> from pyoxigraph import Quad
    >>> s = Store()
    >>> s.add(Quad(NamedNode("http://e/s"), RDF.type, NamedNode("http://e/C"), GRAPH.inferred))
    >>> graph_size(s, GRAPH.inferred)
    1
    """
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph.value}> {{ ?s ?p ?o }} }}"
    return int(_rows(store, query)[0]["n"].value)


def _rows(store: Store, query: str, union: bool = False) -> list[Any]:
    return list(store.query(query, use_default_graph_as_union=union))  # type: ignore[arg-type]


def record(store: Store, manifest: dict[str, Any]) -> int:
    """Write the manifest as triples into the build graph; return how many."""
    build = NamedNode(f"{BUILD_BASE}{manifest['id']}")
    g = graph_for("build")
    quads = [
        Quad(build, RDF.type, KGB.Build, g),
        Quad(build, KGB.id, Literal(manifest["id"]), g),
        Quad(build, KGB.version, Literal(manifest["version"]), g),
        Quad(build, PROV.generatedAtTime, Literal(manifest["time"], datatype=XSD.dateTime), g),
        Quad(build, KGB.hermit, Literal(manifest["hermit"]), g),
    ]
    for i, src in enumerate(manifest["sources"]):
        node = NamedNode(f"{build.value}/source/{i}")
        quads += [
            Quad(build, PROV.used, node, g),
            Quad(node, KGB.path, Literal(src["path"]), g),
            Quad(node, KGB.sha256, Literal(src["sha256"]), g),
            Quad(node, KGB.graph, NamedNode(src["graph"]), g),
            Quad(node, KGB.triples, Literal(str(src["triples"]), datatype=XSD.integer), g),
        ]
    store.extend(quads)
    return len(set(quads))


def make(build_id: str, sources: list[dict[str, Any]], hermit: str) -> dict[str, Any]:
    """The manifest's fixed part (counts are added once the store is complete)."""
    return {
        "id": build_id,
        "version": __version__,
        "time": datetime.now(UTC).isoformat(timespec="seconds"),
        "sources": sources,
        "hermit": hermit,
        "inferred_graph": GRAPH.inferred.value,
    }


def write(path: Path, manifest: dict[str, Any]) -> None:
    """Write ``build.json`` (the last file of a build: its presence marks completion)."""
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(manifest, indent=2, ensure_ascii=False), "utf-8")
    tmp.replace(path)
