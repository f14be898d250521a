"""The DCAT catalogue of the dataset (DCAT-AP 3.0): its dumps and the SPARQL service.

One catalogue with a publisher, one dataset (titles and descriptions in zh and en,
identifier, version, modified, licence), the SPARQL endpoint as a ``dcat:DataService``,
and one ``dcat:Distribution`` per dump, each with its access and download URL, media
type, format, licence, byte size and SHA-256 checksum (SPDX). DCAT-AP's shapes check
the class of every value (``dcat:mediaType`` a ``dcterms:MediaType``, a URL an
``rdfs:Resource``…) without inference, so the catalogue states those types too.
tests/test_dcat_ap.py validates ``/catalog`` against the published DCAT-AP 3.0.0 shapes.

>>> from kg.rdf.export import info
>>> d = info(b"<http://e/s> <http://e/p> <http://e/o> .\\n", "ttl", "links")
>>> triples = dcat_triples("http://127.0.0.1:7878/", "b1", {}, [d])
>>> sorted({t.predicate.value.rsplit("#", 1)[-1] for t in triples})[:4]
['accessURL', 'algorithm', 'byteSize', 'checksum']
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pyoxigraph import Literal, NamedNode, Triple

from kg.rdf import formats
from kg.rdf.export import DumpInfo
from kg.rdf.void import DATASET, TITLE, about_dataset, licence, publisher, texts
from kg.vocab import (
    BUILD_BASE,
    DCAT,
    DCTERMS,
    IANA_MEDIA_TYPES,
    OWL,
    PROV,
    RDF,
    RDFS,
    RELEASE_BASE,
    SPARQL_PROTOCOL,
    SPDX,
    XSD,
    graph_for,
)

CATALOGUE_TITLE = {"zh": "未来产业知识图谱：数据目录",
                   "en": "Future industries knowledge graph: catalogue"}
CATALOGUE_DESCRIPTION = {
    "zh": "未来产业知识图谱的数据转储(每种格式、每个命名图)及其 SPARQL 查询服务。",
    "en": "The dumps of the future industries knowledge graph (every format, every named "
          "graph) and its SPARQL endpoint.",
}
SERVICE_TITLE = {"zh": "未来产业知识图谱 SPARQL 端点",
                 "en": "Future industries knowledge graph SPARQL endpoint"}


def dcat_triples(base_url: str, build: str, manifest: dict[str, Any],
                 dumps: Sequence[DumpInfo] = (), releases: Sequence[Any] = ()) -> list[Triple]:
    """A dcat:Catalog with one dataset, one distribution per dump, the SPARQL service and
    the dataset's releases (:func:`release_triples`), each a ``dcat:Dataset`` of the
    catalogue too.

    ``base_url`` is where this server answers (``…/``), ``dumps`` the files made (their
    size and SHA-256), ``manifest`` the build's (its time is the dataset's ``modified``).
    """
    cat, service = NamedNode(base_url + "catalog"), NamedNode(base_url + "sparql")
    out = [
        Triple(cat, RDF.type, DCAT.Catalog),
        *texts(cat, DCTERMS.title, CATALOGUE_TITLE),
        *texts(cat, DCTERMS.description, CATALOGUE_DESCRIPTION),
        *publisher(cat),
        *licence(cat),
        Triple(cat, DCAT.dataset, DATASET),
        Triple(cat, DCAT.service, service),
        Triple(DATASET, RDF.type, DCAT.Dataset),
        *about_dataset(build),
        Triple(service, RDF.type, DCAT.DataService),
        *texts(service, DCTERMS.title, SERVICE_TITLE),
        Triple(service, DCAT.endpointURL, service),
        Triple(service, RDF.type, RDFS.Resource),
        Triple(service, DCAT.endpointDescription, service),  # GET answers its description
        Triple(service, DCAT.servesDataset, DATASET),
        Triple(service, DCTERMS.conformsTo, SPARQL_PROTOCOL),
        Triple(SPARQL_PROTOCOL, RDF.type, DCTERMS.Standard),
        *licence(service),
    ]
    if manifest.get("time"):
        stamp = Literal(str(manifest["time"]), datatype=XSD.dateTime)
        out += [Triple(DATASET, DCTERMS.modified, stamp), Triple(cat, DCTERMS.modified, stamp)]
    for made in sorted(dumps, key=lambda d: d.filename):
        out += distribution(base_url, made)
    out += release_triples(releases)
    out += [Triple(cat, DCAT.dataset, release_iri(r.version)) for r in releases]
    return list(dict.fromkeys(out))  # each once (the licence and the types recur)


def distribution(base_url: str, made: DumpInfo) -> list[Triple]:
    """One dump as a ``dcat:Distribution`` of the dataset."""
    dist = NamedNode(f"{base_url}dumps/{made.filename}")
    listing = NamedNode(f"{base_url}dumps/")
    fmt = formats.export_format(made.format)
    media = NamedNode(IANA_MEDIA_TYPES + fmt.media_type.split(";")[0])
    fmt_iri = NamedNode(formats.format_iri(fmt))
    what = made.graph or "all graphs"
    out = [
        Triple(DATASET, DCAT.distribution, dist),
        Triple(dist, RDF.type, DCAT.Distribution),
        Triple(dist, DCTERMS.title, Literal(f"{what} ({fmt.name})", language="en")),
        Triple(dist, DCAT.accessURL, listing),
        Triple(listing, RDF.type, RDFS.Resource),
        Triple(dist, DCAT.downloadURL, dist),
        Triple(dist, RDF.type, RDFS.Resource),
        Triple(dist, DCAT.mediaType, media),
        Triple(media, RDF.type, DCTERMS.MediaType),
        Triple(dist, DCTERMS["format"], fmt_iri),
        Triple(fmt_iri, RDF.type, DCTERMS.MediaTypeOrExtent),
        *licence(dist),
        Triple(dist, DCAT.byteSize, Literal(str(made.size), datatype=XSD.nonNegativeInteger)),
        *sha256_checksum(dist, NamedNode(f"{dist.value}#sha256"), made.sha256),
        Triple(SPDX.checksumAlgorithm_sha256, RDF.type, SPDX.ChecksumAlgorithm),
    ]
    if made.graph is not None:
        out.append(Triple(dist, DCTERMS.source, graph_for(made.graph)))
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


def release_triples(releases: Sequence[Any]) -> list[Triple]:
    """The releases (:class:`kg.store.Release`) as versions of the dataset (DCAT 3's
    versioning): each a ``dcat:Dataset`` at ``…/release/VERSION``, which is also its
    ``owl:versionIRI`` (the server answers it), with its ``dcat:version``, the one before
    (``dcat:previousVersion``), when it was made (``dcterms:issued``) and the build it names
    (``prov:wasGeneratedBy``); the dataset ``dcat:hasVersion`` each and
    ``dcat:hasCurrentVersion`` the newest.

    >>> from kg.store import Release
    >>> triples = release_triples([Release("1.0", "b1", "2026-01-01T00:00:00+00:00"),
    ...                            Release("1.1", "b2", "2026-02-01T00:00:00+00:00", "1.0")])
    >>> sorted({t.predicate.value.rsplit("#", 1)[-1] for t in triples
    ...         if t.subject.value.endswith("/1.1") and "#" in t.predicate.value})
    ['isVersionOf', 'previousVersion', 'type', 'version', 'versionIRI', 'wasGeneratedBy']
    """
    out: list[Triple] = []
    for r in releases:
        node = release_iri(r.version)
        out += [
            Triple(DATASET, DCAT.hasVersion, node),
            Triple(node, RDF.type, DCAT.Dataset),
            Triple(node, DCAT.isVersionOf, DATASET),
            Triple(node, DCAT.version, Literal(r.version)),
            Triple(node, OWL.versionIRI, node),
            Triple(node, DCTERMS.identifier, Literal(r.version)),
            Triple(node, DCTERMS.title, Literal(f"{TITLE['en']} {r.version}", language="en")),
            Triple(node, DCTERMS.title, Literal(f"{TITLE['zh']} {r.version}", language="zh")),
            Triple(node, DCTERMS.description, Literal(
                f"Release {r.version} of the dataset: build {r.build}, as it was made.",
                language="en")),
            Triple(node, DCTERMS.description, Literal(
                f"数据集的发布版本 {r.version}:构建 {r.build},保持原样。", language="zh")),
            Triple(node, DCTERMS.issued, Literal(r.time, datatype=XSD.dateTime)),
            Triple(node, PROV.wasGeneratedBy, NamedNode(BUILD_BASE + r.build)),
            Triple(NamedNode(BUILD_BASE + r.build), RDF.type, PROV.Activity),
            *licence(node),
        ]
        if r.previous:
            out.append(Triple(node, DCAT.previousVersion, release_iri(r.previous)))
    if releases:
        out.append(Triple(DATASET, DCAT.hasCurrentVersion, release_iri(releases[-1].version)))
    return list(dict.fromkeys(out))


def release_iri(version: str) -> NamedNode:
    """A release's IRI (and ``owl:versionIRI``).

    >>> release_iri("1.0").value
    'https://w3id.org/future-industries/release/1.0'
    """
    return NamedNode(RELEASE_BASE + version)
