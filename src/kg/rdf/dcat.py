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
from kg.rdf.void import About, about_dataset, licence, of_project, publisher, texts
from kg.vocab import (
    BUILD_BASE,
    DCAT,
    DCTERMS,
    IANA_MEDIA_TYPES,
    OWL,
    PROV,
    RDF,
    RDFS,
    SPARQL_PROTOCOL,
    SPDX,
    XSD,
    graph_for,
)

#: The catalogue's and the service's titles and description, from the dataset's title
#: (``{}``); English for a language not listed.
CATALOGUE_TITLE = {"zh": "{}：数据目录", "en": "{}: catalogue"}
CATALOGUE_DESCRIPTION = {
    "zh": "{}的数据转储(每种格式、每个命名图)及其 SPARQL 查询服务。",
    "en": "{}: its dumps (every format, every named graph) and its SPARQL endpoint.",
}
SERVICE_TITLE = {"zh": "{} SPARQL 端点", "en": "{} SPARQL endpoint"}


def worded(pattern: dict[str, str], about: About) -> dict[str, str]:
    """A text of the catalogue in each language the dataset's title is in.

    >>> a = About("https://e.org/", {"zh": "某图谱", "en": "Some graph"}, {}, "", "", "", ())
    >>> worded(SERVICE_TITLE, a)
    {'zh': '某图谱 SPARQL 端点', 'en': 'Some graph SPARQL endpoint'}
    """
    return {lang: pattern.get(lang, pattern["en"]).format(title)
            for lang, title in about.title.items()}


def dcat_triples(base_url: str, build: str, manifest: dict[str, Any],
                 dumps: Sequence[DumpInfo] = (), releases: Sequence[Any] = (),
                 about: About | None = None) -> list[Triple]:
    """A dcat:Catalog with one dataset, one distribution per dump, the SPARQL service and
    the dataset's releases (:func:`release_triples`), each a ``dcat:Dataset`` of the
    catalogue too.

    ``base_url`` is where this server answers (``…/``), ``dumps`` the files made (their
    size and SHA-256), ``manifest`` the build's (its time is the dataset's ``modified``),
    ``about`` the dataset (by default the project's, :func:`kg.rdf.void.of_project`).
    """
    about = about or of_project()
    cat, service = NamedNode(base_url + "catalog"), NamedNode(base_url + "sparql")
    dataset = about.node
    out = [
        Triple(cat, RDF.type, DCAT.Catalog),
        *texts(cat, DCTERMS.title, worded(CATALOGUE_TITLE, about)),
        *texts(cat, DCTERMS.description, worded(CATALOGUE_DESCRIPTION, about)),
        *publisher(cat, about),
        *licence(cat, about),
        Triple(cat, DCAT.dataset, dataset),
        Triple(cat, DCAT.service, service),
        Triple(dataset, RDF.type, DCAT.Dataset),
        *about_dataset(build, about),
        Triple(service, RDF.type, DCAT.DataService),
        *texts(service, DCTERMS.title, worded(SERVICE_TITLE, about)),
        Triple(service, DCAT.endpointURL, service),
        Triple(service, RDF.type, RDFS.Resource),
        Triple(service, DCAT.endpointDescription, service),  # GET answers its description
        Triple(service, DCAT.servesDataset, dataset),
        Triple(service, DCTERMS.conformsTo, SPARQL_PROTOCOL),
        Triple(SPARQL_PROTOCOL, RDF.type, DCTERMS.Standard),
        *licence(service, about),
    ]
    if manifest.get("time"):
        stamp = Literal(str(manifest["time"]), datatype=XSD.dateTime)
        out += [Triple(dataset, DCTERMS.modified, stamp), Triple(cat, DCTERMS.modified, stamp)]
    for made in sorted(dumps, key=lambda d: d.filename):
        out += distribution(base_url, made, about)
    out += release_triples(releases, about)
    out += [Triple(cat, DCAT.dataset, release_iri(r.version, about)) for r in releases]
    return list(dict.fromkeys(out))  # each once (the licence and the types recur)


def distribution(base_url: str, made: DumpInfo, about: About) -> list[Triple]:
    """One dump as a ``dcat:Distribution`` of the dataset."""
    dist = NamedNode(f"{base_url}dumps/{made.filename}")
    listing = NamedNode(f"{base_url}dumps/")
    fmt = formats.export_format(made.format)
    media = NamedNode(IANA_MEDIA_TYPES + fmt.media_type.split(";")[0])
    fmt_iri = NamedNode(formats.format_iri(fmt))
    what = made.graph or "all graphs"
    out = [
        Triple(about.node, DCAT.distribution, dist),
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
        *licence(dist, about),
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


def release_triples(releases: Sequence[Any], about: About | None = None) -> list[Triple]:
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
    about = about or of_project()
    dataset = about.node
    out: list[Triple] = []
    for r in releases:
        node = release_iri(r.version, about)
        out += [
            Triple(dataset, DCAT.hasVersion, node),
            Triple(node, RDF.type, DCAT.Dataset),
            Triple(node, DCAT.isVersionOf, dataset),
            Triple(node, DCAT.version, Literal(r.version)),
            Triple(node, OWL.versionIRI, node),
            Triple(node, DCTERMS.identifier, Literal(r.version)),
            *(Triple(node, DCTERMS.title, Literal(f"{title} {r.version}", language=lang))
              for lang, title in about.title.items()),
            Triple(node, DCTERMS.description, Literal(
                f"Release {r.version} of the dataset: build {r.build}, as it was made.",
                language="en")),
            Triple(node, DCTERMS.description, Literal(
                f"数据集的发布版本 {r.version}:构建 {r.build},保持原样。", language="zh")),
            Triple(node, DCTERMS.issued, Literal(r.time, datatype=XSD.dateTime)),
            Triple(node, PROV.wasGeneratedBy, NamedNode(BUILD_BASE + r.build)),
            Triple(NamedNode(BUILD_BASE + r.build), RDF.type, PROV.Activity),
            *licence(node, about),
        ]
        if r.previous:
            out.append(Triple(node, DCAT.previousVersion, release_iri(r.previous, about)))
    if releases:
        out.append(Triple(dataset, DCAT.hasCurrentVersion,
                          release_iri(releases[-1].version, about)))
    return list(dict.fromkeys(out))


def release_iri(version: str, about: About | None = None) -> NamedNode:
    """A release's IRI (and ``owl:versionIRI``), under the project's base IRI.

    >>> release_iri("1.0").value
    'https://w3id.org/future-industries/release/1.0'
    """
    return NamedNode((about or of_project()).base + "release/" + version)
