"""The SPARQL 1.1 Service Description of the endpoint.

>>> triples = service_triples("http://127.0.0.1/sparql", {"totals": {"triples": 3},
...                                                      "graphs": []}, False)
>>> len(triples) > 10
True
"""

from __future__ import annotations

from typing import Any

from pyoxigraph import NamedNode, QueryResultsFormat, Triple

from kg.rdf.formats import format_iri, graph_results, members
from kg.rdf.void import integer, stable_blank
from kg.vocab import RDF, SD, VOID


def service_triples(endpoint: str, data: dict[str, Any], writable: bool) -> list[Triple]:
    """The SPARQL 1.1 Service Description of the endpoint."""
    svc = NamedNode(endpoint)
    dataset, default = stable_blank("dataset"), stable_blank("default graph")
    out = [
        Triple(svc, RDF.type, SD.Service),
        Triple(svc, SD.endpoint, svc),
        Triple(svc, SD.supportedLanguage, SD.SPARQL11Query),
        Triple(svc, SD.feature, SD.UnionDefaultGraph),
        Triple(svc, SD.defaultDataset, dataset),
        Triple(dataset, RDF.type, SD.Dataset),
        Triple(dataset, SD.defaultGraph, default),
        Triple(default, RDF.type, SD.Graph),
        Triple(default, VOID.triples, integer(data["totals"]["triples"])),
    ]
    if writable:
        out.append(Triple(svc, SD.supportedLanguage, SD.SPARQL11Update))
    # what /sparql answers in (SERVICE is refused: no sd:BasicFederatedQuery)
    for fmt in [*members(QueryResultsFormat), *graph_results()]:
        out.append(Triple(svc, SD.resultFormat, NamedNode(format_iri(fmt))))
    for graph, n in data["graphs"]:
        named, desc = stable_blank("named", graph), stable_blank("graph", graph)
        out += [Triple(dataset, SD.namedGraph, named), Triple(named, SD.name, NamedNode(graph)),
                Triple(named, SD.graph, desc), Triple(desc, RDF.type, SD.Graph),
                Triple(desc, VOID.triples, integer(n))]
    return out
