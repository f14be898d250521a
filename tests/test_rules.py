"""The SPARQL rules: each axiom kind, fixpoint, and agreement with HermiT on the curated data."""

from __future__ import annotations

from pyoxigraph import Quad, RdfFormat, Store

from kg.build import hermit, rules
from kg.build.load import load_source
from kg.build.sources import collect
from kg.vocab import GRAPH

ONTOLOGY = """
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX e: <http://e/>
INSERT DATA { GRAPH <https://w3id.org/future-industries/graph/ontology> {
  e:City rdfs:subClassOf e:Region . e:Region rdfs:subClassOf e:Place .
  e:partOf a owl:TransitiveProperty ; owl:inverseOf e:hasPart .
  e:forRegion owl:inverseOf e:hasPlan .
  e:covers owl:propertyChainAxiom ( e:hasLink e:linked ) ; rdfs:subPropertyOf e:about .
  e:targets owl:propertyChainAxiom ( e:hasPlan e:covers ) .
} }"""

DATA = """
PREFIX e: <http://e/>
INSERT DATA { GRAPH <https://w3id.org/future-industries/graph/data/x> {
  e:jinan a e:City ; e:partOf e:shandong . e:shandong e:partOf e:china .
  e:plan e:forRegion e:shandong ; e:hasLink e:l1 . e:l1 e:linked e:sixg .
} }"""


def _inferred(store: Store) -> set[tuple[str, str, str]]:
    g = GRAPH.inferred
    return {
        tuple(t.value.removeprefix("http://e/") for t in (q.subject, q.predicate, q.object))  # type: ignore[misc]
        for q in store.quads_for_pattern(None, None, None, g)
    }


def test_every_axiom_kind_is_materialised_to_a_fixpoint() -> None:
    store = Store()
    store.update(ONTOLOGY)
    store.update(DATA)
    rules.materialise(store)
    found = _inferred(store)
    rdf_type = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    assert {
        ("jinan", rdf_type, "Region"),  # subclass
        ("jinan", rdf_type, "Place"),  # subclass, two steps
        ("jinan", "partOf", "china"),  # transitive
        ("china", "hasPart", "jinan"),  # inverse of an inferred triple
        ("shandong", "hasPlan", "plan"),  # inverse
        ("plan", "covers", "sixg"),  # chain
        ("plan", "about", "sixg"),  # subproperty of an inferred triple
        ("shandong", "targets", "sixg"),  # chain over an inverse and a chain
    } <= found
    assert not any(q.graph_name == GRAPH.inferred for q in store.quads_for_pattern(
        None, None, None, GRAPH["data/x"]))
    before = len(found)
    rules.materialise(store)
    assert len(_inferred(store)) == before


def test_nothing_asserted_is_repeated_in_the_inferred_graph() -> None:
    store = Store()
    store.update(ONTOLOGY)
    store.update(DATA)
    store.add(Quad(*(rules.NamedNode(f"http://e/{x}") for x in ("shandong", "hasPlan", "plan")),
                   GRAPH["data/x"]))
    rules.materialise(store)
    assert ("shandong", "hasPlan", "plan") not in _inferred(store)


def test_rules_agree_with_hermit_on_the_curated_chains() -> None:
    """On the curated data the rules derive exactly HermiT's chain and transitive inferences."""
    store = Store()
    for source in collect():
        load_source(store, source)
    data = b"".join(store.dump(format=RdfFormat.N_TRIPLES, from_graph=g) or b""
                    for g in store.named_graphs())
    fi = "https://w3id.org/future-industries/ontology#"
    # owlready2 reports chain and transitive values, not inverse ones (fi:hasPart)
    watched = {fi + "coversSector", fi + "targetsSector", fi + "buildsOnSector", fi + "partOf"}
    asserted = {(q.subject.value, q.predicate.value, q.object.value) for q in store}  # type: ignore[union-attr]
    by_hermit = {t for t in hermit.reason_ntriples(data) if t[1] in watched} - asserted
    rules.materialise(store)
    by_rules = {
        (q.subject.value, q.predicate.value, q.object.value)  # type: ignore[union-attr]
        for q in store.quads_for_pattern(None, None, None, GRAPH.inferred)
        if q.predicate.value in watched
    }
    assert len(by_hermit) > 200
    assert by_rules == by_hermit


def test_growth_from_outside_reaches_the_same_fixpoint_as_a_fresh_run() -> None:
    """Triples added later (HermiT's) rerun only the rules that read them, to the full closure."""
    late = """PREFIX e: <http://e/>
INSERT DATA { GRAPH <https://w3id.org/future-industries/graph/inferred> {
  e:qingdao a e:City ; e:partOf e:jinan . e:plan2 e:forRegion e:qingdao ; e:hasLink e:l1 .
} }"""
    incremental = Store()
    incremental.update(ONTOLOGY)
    incremental.update(DATA)
    rules.materialise(incremental)
    incremental.update(late)
    grown = {"a http://e/City", "http://e/partOf", "http://e/forRegion", "http://e/hasLink"}
    rules.materialise(incremental, grown=grown)
    fresh = Store()
    fresh.update(ONTOLOGY)
    fresh.update(DATA)
    fresh.update(late)
    rules.materialise(fresh)
    assert _inferred(incremental) == _inferred(fresh)
    assert ("qingdao", "targets", "sixg") in _inferred(fresh)  # inverse, then two chains
    assert ("china", "hasPart", "qingdao") in _inferred(fresh)  # transitive, then inverse


def test_rules_are_closed_over_the_terminology() -> None:
    """One rule per derived class or property, reading every source at once."""
    store = Store()
    store.update(ONTOLOGY)
    by_output = {r.output: r for r in rules.compile_rules(rules.Terminology.read(store))}
    assert by_output["a http://e/Place"].inputs == {"a http://e/City", "a http://e/Region"}
    assert by_output["http://e/about"].inputs == {"http://e/covers"}
