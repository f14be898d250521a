"""The build manifest: what went in, what came out, recorded in the store and beside it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pyoxigraph import Literal, NamedNode, Quad, Store, Triple

from kg import __version__, settings
from kg.rdf.dcat import sha256_checksum
from kg.vocab import (
    BUILD_BASE,
    DCTERMS,
    FI,
    GRAPH,
    OWL,
    PROV,
    RDF,
    RDFS,
    VOID,
    XSD,
    graph_for,
)

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


def published_path(path: str, root: Path | None = None) -> str:
    """How the build record names a source: a URL as it is, a file by its path relative to
    the resources root (``data/beijing.ttl``), a file elsewhere by its name alone (the
    record never publishes a local path).

    >>> root = Path("/srv/kg")
    >>> published_path("/srv/kg/data/beijing.ttl", root), published_path("/tmp/x/a.ttl", root)
    ('data/beijing.ttl', 'a.ttl')
    >>> published_path("https://example.org/d.nt", root)
    'https://example.org/d.nt'
    """
    if "://" in path:
        return path
    base = (root or settings.resources().root).resolve()
    file = Path(path).resolve()
    return file.relative_to(base).as_posix() if file.is_relative_to(base) else file.name


def record_quads(manifest: dict[str, Any]) -> list[Quad]:
    """The manifest as PROV-O: the build a ``prov:Activity`` that ``prov:used`` each source
    (a ``prov:Entity`` named by its project-relative path, with its SHA-256 and triple
    count) and ``prov:generated`` the graphs, each ``prov:wasDerivedFrom`` its sources;
    the software a ``prov:SoftwareAgent``. Hash IRIs of the build's own IRI, so the one
    document ``/build/ID`` answers for all of them."""
    build = NamedNode(f"{BUILD_BASE}{manifest['id']}")
    software = NamedNode(f"{build.value}#software")
    g = graph_for("build")
    triples = [
        Triple(build, RDF.type, PROV.Activity),
        Triple(build, RDFS.label, Literal(f"build {manifest['id']}", language="en")),
        Triple(build, DCTERMS.identifier, Literal(manifest["id"])),
        Triple(build, PROV.endedAtTime, Literal(manifest["time"], datatype=XSD.dateTime)),
        Triple(build, PROV.wasAssociatedWith, software),
        Triple(build, RDFS.comment, Literal(_judged(manifest["hermit"]), language="en")),
        Triple(software, RDF.type, PROV.SoftwareAgent),
        Triple(software, RDFS.label, Literal(f"kg {manifest['version']}")),
        Triple(software, OWL.versionInfo, Literal(manifest["version"])),
    ]
    for i, src in enumerate(manifest["sources"]):
        node = NamedNode(f"{build.value}#source-{i}")
        name = Literal(published_path(src["path"]))
        graph = NamedNode(src["graph"])
        triples += [
            Triple(build, PROV.used, node),
            Triple(node, RDF.type, PROV.Entity),
            Triple(node, RDFS.label, name),
            Triple(node, DCTERMS.identifier, name),
            Triple(node, VOID.triples, Literal(str(src["triples"]), datatype=XSD.integer)),
            *sha256_checksum(node, NamedNode(f"{node.value}-sha256"), src["sha256"]),
            Triple(build, PROV.generated, graph),
            Triple(graph, PROV.wasDerivedFrom, node),
        ]
    return [Quad(t.subject, t.predicate, t.object, g) for t in triples]


def record(store: Store, manifest: dict[str, Any]) -> int:
    """Write the manifest as triples into the build graph; return how many."""
    quads = record_quads(manifest)
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


def _judged(hermit: str) -> str:
    """Who judged the consistency of what (the manifest's ``hermit``: what HermiT read, and
    after ``; rules:`` what the rules' model check decided, kg.build.entailment).

    >>> _judged("ontology+curated")
    'HermiT judged the consistency of: ontology+curated'
    >>> _judged("ontology; rules: curated")
    'HermiT judged the consistency of: ontology; the rules (their closure a model of it): curated'
    """
    onto, _, ruled = hermit.partition("; rules: ")
    tail = f"; the rules (their closure a model of it): {ruled}" if ruled else ""
    return f"HermiT judged the consistency of: {onto}{tail}"
