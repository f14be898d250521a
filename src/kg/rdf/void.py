"""The VoID description of the dataset, generated from the store.

The figures are gathered where the data are (:func:`kg.engine.figures.stats`);
:func:`void_triples` turns them into VoID: triple counts, one partition per class and
per named graph, the link set (graph ``…/graph/links``) per predicate and target namespace,
example resources and the build id.

>>> namespace("http://www.wikidata.org/entity/Q956")
'http://www.wikidata.org/entity/'
"""

from __future__ import annotations

import hashlib
from typing import Any

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from kg.rdf import export, formats
from kg.vocab import (
    BASE,
    BUILD_BASE,
    DATA_LICENSE,
    DATA_LICENSE_NAME,
    DATASET_IRI,
    DCAT,
    DCTERMS,
    FOAF,
    ID_BASE,
    ONTOLOGY_IRI,
    PREFIXES,
    PROV,
    PUBLISHER,
    PUBLISHER_NAME,
    RDF,
    RDFS,
    VOID,
    XSD,
    graph_for,
)

DATASET = NamedNode(DATASET_IRI)
LINKSET = NamedNode(DATASET_IRI + "/links")

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


def stable_blank(*key: str) -> BlankNode:
    """A blank node named after what it stands for, so the same description is the same
    bytes every time (and its ETag means one body).

    >>> stable_blank("class", "http://e/C") == stable_blank("class", "http://e/C")
    True
    """
    return BlankNode("b" + hashlib.sha256(" ".join(key).encode()).hexdigest()[:16])


def integer(n: int) -> Literal:
    return Literal(str(n), datatype=XSD.integer)


TITLE = {"zh": "未来产业知识图谱", "en": "Future industries knowledge graph"}
DESCRIPTION = {
    "zh": "中国各级政府未来产业政策文件(规划、行动计划、实施方案)及其所涉领域、"
          "目标与行动的知识图谱;每条陈述都附有原文引语与来源。",
    "en": "A knowledge graph of China's future-industry (未来产业) policies: the plans of "
          "national and regional governments, the sectors they cover, their dated targets "
          "and named actions, each statement with the Chinese clause it rests on and its "
          "source.",
}


def texts(subject: NamedNode, prop: NamedNode, by_lang: dict[str, str]) -> list[Triple]:
    """One literal per language."""
    return [Triple(subject, prop, Literal(t, language=lang)) for lang, t in by_lang.items()]


def licence(subject: NamedNode) -> list[Triple]:
    """``dcterms:license`` the data licence (CC BY 4.0), a ``dcterms:LicenseDocument``."""
    return [Triple(subject, DCTERMS.license, DATA_LICENSE),
            Triple(DATA_LICENSE, RDF.type, DCTERMS.LicenseDocument),
            Triple(DATA_LICENSE, RDFS.label, Literal(DATA_LICENSE_NAME))]


def publisher(subject: NamedNode) -> list[Triple]:
    """``dcterms:publisher`` the project, a ``foaf:Agent`` with a name."""
    return [Triple(subject, DCTERMS.publisher, PUBLISHER),
            Triple(PUBLISHER, RDF.type, FOAF.Agent),
            Triple(PUBLISHER, FOAF.name, Literal(PUBLISHER_NAME))]


def about_dataset(build: str) -> list[Triple]:
    """What VoID and DCAT both say of the dataset: titles, descriptions, identifier,
    version (the build), licence, publisher, and the build that made it."""
    d, made_by = DATASET, NamedNode(BUILD_BASE + build)
    return [
        *texts(d, DCTERMS.title, TITLE),
        *texts(d, DCTERMS.description, DESCRIPTION),
        Triple(d, DCTERMS.identifier, Literal(DATASET_IRI)),
        Triple(d, DCAT.version, Literal(build)),
        *licence(d),
        *publisher(d),
        Triple(d, PROV.wasGeneratedBy, made_by),
        Triple(made_by, RDF.type, PROV.Activity),
    ]


def void_triples(data: dict[str, Any], build: str, base_url: str) -> list[Triple]:
    """The VoID description: dataset, class and graph partitions, linksets."""
    d, totals = DATASET, data["totals"]
    out = [
        Triple(d, RDF.type, VOID.Dataset),
        *about_dataset(build),
        Triple(d, VOID.uriSpace, Literal(ID_BASE)),
        Triple(d, VOID.vocabulary, NamedNode(ONTOLOGY_IRI)),
        Triple(d, VOID.sparqlEndpoint, NamedNode(base_url + "sparql")),
        Triple(d, VOID.rootResource, NamedNode(ID_BASE + "scheme/sectors")),
        Triple(d, VOID.triples, integer(totals["triples"])),
        Triple(d, VOID.distinctSubjects, integer(totals["subjects"])),
        Triple(d, VOID.properties, integer(totals["properties"])),
        Triple(d, VOID.distinctObjects, integer(totals["objects"])),
        Triple(d, VOID.classes, integer(len(data["classes"]))),
    ]
    out += [Triple(d, VOID.dataDump, NamedNode(f"{base_url}dumps/{export.filename(fmt)}"))
            for fmt in formats.DATASET_EXPORTS]
    out += [Triple(d, VOID.exampleResource, NamedNode(iri))
            for iri in dict.fromkeys(data["examples"])]  # each once
    for cls, n in data["classes"]:
        node = stable_blank("class", cls)
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
