"""The build pipeline: atomic publication, errors located, the previous build kept."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import Store

from kg import settings
from kg.build import build, check
from kg.errors import InconsistencyError, ParseError, ValidationError
from kg.store import Location

FIXTURES = Path(__file__).parent / "fixtures" / "build"
CURATED = sorted(settings.resources().data.glob("*.ttl"))


def _ask(store: Store, query: str) -> bool:
    return bool(store.query(query, use_default_graph_as_union=True))


def test_curated_build_has_every_layer(curated_build) -> None:
    manifest = curated_build.manifest()
    graphs = set(manifest["graphs"])
    base = "https://w3id.org/future-industries/graph/"
    assert {base + "ontology", base + "inferred", base + "build"} <= graphs
    assert base + "data/beijing" in graphs
    assert all(len(src["sha256"]) == 64 for src in manifest["sources"])
    assert manifest["hermit"] == "ontology; rules: curated" and manifest["shacl"] == "sparql"


def test_chains_are_inferred_not_typed(curated_build) -> None:
    store = curated_build.open()
    fi = "https://w3id.org/future-industries/ontology#"
    asserted = (
        f"ASK {{ GRAPH ?g {{ ?r <{fi}targetsSector> ?s }} FILTER(?g != <{_g('inferred')}>) }}"
    )
    inferred = f"ASK {{ GRAPH <{_g('inferred')}> {{ ?r <{fi}targetsSector> ?s }} }}"
    assert not _ask(store, asserted)
    assert _ask(store, inferred)


def test_manifest_is_in_the_store(curated_build) -> None:
    store = curated_build.open()
    build_id = curated_build.id
    assert _ask(store, f'ASK {{ GRAPH <{_g("build")}> {{ ?b ?p "{build_id}" }} }}')


def test_the_store_on_disk_holds_what_the_manifest_counts(curated_build) -> None:
    """The writer process stored every graph the build made in memory, whole."""
    store = curated_build.open()
    query = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    on_disk = {row["g"].value: int(row["n"].value) for row in store.query(query)}
    assert on_disk == curated_build.manifest()["graphs"]
    assert on_disk[_g("inferred")] > 500


def test_hermit_inferences_the_rules_lack_are_added_and_closed() -> None:
    from kg.build import rules
    from kg.build.load import load_source
    from kg.build.pipeline import _add_hermit
    from kg.build.sources import collect

    store = Store()
    for source in collect():
        load_source(store, source)
    rules.materialise(store)
    fi = "https://w3id.org/future-industries/ontology#"
    x = "https://w3id.org/future-industries/id/region/example-city"
    rdf_type = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    _add_hermit(store, [(x, rdf_type, fi + "City")])
    assert _ask(store, f"ASK {{ GRAPH <{_g('inferred')}> {{ <{x}> a <{fi}Region> }} }}")


def _g(name: str) -> str:
    return f"https://w3id.org/future-industries/graph/{name}"


@pytest.mark.parametrize(
    ("fixture", "error", "fragment"),
    [
        ("syntax-error.ttl", ParseError, "syntax-error.ttl:6:"),
        ("target-without-year.ttl", ValidationError, "target/atlantis-someday"),
        ("disjoint-region.ttl", InconsistencyError, "region/atlantis"),
    ],
)
def test_failed_build_keeps_previous(
    tmp_path: Path, fixture: str, error: type, fragment: str
) -> None:
    good = build(tmp_path, CURATED)
    with pytest.raises(error) as info:
        build(tmp_path, [*CURATED, FIXTURES / fixture])
    assert fragment in str(info.value)
    current = Location(tmp_path).require_current()
    assert current.id == good.build_id
    assert _ask(current.open(), "ASK { ?s a ?c }")
    assert [p.name for p in (tmp_path / "builds").iterdir()] == [good.build_id]


def test_check_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(settings.ENV_PROJECT, str(settings.resources().root))
    monkeypatch.chdir(tmp_path)
    report = check()
    assert report.triples > 1000
    assert report.shacl == "pyshacl+sparql"  # kg check validates with pySHACL as the reference
    assert list(tmp_path.iterdir()) == []


def test_violation_names_node_and_path() -> None:
    with pytest.raises(ValidationError) as info:
        check([*CURATED, FIXTURES / "target-without-year.ttl"])
    found = [v for v in info.value.violations if v.focus.endswith("target/atlantis-someday")]
    assert found and found[0].path == "https://w3id.org/future-industries/ontology#targetYear"
