"""The DCAT catalogue of the dumps and the SPARQL Service Description.

>>> sorted(DUMPS)
['all', 'inferred', 'links', 'ontology']
>>> dump_for("ontology.ttl")
('ontology', 'ttl')
>>> dump_for("ontology.exe")
Traceback (most recent call last):
  ...
kg.errors.NotFoundError: no dump ontology.exe; available: all.nq, all.trig, inferred.ttl, ...
"""

from __future__ import annotations

from typing import Any

from pyoxigraph import BlankNode, Literal, NamedNode, QueryResultsFormat, RdfFormat, Triple

from kg import sparql
from kg.errors import NotFoundError
from kg.rdf.void import DATASET, integer
from kg.vocab import DCAT, DCTERMS, RDF, SD, VOID, graph_for

# name → (graph or None for all graphs, extensions offered)
DUMPS: dict[str, tuple[NamedNode | None, tuple[str, ...]]] = {
    "all": (None, ("nq", "trig")),
    "ontology": (graph_for("ontology"), ("ttl", "nt", "rdf", "jsonld")),
    "inferred": (graph_for("inferred"), ("ttl", "nt")),
    "links": (graph_for("links"), ("ttl", "nt")),
}


def dump_names() -> list[str]:
    """Every dump file name offered.

    >>> dump_names()[:2]
    ['all.nq', 'all.trig']
    """
    return [f"{name}.{ext}" for name, (_g, exts) in sorted(DUMPS.items()) for ext in exts]


def dump_for(filename: str) -> tuple[str, str]:
    """(name, extension) of an offered dump, else :class:`NotFoundError` listing them."""
    name, _, ext = filename.partition(".")
    if name in DUMPS and ext in DUMPS[name][1]:
        return name, ext
    raise NotFoundError(f"no dump {filename}; available: {', '.join(dump_names())}")


def catalog_triples(base_url: str, build: str, manifest: dict[str, Any]) -> list[Triple]:
    """A dcat:Catalog with one dataset, one distribution per dump and the SPARQL service."""
    cat, service = NamedNode(base_url + "catalog"), NamedNode(base_url + "sparql")
    out = [
        Triple(cat, RDF.type, DCAT.Catalog),
        Triple(cat, DCTERMS.title, Literal("未来产业知识图谱：数据目录", language="zh")),
        Triple(cat, DCTERMS.title, Literal("Future industries knowledge graph: catalogue",
                                           language="en")),
        Triple(cat, DCAT.dataset, DATASET),
        Triple(cat, DCAT.service, service),
        Triple(DATASET, RDF.type, DCAT.Dataset),
        Triple(DATASET, DCTERMS.identifier, Literal(build)),
        Triple(DATASET, DCTERMS.title, Literal("Future industries knowledge graph",
                                               language="en")),
        Triple(service, RDF.type, DCAT.DataService),
        Triple(service, DCAT.endpointURL, service),
        Triple(service, DCAT.servesDataset, DATASET),
        Triple(service, DCTERMS.conformsTo, NamedNode("https://www.w3.org/TR/sparql11-protocol/")),
    ]
    if manifest.get("time"):
        stamp = Literal(str(manifest["time"]), datatype=NamedNode(
            "http://www.w3.org/2001/XMLSchema#dateTime"))
        out.append(Triple(DATASET, DCTERMS.modified, stamp))
    for filename in dump_names():
        out += _distribution(base_url, filename)
    return out


def _distribution(base_url: str, filename: str) -> list[Triple]:
    name, ext = dump_for(filename)
    dist = NamedNode(f"{base_url}dumps/{filename}")
    graph = DUMPS[name][0]
    fmt = sparql.rdf_format(ext)
    out = [
        Triple(DATASET, DCAT.distribution, dist),
        Triple(dist, RDF.type, DCAT.Distribution),
        Triple(dist, DCTERMS.title, Literal(f"{name} ({fmt.name})", language="en")),
        Triple(dist, DCAT.downloadURL, dist),
        Triple(dist, DCAT.mediaType, NamedNode(
            "https://www.iana.org/assignments/media-types/" + fmt.media_type.split(";")[0])),
        Triple(dist, DCTERMS["format"], NamedNode(fmt.iri)),
    ]
    if graph is not None:
        out.append(Triple(dist, DCTERMS.source, graph))
    return out


def service_triples(endpoint: str, data: dict[str, Any], writable: bool) -> list[Triple]:
    """The SPARQL 1.1 Service Description of the endpoint."""
    svc, dataset, default = NamedNode(endpoint), BlankNode(), BlankNode()
    out = [
        Triple(svc, RDF.type, SD.Service),
        Triple(svc, SD.endpoint, svc),
        Triple(svc, SD.supportedLanguage, SD.SPARQL11Query),
        Triple(svc, SD.feature, SD.UnionDefaultGraph),
        Triple(svc, SD.feature, SD.BasicFederatedQuery),
        Triple(svc, SD.defaultDataset, dataset),
        Triple(dataset, RDF.type, SD.Dataset),
        Triple(dataset, SD.defaultGraph, default),
        Triple(default, RDF.type, SD.Graph),
        Triple(default, VOID.triples, integer(data["totals"]["triples"])),
    ]
    if writable:
        out.append(Triple(svc, SD.supportedLanguage, SD.SPARQL11Update))
    for fmt in [*_members(QueryResultsFormat), *_members(RdfFormat)]:
        out.append(Triple(svc, SD.resultFormat, NamedNode(fmt.iri)))
    for graph, n in data["graphs"]:
        named, desc = BlankNode(), BlankNode()
        out += [Triple(dataset, SD.namedGraph, named), Triple(named, SD.name, NamedNode(graph)),
                Triple(named, SD.graph, desc), Triple(desc, RDF.type, SD.Graph),
                Triple(desc, VOID.triples, integer(n))]
    return out


def _members(kind: Any) -> list[Any]:
    """The formats pyoxigraph defines (its own list, not ours)."""
    return [getattr(kind, a) for a in dir(kind) if isinstance(getattr(kind, a), kind)]
