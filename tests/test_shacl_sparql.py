"""The SHACL-to-SPARQL compiler agrees with pySHACL (the reference) on the project's shapes."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from pyoxigraph import Literal, Quad, Store

from kg import settings
from kg.build import load, shacl, shacl_run, shacl_sparql
from kg.build.sources import collect, rdf_format

BROKEN = Path(__file__).parent / "fixtures" / "build" / "target-without-year.ttl"


@pytest.fixture(scope="module")
def curated() -> tuple[Store, list[Quad]]:
    store = Store()
    sources = collect()
    for source in sources:
        load.load_source(store, source)
    return store, [q for q in store if "graph/ontology" not in str(q.graph_name)]


def _both(store: Store) -> tuple[set[tuple[str, str | None]], set[tuple[str, str | None]]]:
    checks = shacl_sparql.compile_shapes(settings.shapes_path(), shacl_sparql.subclasses(store))
    graphs = list(dict.fromkeys(q.graph_name for q in store))
    ours = shacl_run.validate(store, checks)
    ref = shacl.validate(store, graphs, settings.shapes_path())  # type: ignore[arg-type]
    key = lambda vs: {(v.focus, v.path, v.severity) for v in vs}  # noqa: E731
    return key(ours), key(ref)


def test_every_shape_compiles() -> None:
    checks = shacl_sparql.compile_shapes(settings.shapes_path())
    assert len(checks) > 50
    assert all(c.message for c in checks)


def test_agrees_on_curated_and_broken(curated: tuple[Store, list[Quad]]) -> None:
    store, _ = curated
    ours, ref = _both(store)
    assert ours == ref == {(f, p, s) for f, p, s in ref if s != "Violation"}
    broken = Store()
    broken.extend(store)
    broken.load(path=str(BROKEN), format=rdf_format(BROKEN))
    ours, ref = _both(broken)
    assert ours == ref
    assert any(
        f.endswith("atlantis-someday") and p and p.endswith("targetYear") for f, p, _ in ours
    )


@pytest.mark.parametrize("seed", range(6))
def test_agrees_after_random_deletions(curated: tuple[Store, list[Quad]], seed: int) -> None:
    """Delete random curated triples; both validators must report the same results."""
    store, quads = curated
    mutated = Store()
    mutated.extend(store)
    for quad in random.Random(seed).sample(quads, 5):
        mutated.remove(quad)
    ours, ref = _both(mutated)
    assert ours == ref


def test_ill_typed_values_fail_sh_datatype_in_both(curated: tuple[Store, list[Quad]]) -> None:
    """Regression: the compiled sh:datatype passed "lots"^^xsd:integer (pySHACL does not).

    The build checks ill-typed literals of large sources through the shapes only.
    """
    store, quads = curated
    xsd_integer = "http://www.w3.org/2001/XMLSchema#integer"
    victim = next(q for q in quads if isinstance(q.object, Literal)  # shaped by sh:datatype only
                  and q.object.datatype.value == xsd_integer and "listedCount" in q.predicate.value)
    mutated = Store()
    mutated.extend(store)
    mutated.remove(victim)
    bad = Literal("lots", datatype=victim.object.datatype)  # type: ignore[union-attr]
    mutated.add(Quad(victim.subject, victim.predicate, bad, victim.graph_name))
    ours, ref = _both(mutated)
    assert ours == ref
    assert (victim.subject.value, victim.predicate.value, "Violation") in ours


def test_a_source_without_text_is_a_warning_in_both(curated: tuple[Store, list[Quad]]) -> None:
    """Regression: "No text registered" was meant as a warning, but the node shape's
    severity does not reach its property shape, so both validators failed a build of data
    that cite a source with no registered text (the synthetic benchmark graphs among them)."""
    store, quads = curated
    source = next(q.subject for q in quads if q.predicate.value.endswith("#textFile"))
    mutated = Store()
    mutated.extend(q for q in store if not (q.subject == source and (
        q.predicate.value.endswith("#textFile") or q.predicate.value.endswith("#textSha256"))))
    ours, ref = _both(mutated)
    assert ours == ref
    assert (source.value, FI_TEXT_FILE, "Warning") in ours


def test_the_subclass_table_holds_classes_with_subclasses_only(
        curated: tuple[Store, list[Quad]]) -> None:
    """Regression: the table paired every IRI of the store with itself (a million entries at
    a million triples, +450 MB during a build); a class not in it stands for itself."""
    store, quads = curated
    table = shacl_sparql.subclasses(store)
    subjects = {q.subject.value for q in quads if "/id/" in q.subject.value}
    assert table and not subjects & set(table)
    assert all(c in subs and len(subs) > 1 for c, subs in table.items())


FI_TEXT_FILE = "https://w3id.org/future-industries/ontology#textFile"
