"""The rules' model check (kg.build.entailment) against HermiT itself: on the curated data
and on broken data, whenever the check decides, HermiT finds the same data consistent and
the build's inferred graph is the same with either's inferences; where it must not decide
(a clash, an equality, an unmet union), it leaves the data to HermiT."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import NamedNode, RdfFormat, Store

from kg.build import entailment, hermit, load, pipeline, rules
from kg.build.sources import collect
from kg.errors import InconsistencyError
from kg.vocab import GRAPH, graph_for

FIXTURES = Path(__file__).resolve().parent / "fixtures"
ONTOLOGY = graph_for("ontology")
PREFIXES = """@prefix fi: <https://w3id.org/future-industries/ontology#> .
@prefix region: <https://w3id.org/future-industries/id/region/> .
@prefix plan: <https://w3id.org/future-industries/id/plan/> .
@prefix sector: <https://w3id.org/future-industries/id/sector/> .
@prefix target: <https://w3id.org/future-industries/id/target/> .
"""
#: (case, the added Turtle or fixture, does the check decide?). It must decide the
#: consistent cases it covers (else the fast path would never be taken unnoticed).
CASES = [
    ("curated data", None, True),
    ("a plan without an issuer", FIXTURES / "broken" / "plan-without-issuer.ttl", True),
    ("a target without a year", FIXTURES / "broken" / "target-without-year.ttl", True),
    ("a type only a domain gives", "plan:untyped fi:forRegion region:henan .", True),
    ("a type only a range gives", "region:henan fi:hasPlan plan:untyped2 .", True),
    ("a shipped dataset as a user's source",
     FIXTURES.parent.parent / "data" / "external" / "cn-admin-divisions.ttl", True),
    ("disjoint classes", FIXTURES / "broken" / "disjoint-classes.ttl", False),
    ("a province and a city", FIXTURES / "build" / "disjoint-region.ttl", False),
    ("two years of a functional property", FIXTURES / "broken" / "two-target-years.ttl",
     False),
    ("two regions of one plan (an equality)",
     "plan:two fi:forRegion region:henan , region:beijing .", False),
    ("issued by a sector (a union's member missing)",
     "plan:odd a fi:ActionPlan ; fi:issuedBy sector:future-information .", False),
    ("a count that is not a number", 'target:odd a fi:CountTarget ; fi:count "three" .', False),
]


def _store(extra: Path | str | None) -> tuple[Store, list[NamedNode]]:
    store = Store()
    sources = collect(None)
    for source in sources:
        load.load_source(store, source)
    checked = list(dict.fromkeys(s.graph for s in sources if s.reference))
    if extra is not None:
        text = extra.read_text("utf-8") if isinstance(extra, Path) else PREFIXES + extra
        store.load(text.encode(), format=RdfFormat.TURTLE, to_graph=graph_for("data/extra"))
        checked.append(graph_for("data/extra"))
    return store, checked


def _inferred(store: Store, triples: list[hermit.Triple]) -> set[str]:
    """The build's inferred graph: the rules, then the reasoner's triples added."""
    copy = Store()
    copy.extend(q for q in store if q.graph_name != GRAPH.inferred)
    rules.materialise(copy)
    pipeline._add_hermit(copy, triples)
    return {str(q) for q in copy.quads_for_pattern(None, None, None, GRAPH.inferred)}


@pytest.mark.parametrize(("case", "extra", "decides"), CASES, ids=[c[0] for c in CASES])
def test_the_check_agrees_with_hermit(case: str, extra: Path | str | None,
                                      decides: bool) -> None:
    store, checked = _store(extra)
    decided = entailment.judge(store, checked, ONTOLOGY)
    assert (decided is not None) == decides, case
    try:
        found = hermit.reason_ntriples(pipeline._dump(store, checked))
    except InconsistencyError:
        assert decided is None, f"{case}: the check found a model, HermiT none"
        return
    if decided is not None:
        assert _inferred(store, decided) == _inferred(store, found), case


def test_the_curated_ontology_is_within_the_profile() -> None:
    store, _checked = _store(None)
    profile = entailment.read_profile(store, ONTOLOGY)
    assert profile.unions and profile.functional and profile.domain and profile.range


@pytest.mark.parametrize("axiom", [
    "fi:partOf a owl:SymmetricProperty .",
    "fi:Plan owl:equivalentClass fi:Document .",
    "fi:Plan rdfs:subClassOf [ a owl:Restriction ; owl:onProperty fi:forRegion ; "
    "owl:someValuesFrom fi:Region ] .",
    "fi:partOf a owl:FunctionalProperty .",  # transitive: not simple, HermiT refuses it
    "fi:note a owl:AnnotationProperty ; rdfs:domain fi:Plan .",  # no meaning in OWL 2 DL
])
def test_other_axioms_leave_the_data_to_hermit(axiom: str) -> None:
    store, checked = _store(None)
    text = (PREFIXES + "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
            "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n" + axiom)
    store.load(text.encode(), format=RdfFormat.TURTLE, to_graph=ONTOLOGY)
    with pytest.raises(entailment.Outside):
        entailment.read_profile(store, ONTOLOGY)
    assert entailment.judge(store, checked, ONTOLOGY) is None
