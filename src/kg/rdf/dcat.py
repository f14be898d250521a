"""The DCAT catalogue of the dataset: its dumps (with size and SHA-256 once made) and
the SPARQL service.

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

from collections.abc import Sequence
from typing import Any

from pyoxigraph import Literal, NamedNode, Triple

from kg.errors import NotFoundError
from kg.rdf import formats
from kg.rdf.export import DumpInfo
from kg.rdf.void import DATASET
from kg.vocab import (
    DCAT,
    DCTERMS,
    IANA_MEDIA_TYPES,
    RDF,
    SPARQL_PROTOCOL,
    SPDX,
    XSD,
    graph_for,
)

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


def dcat_triples(base_url: str, build: str, manifest: dict[str, Any],
                    dumps: Sequence[DumpInfo] = ()) -> list[Triple]:
    """A dcat:Catalog with one dataset, one distribution per dump and the SPARQL service;
    the dumps already written (``dumps``) with their byte size and SHA-256.

    >>> from kg.rdf.export import info
    >>> d = info(b"<http://e/s> <http://e/p> <http://e/o> .\\n", "ttl", "links")
    >>> triples = dcat_triples("http://127.0.0.1:7878/", "b1", {}, [d])
    >>> sorted({t.predicate.value.rsplit("#", 1)[-1] for t in triples})[:4]
    ['algorithm', 'byteSize', 'checksum', 'checksumValue']
    """
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
        Triple(service, DCTERMS.conformsTo, SPARQL_PROTOCOL),
    ]
    if manifest.get("time"):
        stamp = Literal(str(manifest["time"]), datatype=XSD.dateTime)
        out.append(Triple(DATASET, DCTERMS.modified, stamp))
    known = {d.filename: d for d in dumps}
    for filename in sorted({*dump_names(), *known}):
        out += _distribution(base_url, filename, known.get(filename))
    return out


def _distribution(base_url: str, filename: str, made: DumpInfo | None) -> list[Triple]:
    name, ext = dump_for(filename) if made is None else (made.graph or "all", made.format)
    dist = NamedNode(f"{base_url}dumps/{filename}")
    graph = DUMPS[name][0] if name in DUMPS else graph_for(name)
    fmt = formats.rdf_format(ext)
    out = [
        Triple(DATASET, DCAT.distribution, dist),
        Triple(dist, RDF.type, DCAT.Distribution),
        Triple(dist, DCTERMS.title, Literal(f"{name} ({fmt.name})", language="en")),
        Triple(dist, DCAT.downloadURL, dist),
        Triple(dist, DCAT.mediaType, NamedNode(
            IANA_MEDIA_TYPES + fmt.media_type.split(";")[0])),
        Triple(dist, DCTERMS["format"], NamedNode(fmt.iri)),
    ]
    if graph is not None:
        out.append(Triple(dist, DCTERMS.source, graph))
    if made is not None:
        out += [Triple(dist, DCAT.byteSize, Literal(str(made.size),
                                                    datatype=XSD.nonNegativeInteger)),
                *sha256_checksum(dist, NamedNode(f"{dist.value}#sha256"), made.sha256)]
    return out


def sha256_checksum(subject: NamedNode, node: NamedNode, sha256: str) -> list[Triple]:
    """A resource's SHA-256 in SPDX: ``spdx:checksum`` to an ``spdx:Checksum`` node.

    >>> triples = sha256_checksum(NamedNode("http://e/f"), NamedNode("http://e/f#sha256"), "00")
    >>> [t.predicate.value.rsplit("#", 1)[-1] for t in triples]
    ['checksum', 'type', 'algorithm', 'checksumValue']
    """
    return [
        Triple(subject, SPDX.checksum, node),
        Triple(node, RDF.type, SPDX.Checksum),
        Triple(node, SPDX.algorithm, SPDX.checksumAlgorithm_sha256),
        Triple(node, SPDX.checksumValue, Literal(sha256, datatype=XSD.hexBinary)),
    ]
