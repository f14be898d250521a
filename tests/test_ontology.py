"""The OWL 2 ontology: it parses, it is documented, aligned, and HermiT accepts it."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from _graph import FI, ROOT, View, ntriples, ontology, select
from kg import settings
from kg.build import hermit
from kg.build.load import load_source
from kg.build.sources import collect, make_source
from kg.store import Build

ONTOLOGY_IRI = "https://w3id.org/future-industries/ontology"
ELI = "http://data.europa.eu/eli/ontology#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
# Datatypes outside the OWL 2 datatype map (HermiT sees them only as strings).
NON_OWL_DATATYPES = frozenset(XSD + name for name in ("gYear", "gYearMonth", "gMonthDay", "date"))
SOURCES = [*(s.path for s in collect()), settings.shapes_path()]


@pytest.fixture(scope="module")
def onto(curated_build: Build) -> View:
    """The ontology graph of the curated build."""
    return ontology(curated_build.open())


def _fi(rows: list[dict[str, str]], key: str) -> set[str]:
    return {row[key].removeprefix(FI) for row in rows}


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_file_parses(path: Path) -> None:
    """Each file through the build's loader (a ParseError names file, line and column)."""
    assert load_source(ox.Store(), make_source(path)) > 0, f"{path.name} holds no triples"


def test_header(onto: View) -> None:
    rows = select(onto, f"""
        SELECT ?version ?license WHERE {{
          <{ONTOLOGY_IRI}> a owl:Ontology ; owl:versionIRI ?version ; dcterms:license ?license ;
            dcterms:title ?t ; dcterms:description ?d . }}""")
    assert {(r["version"], r["license"]) for r in rows} == {
        (ONTOLOGY_IRI + "/0.1.0", "https://creativecommons.org/licenses/by/4.0/")
    }


def test_model_classes_are_declared(onto: View) -> None:
    rows = select(onto, "SELECT ?c WHERE { ?c a owl:Class FILTER(STRSTARTS(STR(?c), STR(fi:))) }")
    expected = {
        "Region", "Country", "Province", "Municipality", "City", "Agency", "Plan",
        "DevelopmentPlan", "ActionPlan", "ImplementationPlan", "GuidingOpinion", "Notice",
        "Sector", "Domain", "SectorLink", "Treatment", "Target", "MonetaryTarget",
        "CountTarget", "QualitativeTarget", "Action", "Qualifier", "Source",
    }
    assert _fi(rows, "c") == expected


def test_every_term_has_zh_and_en_label_and_definition(onto: View) -> None:
    rows = select(onto, """
        SELECT ?term WHERE {
          VALUES ?kind { owl:Class owl:ObjectProperty owl:DatatypeProperty }
          ?term a ?kind FILTER(STRSTARTS(STR(?term), STR(fi:)))
          FILTER NOT EXISTS {
            ?term rdfs:label ?zh FILTER(LANG(?zh) = "zh")
            ?term rdfs:label ?en FILTER(LANG(?en) = "en")
            ?term skos:definition ?def FILTER(LANG(?def) = "en") } }""")
    assert _fi(rows, "term") == set()


@pytest.mark.parametrize(
    ("sub", "relation", "sup"),
    [
        ("Plan", "subClassOf", ELI + "LegalResource"),
        ("Action", "subClassOf", ELI + "LegalResourceSubdivision"),
        ("issuedBy", "subPropertyOf", ELI + "passed_by"),
        ("dateIssued", "subPropertyOf", ELI + "date_document"),
        ("coversSector", "subPropertyOf", ELI + "is_about"),
        ("actionOf", "subPropertyOf", ELI + "is_part_of"),
        ("Region", "subClassOf", "https://schema.org/AdministrativeArea"),
        ("Agency", "subClassOf", "http://www.w3.org/ns/org#FormalOrganization"),
        ("Agency", "subClassOf", "http://www.w3.org/ns/prov#Agent"),
        ("Sector", "subClassOf", "http://www.w3.org/2004/02/skos/core#Concept"),
        ("Source", "subClassOf", "https://schema.org/NewsArticle"),
        ("targetYear", "subPropertyOf", "http://www.w3.org/2006/time#inXSDgYear"),
        ("amount", "subPropertyOf", "http://qudt.org/schema/qudt/quantityValue"),
        ("partOf", "subPropertyOf", "https://schema.org/containedInPlace"),
    ],
)
def test_alignment(onto: View, sub: str, relation: str, sup: str) -> None:
    s, p, o = ox.NamedNode(FI + sub), ox.NamedNode(RDFS + relation), ox.NamedNode(sup)
    assert list(onto.quads(s, p, o))


def test_property_chains(onto: View) -> None:
    rows = select(onto, """
        SELECT ?p ?a ?b WHERE { ?p owl:propertyChainAxiom ?l .
          ?l rdf:first ?a ; rdf:rest/rdf:first ?b ; rdf:rest/rdf:rest rdf:nil }""")
    chains = {tuple(r[k].removeprefix(FI) for k in ("p", "a", "b")) for r in rows}
    assert chains == {
        ("coversSector", "hasSectorLink", "linkedSector"),
        ("targetsSector", "hasPlan", "coversSector"),
        ("buildsOnSector", "hasStrengthLink", "linkedSector"),
    }


def test_characteristics(onto: View) -> None:
    functional = _fi(select(onto, "SELECT ?p WHERE { ?p a owl:FunctionalProperty }"), "p")
    assert {"targetYear", "forRegion", "linkedSector", "count", "dateIssued", "linkOf",
            "targetOf", "actionOf", "amount", "periodStart", "periodEnd"} <= functional
    transitive = _fi(select(onto, "SELECT ?p WHERE { ?p a owl:TransitiveProperty }"), "p")
    assert transitive == {"partOf"}
    inverses = {
        (r["p"].removeprefix(FI), r["q"].removeprefix(FI))
        for r in select(onto, "SELECT ?p ?q WHERE { ?p owl:inverseOf ?q }")
    }
    assert inverses == {
        ("partOf", "hasPart"), ("forRegion", "hasPlan"), ("hasSectorLink", "linkOf"),
        ("hasTarget", "targetOf"), ("hasAction", "actionOf"),
        ("hasStrengthLink", "strengthLinkOf"),
    }


def test_disjointness(onto: View) -> None:
    rows = select(onto, """
        SELECT ?d (GROUP_CONCAT(STRAFTER(STR(?m), "#"); separator=" ") AS ?members) WHERE {
          ?d a owl:AllDisjointClasses ; owl:members/rdf:rest*/rdf:first ?m } GROUP BY ?d""")
    groups = {frozenset(r["members"].split()) for r in rows}
    assert frozenset({"Country", "Province", "Municipality", "City"}) in groups
    assert frozenset({"MonetaryTarget", "CountTarget", "QualitativeTarget"}) in groups
    assert frozenset(
        {"DevelopmentPlan", "ActionPlan", "ImplementationPlan", "GuidingOpinion", "Notice"}
    ) in groups
    top = {"Region", "Agency", "Plan", "Sector", "SectorLink", "Target", "Action", "Source"}
    assert any(top <= g for g in groups)


def test_vocabularies(onto: View) -> None:
    rows = select(onto, """
        SELECT ?c ?kind WHERE { VALUES ?kind { fi:Treatment fi:Qualifier } ?c a ?kind }""")
    slugs = {r["c"].rsplit("/", 2)[-2] + "/" + r["c"].rsplit("/", 1)[-1] for r in rows}
    assert slugs == {
        "treatment/priority", "treatment/exploratory", "treatment/expansion-stage",
        "treatment/incubation-stage", "treatment/breakthrough", "treatment/scale-up",
        "treatment/national-direction", "treatment/focus-field", "treatment/advantage-field",
        "treatment/listed", "qualifier/approximately", "qualifier/at-least",
        "qualifier/more-than", "qualifier/order-of-magnitude",
    }


def test_ontology_uses_only_owl2_datatypes(onto: View) -> None:
    used = {q.object.datatype.value for q in onto.quads() if isinstance(q.object, ox.Literal)}
    assert not used & NON_OWL_DATATYPES


def test_hermit_accepts_the_ontology_alone(onto: View) -> None:
    """The build's HermiT step on the ontology graph: InconsistencyError if it has no model."""
    hermit.reason_ntriples(ntriples(onto))
