"""Every IRI the code uses, in one place.

>>> FI.Plan.value
'https://w3id.org/future-industries/ontology#Plan'
>>> entity("region", "shandong").value
'https://w3id.org/future-industries/id/region/shandong'
>>> GRAPH.inferred.value
'https://w3id.org/future-industries/graph/inferred'
"""

from __future__ import annotations

from pyoxigraph import NamedNode

BASE = "https://w3id.org/future-industries/"
ONTOLOGY_IRI = BASE + "ontology"
ID_BASE = BASE + "id/"
GRAPH_BASE = BASE + "graph/"
SPARQL_SERVICE = BASE + "sparql"  # the endpoint packaged queries target (schema:target)


class Namespace:
    """Attribute access to IRIs under a base: ``FI.Plan``.

    >>> Namespace("http://example.org/")["a-b"].value
    'http://example.org/a-b'
    """

    def __init__(self, base: str) -> None:
        self.base = base

    def __getattr__(self, name: str) -> NamedNode:
        if name.startswith("__"):
            raise AttributeError(name)
        return NamedNode(self.base + name)

    def __getitem__(self, name: str) -> NamedNode:
        return NamedNode(self.base + name)


FI = Namespace(ONTOLOGY_IRI + "#")
ID = Namespace(ID_BASE)
GRAPH = Namespace(GRAPH_BASE)
RDF = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")
OWL = Namespace("http://www.w3.org/2002/07/owl#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
PROV = Namespace("http://www.w3.org/ns/prov#")
SCHEMA = Namespace("https://schema.org/")
SH = Namespace("http://www.w3.org/ns/shacl#")
VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
WD = Namespace("http://www.wikidata.org/entity/")
GN = Namespace("http://www.geonames.org/ontology#")
SPDX = Namespace("http://spdx.org/rdf/terms#")  # checksums of dumps (DCAT 3)
FOAF = Namespace("http://xmlns.com/foaf/0.1/")  # the publisher (DCAT-AP: a foaf:Agent)
OA = Namespace("http://www.w3.org/ns/oa#")  # Web Annotation: where each quote lies in its source
EVIDENCE_GRAPH = NamedNode(GRAPH_BASE + "evidence")  # the build's annotations of every quote
EVIDENCE_BASE = ID_BASE + "evidence/"  # one IRI per located quote
# XSD's numeric datatypes: Oxigraph keeps a valid value of one under its numeric
# datatype and an invalid one as written, so isNumeric() tells ill-typed literals apart
XSD_NUMERIC = tuple(XSD[t] for t in (
    "integer", "decimal", "double", "float", "long", "int", "short", "byte",
    "nonNegativeInteger", "positiveInteger", "negativeInteger", "nonPositiveInteger",
    "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte"))
GEONAMES_FEATURE = "https://sws.geonames.org/"  # GeoNames feature IRIs: …/ID/
DIVISION_BASE = BASE + "division/"  # GB/T 2260 divisions imported from an external dataset
DIVISIONS = NamedNode(DIVISION_BASE + "dataset")  # that dataset
DATASET_IRI = BASE + "dataset"  # the knowledge graph as a dcat:Dataset / void:Dataset
PUBLISHER = NamedNode(DATASET_IRI + "#publisher")  # who publishes it (a foaf:Agent)
PUBLISHER_NAME = "future-industries-kg developers"  # as pyproject.toml and the ontology say
# The licence of the ontology and the curated data (README: "code MIT; ontology and curated
# data CC BY 4.0"): on the dataset, each dump, each entity document and the questions.
DATA_LICENSE = NamedNode("https://creativecommons.org/licenses/by/4.0/")
DATA_LICENSE_NAME = "CC BY 4.0"
CONTEXT_IRI = BASE + "context.jsonld"  # the published JSON-LD context, at a stable IRI

PREFIXES: dict[str, str] = {
    "fi": FI.base,
    "id": ID_BASE,
    "rdf": RDF.base,
    "rdfs": RDFS.base,
    "owl": OWL.base,
    "xsd": XSD.base,
    "skos": SKOS.base,
    "dcterms": DCTERMS.base,
    "prov": PROV.base,
    "schema": SCHEMA.base,
    "eli": "http://data.europa.eu/eli/ontology#",
    "org": "http://www.w3.org/ns/org#",
    "time": "http://www.w3.org/2006/time#",
    "qudt": "http://qudt.org/schema/qudt/",
    "unit": "http://qudt.org/vocab/unit/",
    "sh": SH.base,
    "void": VOID.base,
    "dcat": DCAT.base,
    "wd": WD.base,
    "gn": GN.base,
    "spdx": SPDX.base,
    "foaf": FOAF.base,
    "oa": OA.base,
    "division": DIVISION_BASE,
}


BUILD_BASE = BASE + "build/"  # one IRI per build
RELEASE_BASE = BASE + "release/"  # one IRI per release (kg release VERSION): its owl:versionIRI
DIFF = Namespace(BASE + "diff#")  # the two graphs of a patch (kg diff): diff:added, diff:removed
LICENSES = Namespace("http://spdx.org/licenses/")  # SPDX licence identifiers
# The languages a dataset is in (dcterms:language, as DCAT-AP asks): the EU's authority table,
# by ISO 639-1 code (a language not listed here is not stated)
LANGUAGE = Namespace("http://publications.europa.eu/resource/authority/language/")
LANGUAGE_CODES = {"zh": "ZHO", "en": "ENG", "fr": "FRA", "de": "DEU", "es": "SPA", "ja": "JPN",
                  "ko": "KOR", "ru": "RUS", "ar": "ARA", "pt": "POR", "it": "ITA", "nl": "NLD"}
IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"
SPARQL_PROTOCOL = NamedNode("https://www.w3.org/TR/sparql11-protocol/")
PYPI_PROJECTS = "https://pypi.org/project/"


def prologue(*names: str) -> str:
    """SPARQL PREFIX lines for some of the project's prefixes.

    >>> print(prologue("rdfs", "owl"))
    PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
    PREFIX owl: <http://www.w3.org/2002/07/owl#>
    <BLANKLINE>
    """
    return "".join(f"PREFIX {n}: <{PREFIXES[n]}>\n" for n in names)


def entity(kind: str, slug: str) -> NamedNode:
    """The IRI of a curated entity of a kind (region, plan, sector, …)."""
    return NamedNode(f"{ID_BASE}{kind}/{slug}")


# Where the text of a source document is, as data/source.ttl registers it: a path relative to
# the project folder (or absolute), read by the source's reader page.
SOURCE_TEXT = FI.textFile


def graph_for(name: str) -> NamedNode:
    """The named graph that holds one source or layer (``ontology``, ``data/beijing``…)."""
    return NamedNode(GRAPH_BASE + name)
