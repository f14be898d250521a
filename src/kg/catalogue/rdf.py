"""The catalogue as RDF, after the SIB sparql-examples convention.

Each query becomes ``id/query/NAME``, typed ``sh:SPARQLExecutable`` and
``sh:SPARQLSelectExecutable`` (or Ask / Construct / Describe), with
``rdfs:label`` and ``rdfs:comment`` in zh and en, the query text in
``sh:select`` (or ``sh:ask`` / ``sh:construct`` / ``sh:describe``), one
``schema:keywords`` per tag, ``schema:target`` the SPARQL service and
``dcterms:license`` the data licence (CC BY 4.0). All of it goes into the graph
``…/graph/queries``.

>>> from kg.catalogue.registry import Catalogue
>>> quads = catalogue_quads(Catalogue.load().queries())
>>> quads[0].graph_name.value
'https://w3id.org/future-industries/graph/queries'
"""

from __future__ import annotations

from pyoxigraph import Literal, NamedNode, Quad

from kg.catalogue.query import StoredQuery
from kg.sparql import Term
from kg.vocab import (
    DATA_LICENSE,
    DCTERMS,
    GRAPH,
    RDF,
    RDFS,
    SCHEMA,
    SH,
    SPARQL_SERVICE,
    entity,
)

FORMS = {
    "select": ("SPARQLSelectExecutable", "select"),
    "ask": ("SPARQLAskExecutable", "ask"),
    "construct": ("SPARQLConstructExecutable", "construct"),
    "describe": ("SPARQLDescribeExecutable", "describe"),
}


def query_iri(name: str) -> NamedNode:
    """The IRI of a packaged query.

    >>> query_iri("region-sectors").value
    'https://w3id.org/future-industries/id/query/region-sectors'
    """
    return entity("query", name)


def catalogue_quads(queries: list[StoredQuery]) -> list[Quad]:
    """Every query's description as quads in the queries graph."""
    return [quad for query in queries for quad in query_quads(query)]


def query_quads(query: StoredQuery) -> list[Quad]:
    """One query's description as quads."""
    node, graph = query_iri(query.name), GRAPH.queries
    kind, prop = FORMS[query.form]
    triples: list[tuple[NamedNode, Term]] = [
        (RDF.type, SH.SPARQLExecutable),
        (RDF.type, SH[kind]),
        (DCTERMS.identifier, Literal(query.name)),
        (SH[prop], Literal(query.text)),
        (SCHEMA.target, NamedNode(SPARQL_SERVICE)),
        (DCTERMS.license, DATA_LICENSE),
    ]
    triples += [(RDFS.label, Literal(text, language=lang)) for lang, text in query.title.items()]
    triples.append((RDFS.comment, Literal(query.description, language="en")))
    if query.description_zh:
        triples.append((RDFS.comment, Literal(query.description_zh, language="zh")))
    triples += [(SCHEMA.keywords, Literal(tag)) for tag in query.tags]
    return [Quad(node, p, o, graph) for p, o in triples]
