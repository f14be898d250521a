"""The VoID description of the dataset, generated from the store.

The figures are gathered where the data are (:func:`kg.engine.figures.stats`);
:func:`void_triples` turns them into VoID: triple counts, one partition per class and
per named graph, the link set (graph ``…/graph/links``) per predicate and target namespace,
example resources and the build id. What the dataset says of itself (title, description,
IRI, licence, publisher, languages) is the project's (:func:`of_project`: its ``kg.toml``).

>>> namespace("http://www.wikidata.org/entity/Q956")
'http://www.wikidata.org/entity/'
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from kg import settings
from kg.errors import NotFoundError
from kg.rdf import export, formats
from kg.vocab import (
    BASE,
    BUILD_BASE,
    DCAT,
    DCTERMS,
    FOAF,
    ID_BASE,
    LANGUAGE,
    LANGUAGE_CODES,
    ONTOLOGY_IRI,
    PREFIXES,
    PROV,
    RDF,
    RDFS,
    VOID,
    XSD,
    graph_for,
)


@dataclass(frozen=True)
class About:
    """What the dataset says of itself, from the project file (:func:`of_project`).

    >>> a = About("https://e.org/x/", {"en": "X"}, {"en": "An X."}, "", "", "X people",
    ...           ("en",))
    >>> a.iri, a.name("zh")
    ('https://e.org/x/dataset', 'X')
    """

    base: str
    title: dict[str, str]
    description: dict[str, str]
    licence: str
    licence_name: str
    publisher: str
    languages: tuple[str, ...]

    @property
    def iri(self) -> str:
        """The dataset's IRI (VoID's and DCAT's subject; the server answers ``/dataset``)."""
        return self.base + "dataset"

    @property
    def node(self) -> NamedNode:
        return NamedNode(self.iri)

    def name(self, lang: str) -> str:
        """The title in ``lang``, else in English, else in any language."""
        return self.title.get(lang) or self.title.get("en") or next(iter(self.title.values()))


def of_project(project: settings.Project | None = None) -> About:
    """The dataset as the project's ``kg.toml`` describes it (``project``, else the one
    ``kg`` works on; outside any project, a bare description under the builder's base).

    >>> a = of_project()
    >>> a.iri, a.title["en"], a.licence_name, a.publisher
    ('https://w3id.org/future-industries/dataset', 'Future industries knowledge graph', \
'CC BY 4.0', 'future-industries-kg developers')
    """
    if project is None:
        try:
            project = settings.project()
        except NotFoundError:
            return About(BASE, {"en": "Knowledge graph"}, {"en": "A knowledge graph."}, "", "",
                         "kg", ())
    title = project.title or {"en": project.name}
    return About(base=project.base or BASE, title=title,
                 description=project.description or title, licence=project.licence,
                 licence_name=project.licence_name or project.licence,
                 publisher=project.publisher or project.name, languages=project.languages)


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


def texts(subject: NamedNode, prop: NamedNode, by_lang: dict[str, str]) -> list[Triple]:
    """One literal per language."""
    return [Triple(subject, prop, Literal(t, language=lang)) for lang, t in by_lang.items()]


def licence(subject: NamedNode, about: About) -> list[Triple]:
    """``dcterms:license`` the project's licence, a ``dcterms:LicenseDocument`` (none when
    the project names none)."""
    if not about.licence:
        return []
    doc = NamedNode(about.licence)
    return [Triple(subject, DCTERMS.license, doc),
            Triple(doc, RDF.type, DCTERMS.LicenseDocument),
            Triple(doc, RDFS.label, Literal(about.licence_name))]


def publisher(subject: NamedNode, about: About) -> list[Triple]:
    """``dcterms:publisher`` the project's publisher, a ``foaf:Agent`` with a name."""
    agent = NamedNode(about.iri + "#publisher")
    return [Triple(subject, DCTERMS.publisher, agent),
            Triple(agent, RDF.type, FOAF.Agent),
            Triple(agent, FOAF.name, Literal(about.publisher))]


def languages(subject: NamedNode, about: About) -> list[Triple]:
    """``dcterms:language`` each of the project's languages (the EU's authority table)."""
    out = []
    for lang in about.languages:
        if lang in LANGUAGE_CODES:
            node = LANGUAGE[LANGUAGE_CODES[lang]]
            out += [Triple(subject, DCTERMS.language, node),
                    Triple(node, RDF.type, DCTERMS.LinguisticSystem)]
    return out


def about_dataset(build: str, about: About) -> list[Triple]:
    """What VoID and DCAT both say of the dataset: titles, descriptions, identifier,
    version (the build), licence, publisher, languages, and the build that made it."""
    d, made_by = about.node, NamedNode(BUILD_BASE + build)
    return [
        *texts(d, DCTERMS.title, about.title),
        *texts(d, DCTERMS.description, about.description),
        Triple(d, DCTERMS.identifier, Literal(about.iri)),
        Triple(d, DCAT.version, Literal(build)),
        *licence(d, about),
        *publisher(d, about),
        *languages(d, about),
        Triple(d, PROV.wasGeneratedBy, made_by),
        Triple(made_by, RDF.type, PROV.Activity),
    ]


def void_triples(data: dict[str, Any], build: str, base_url: str,
                 about: About | None = None) -> list[Triple]:
    """The VoID description: dataset, class and graph partitions, linksets (the dataset
    as ``about`` says, by default the project's)."""
    about = about or of_project()
    d, totals = about.node, data["totals"]
    out = [
        Triple(d, RDF.type, VOID.Dataset),
        *about_dataset(build, about),
        Triple(d, VOID.uriSpace, Literal(about.base + "id/")),
        Triple(d, VOID.vocabulary, NamedNode(ONTOLOGY_IRI)),
        Triple(d, VOID.sparqlEndpoint, NamedNode(base_url + "sparql")),
        Triple(d, VOID.triples, integer(totals["triples"])),
        Triple(d, VOID.distinctSubjects, integer(totals["subjects"])),
        Triple(d, VOID.properties, integer(totals["properties"])),
        Triple(d, VOID.distinctObjects, integer(totals["objects"])),
        Triple(d, VOID.classes, integer(len(data["classes"]))),
    ]
    if (root := ID_BASE + "scheme/sectors").startswith(about.base):  # this project's scheme
        out.append(Triple(d, VOID.rootResource, NamedNode(root)))
    out += [Triple(d, VOID.dataDump, NamedNode(f"{base_url}dumps/{export.filename(fmt)}"))
            for fmt in formats.DATASET_EXPORTS]
    out += [Triple(d, VOID.exampleResource, NamedNode(iri))
            for iri in dict.fromkeys(data["examples"])]  # each once
    for cls, n in data["classes"]:
        node = stable_blank("class", cls)
        out += [Triple(d, VOID.classPartition, node), Triple(node, VOID["class"], NamedNode(cls)),
                Triple(node, VOID.entities, integer(n))]
    for graph, n in data["graphs"]:
        part = NamedNode(about.iri + "/" + graph.removeprefix(BASE))
        out += [Triple(d, VOID.subset, part), Triple(part, RDF.type, VOID.Dataset),
                Triple(part, DCTERMS.source, NamedNode(graph)),
                Triple(part, VOID.triples, integer(n))]
    return out + _linksets(data["linksets"], d)


def _linksets(linksets: list[list[Any]], dataset: NamedNode) -> list[Triple]:
    out: list[Triple] = []
    for pred, ns, n in linksets:
        target = NamedNode(ns)
        slug = hashlib.sha256(f"{pred} {ns}".encode()).hexdigest()[:10]
        link = NamedNode(f"{dataset.value}/links/{slug}")
        out += [
            Triple(dataset, VOID.subset, link),
            Triple(link, RDF.type, VOID.Linkset),
            Triple(link, DCTERMS.source, graph_for("links")),
            Triple(link, VOID.subjectsTarget, dataset),
            Triple(link, VOID.objectsTarget, target),
            Triple(link, VOID.linkPredicate, NamedNode(pred)),
            Triple(link, VOID.triples, integer(n)),
            Triple(target, RDF.type, VOID.Dataset),
            Triple(target, VOID.uriSpace, Literal(ns)),
        ]
    return out
