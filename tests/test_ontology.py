"""The OWL 2 ontology: it parses, it is documented, aligned, and HermiT accepts it."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from _graph import (
    FI,
    NON_OWL_DATATYPES,
    SHAPES,
    data_files,
    ontology_files,
    parse_quads,
    reasoner_ntriples,
    run_hermit,
    select,
)

ONTOLOGY_IRI = "https://w3id.org/future-industries/ontology"
ELI = "http://data.europa.eu/eli/ontology#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"


@pytest.fixture(scope="module")
def onto() -> ox.Store:
    store = ox.Store()
    for path in ontology_files():
        store.extend(parse_quads(path))
    return store


def _fi(rows: list[dict[str, str]], key: str) -> set[str]:
    return {row[key].removeprefix(FI) for row in rows}


@pytest.mark.parametrize("path", [*ontology_files(), SHAPES, *data_files()], ids=lambda p: p.name)
def test_every_file_parses(path: Path) -> None:
    assert parse_quads(path), f"{path.name} holds no triples"


def test_header(onto: ox.Store) -> None:
    rows = select(onto, f"""
        SELECT ?version ?license WHERE {{
          <{ONTOLOGY_IRI}> a owl:Ontology ; owl:versionIRI ?version ; dcterms:license ?license ;
            dcterms:title ?t ; dcterms:description ?d . }}""")
    assert {(r["version"], r["license"]) for r in rows} == {
        (ONTOLOGY_IRI + "/0.1.0", "https://creativecommons.org/licenses/by/4.0/")
    }


def test_model_classes_are_declared(onto: ox.Store) -> None:
    rows = select(onto, "SELECT ?c WHERE { ?c a owl:Class FILTER(STRSTARTS(STR(?c), STR(fi:))) }")
    expected = {
        "Region", "Country", "Province", "Municipality", "City", "Agency", "Plan",
        "DevelopmentPlan", "ActionPlan", "ImplementationPlan", "GuidingOpinion", "Notice",
        "Sector", "Domain", "SectorLink", "Treatment", "Target", "MonetaryTarget",
        "CountTarget", "QualitativeTarget", "Action", "Qualifier", "Source",
    }
    assert _fi(rows, "c") == expected


def test_every_term_has_zh_and_en_label_and_definition(onto: ox.Store) -> None:
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
def test_alignment(onto: ox.Store, sub: str, relation: str, sup: str) -> None:
    triple = ox.Triple(ox.NamedNode(FI + sub), ox.NamedNode(RDFS + relation), ox.NamedNode(sup))
    assert list(onto.quads_for_pattern(triple.subject, triple.predicate, triple.object))


def test_property_chains(onto: ox.Store) -> None:
    rows = select(onto, """
        SELECT ?p ?a ?b WHERE { ?p owl:propertyChainAxiom ?l .
          ?l rdf:first ?a ; rdf:rest/rdf:first ?b ; rdf:rest/rdf:rest rdf:nil }""")
    chains = {tuple(r[k].removeprefix(FI) for k in ("p", "a", "b")) for r in rows}
    assert chains == {
        ("coversSector", "hasSectorLink", "linkedSector"),
        ("targetsSector", "hasPlan", "coversSector"),
    }


def test_characteristics(onto: ox.Store) -> None:
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
    }


def test_disjointness(onto: ox.Store) -> None:
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


def test_vocabularies(onto: ox.Store) -> None:
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


def test_ontology_uses_only_owl2_datatypes(onto: ox.Store) -> None:
    used = {q.object.datatype.value for q in onto if isinstance(q.object, ox.Literal)}
    assert not used & NON_OWL_DATATYPES


def test_hermit_accepts_the_ontology_alone() -> None:
    result = run_hermit(reasoner_ntriples(ontology_files()))
    assert result.consistent, result.message
