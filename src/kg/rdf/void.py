"""The VoID description of the dataset, generated from the store.

A worker gathers the figures (:func:`stats`); :func:`void_triples` turns
them into VoID: triple counts, one partition per class and per named graph,
the link set (graph ``…/graph/links``) per predicate and target namespace,
example resources and the build id.

>>> from pyoxigraph import Store
>>> s = Store()
>>> s.update('''INSERT DATA { GRAPH <https://w3id.org/future-industries/graph/links> {
...   <https://w3id.org/future-industries/id/region/x>
...     <http://www.w3.org/2002/07/owl#sameAs> <http://www.wikidata.org/entity/Q1> } }''')
>>> stats(s)["linksets"]
[['http://www.w3.org/2002/07/owl#sameAs', 'http://www.wikidata.org/entity/', 1]]
"""

from __future__ import annotations

import hashlib
from typing import Any

from pyoxigraph import BlankNode, Literal, NamedNode, Store, Triple

from kg.engine.pool import Reply
from kg.vocab import (
    BASE,
    DATASET_IRI,
    DCTERMS,
    ID_BASE,
    ONTOLOGY_IRI,
    PREFIXES,
    RDF,
    VOID,
    XSD,
    graph_for,
)

DATASET = NamedNode(DATASET_IRI)
LINKSET = NamedNode(DATASET_IRI + "/links")

_GRAPHS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
_CLASSES = "SELECT ?c (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a ?c FILTER(isIRI(?c)) } GROUP BY ?c"
_TOTALS = """SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects)
  (COUNT(DISTINCT ?p) AS ?properties) (COUNT(DISTINCT ?o) AS ?objects)
  WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"""  # a triple in two graphs counts once
_EXAMPLES = """SELECT ?c (MIN(STR(?x)) AS ?ex) WHERE { ?x a ?c
  FILTER(STRSTARTS(STR(?x), "https://w3id.org/future-industries/id/")
         && STRSTARTS(STR(?c), "https://w3id.org/future-industries/ontology#")) }
  GROUP BY ?c ORDER BY ?c"""
_LINKS = """SELECT ?p ?o WHERE { GRAPH <https://w3id.org/future-industries/graph/links> {
  ?s ?p ?o FILTER(isIRI(?o) && !STRSTARTS(STR(?o), "https://w3id.org/future-industries/")) } }"""


def _rows(store: Store, query: str, union: bool = True) -> list[Any]:
    return list(store.query(query, use_default_graph_as_union=union))  # type: ignore[arg-type]


def namespace(iri: str) -> str:
    """The namespace of an IRI: a known prefix, else up to the last ``/`` or ``#``.

    >>> namespace("http://www.wikidata.org/entity/Q956")
    'http://www.wikidata.org/entity/'
    >>> namespace("http://example.org/things/thing-1")
    'http://example.org/things/'
    """
    for base in sorted(PREFIXES.values(), key=len, reverse=True):
        if iri.startswith(base):
            return base
    cut = max(iri.rfind("/", 0, len(iri) - 1), iri.rfind("#"))
    return iri[: cut + 1] if cut > 0 else iri


def stats(store: Store) -> dict[str, Any]:
    """The figures VoID reports, as plain data (picklable)."""
    totals = _rows(store, _TOTALS)[0]
    links: dict[tuple[str, str], int] = {}
    for row in _rows(store, _LINKS, union=False):
        key = (row["p"].value, namespace(row["o"].value))
        links[key] = links.get(key, 0) + 1
    return {
        "totals": {k: int(totals[k].value) for k in ("triples", "subjects", "properties",
                                                      "objects")},
        "graphs": [[r["g"].value, int(r["n"].value)] for r in _rows(store, _GRAPHS, False)],
        "classes": sorted([r["c"].value, int(r["n"].value)] for r in _rows(store, _CLASSES)),
        "examples": [r["ex"].value for r in _rows(store, _EXAMPLES)],
        "linksets": sorted([p, ns, n] for (p, ns), n in links.items()),
    }


def stats_task(store: Store, _args: dict[str, Any], _state: Any) -> Reply:
    """``void``: the figures, for the server to render."""
    return Reply(data=stats(store))


def integer(n: int) -> Literal:
    return Literal(str(n), datatype=XSD.integer)


def void_triples(data: dict[str, Any], build: str, base_url: str) -> list[Triple]:
    """The VoID description: dataset, class and graph partitions, linksets."""
    d, totals = DATASET, data["totals"]
    out = [
        Triple(d, RDF.type, VOID.Dataset),
        Triple(d, DCTERMS.title, Literal("未来产业知识图谱", language="zh")),
        Triple(d, DCTERMS.title, Literal("Future industries knowledge graph", language="en")),
        Triple(d, DCTERMS.identifier, Literal(build)),
        Triple(d, VOID.uriSpace, Literal(ID_BASE)),
        Triple(d, VOID.vocabulary, NamedNode(ONTOLOGY_IRI)),
        Triple(d, VOID.sparqlEndpoint, NamedNode(base_url + "sparql")),
        Triple(d, VOID.rootResource, NamedNode(ID_BASE + "scheme/sectors")),
        Triple(d, VOID.triples, integer(totals["triples"])),
        Triple(d, VOID.distinctSubjects, integer(totals["subjects"])),
        Triple(d, VOID.properties, integer(totals["properties"])),
        Triple(d, VOID.distinctObjects, integer(totals["objects"])),
        Triple(d, VOID.classes, integer(len(data["classes"]))),
        Triple(d, VOID.dataDump, NamedNode(base_url + "dumps/all.nq")),
    ]
    out += [Triple(d, VOID.exampleResource, NamedNode(iri)) for iri in data["examples"]]
    for cls, n in data["classes"]:
        node = BlankNode()
        out += [Triple(d, VOID.classPartition, node), Triple(node, VOID["class"], NamedNode(cls)),
                Triple(node, VOID.entities, integer(n))]
    for graph, n in data["graphs"]:
        part = NamedNode(DATASET_IRI + "/" + graph.removeprefix(BASE))
        out += [Triple(d, VOID.subset, part), Triple(part, RDF.type, VOID.Dataset),
                Triple(part, DCTERMS.source, NamedNode(graph)),
                Triple(part, VOID.triples, integer(n))]
    return out + _linksets(data["linksets"])


def _linksets(linksets: list[list[Any]]) -> list[Triple]:
    out: list[Triple] = []
    for pred, ns, n in linksets:
        target = NamedNode(ns)
        slug = hashlib.sha256(f"{pred} {ns}".encode()).hexdigest()[:10]
        link = NamedNode(f"{LINKSET.value}/{slug}")
        out += [
            Triple(DATASET, VOID.subset, link),
            Triple(link, RDF.type, VOID.Linkset),
            Triple(link, DCTERMS.source, graph_for("links")),
            Triple(link, VOID.subjectsTarget, DATASET),
            Triple(link, VOID.objectsTarget, target),
            Triple(link, VOID.linkPredicate, NamedNode(pred)),
            Triple(link, VOID.triples, integer(n)),
            Triple(target, RDF.type, VOID.Dataset),
            Triple(target, VOID.uriSpace, Literal(ns)),
        ]
    return out
