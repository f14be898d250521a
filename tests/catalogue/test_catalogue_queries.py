"""Every packaged query: parses, declares exactly its parameters, returns its golden rows."""

from __future__ import annotations

import pytest
from pyoxigraph import QuerySolutions, Store

from kg.catalogue import Catalogue, answer

from . import _golden
from ._variables import inputs, used

# Federated questions need their remote endpoint: tests/test_federation.py runs them
# against a local stand-in; here, every question answered by the graph alone.
NAMES = [q.name for q in Catalogue.load().queries() if not q.federated]

# Golden cases beyond each query's defaults: case name -> (query, parameters).
EXTRA_CASES: dict[str, tuple[str, dict[str, str]]] = {
    "regions-targeting-sectors.2030": ("regions-targeting-sectors", {"year": "2030"}),
    "regions-targeting-sectors.metaverse-humanoid-2035": (
        "regions-targeting-sectors",
        {"sector1": "metaverse", "sector2": "humanoid-robot", "year": "2035"},
    ),
    "regions-targeting-sectors.four-sectors-2035": (
        "regions-targeting-sectors",
        {"sector1": "metaverse", "sector2": "humanoid-robot",
         "sectors": "gene-technology,future-health", "year": "2035"},
    ),
    "region-sectors.zhejiang-zh": ("region-sectors", {"region": "zhejiang", "lang": "zh"}),
    "sector-regions.metaverse": ("sector-regions", {"sector": "metaverse"}),
    "search-labels.quantum": ("search-labels", {"text": "quantum"}),
    "plan-actions.shandong": (
        "plan-actions", {"plan": "id:plan/shandong-manufacturing-innovation-action-plan-2023-2025"}
    ),
    "source-quote.shanghai-plan": (
        "source-quote", {"fact": "id:plan/shanghai-future-industry-action-plan"}
    ),
    "shared-sectors.zhejiang-jiangxi": (
        "shared-sectors", {"region1": "zhejiang", "region2": "jiangxi"}
    ),
    "targets-by-year.2035-zh": ("targets-by-year", {"year": "2035", "lang": "zh"}),
}
CASES = {name: (name, {}) for name in NAMES} | EXTRA_CASES


@pytest.mark.parametrize("case", sorted(CASES))
def test_golden_result(
    case: str, catalogue: Catalogue, curated_store: Store, update_golden: bool
) -> None:
    name, params = CASES[case]
    result = answer(curated_store, name, params, catalogue=catalogue)
    names, rows = _golden.table(result, _golden.joined_columns(catalogue.get(name).text))
    if update_golden:
        _golden.write(case, name, params, names, rows)
        return
    assert _golden.path(case).is_file(), f"no golden file for {case}: run {_golden.REGENERATE}"
    expected_names, expected_rows = _golden.read(case)
    assert names == expected_names
    got = set(rows)
    assert len(got) == len(rows), f"{case}: duplicate rows"
    missing, extra = sorted(expected_rows - got, key=str), sorted(got - expected_rows, key=str)
    assert not missing and not extra, (
        f"{case} differs from its golden file (missing {missing}, extra {extra}); if the "
        f"curated data changed on purpose, run {_golden.REGENERATE} and check the diff by hand"
    )


def test_no_stale_golden_files() -> None:
    files = {p.stem for p in _golden.GOLDEN_DIR.glob("*.json")}
    assert files <= set(CASES), f"golden files without a case: {sorted(files - set(CASES))}"


@pytest.mark.parametrize("name", NAMES)
def test_declares_exactly_the_parameters_it_uses(name: str, catalogue: Catalogue) -> None:
    query = catalogue.get(name)
    declared = {p.name for p in query.params}
    assert inputs(query.text) <= declared, "a variable the query never binds is not declared"
    assert declared <= used(query.text), "a declared parameter is not used by the query"


def test_the_variable_check_can_fail() -> None:
    text = "SELECT ?x WHERE { ?x <http://e/p> ?y FILTER(?y > ?minimum) }"
    assert inputs(text) == {"minimum"}
    assert "region" not in used("SELECT ?region WHERE { ?s ?p ?o }")


@pytest.mark.parametrize("name", NAMES)
def test_examples_bind_and_run(name: str, catalogue: Catalogue, curated_store: Store) -> None:
    query = catalogue.get(name)
    examples = {p.name: p.example for p in query.params if p.example}
    result = answer(curated_store, query, examples)
    assert isinstance(result.value, QuerySolutions)
    assert list(result.value), f"{name} returns nothing for its example parameters"


@pytest.mark.parametrize("name", NAMES)
def test_view_options_name_result_columns(
    name: str, catalogue: Catalogue, curated_store: Store
) -> None:
    query = catalogue.get(name)
    result = answer(curated_store, query, {})
    assert isinstance(result.value, QuerySolutions)
    columns = {v.value for v in result.value.variables}
    assert set(query.view_options.values()) <= columns


@pytest.mark.parametrize("name", NAMES)
def test_parameters_are_projected(name: str, catalogue: Catalogue, curated_store: Store) -> None:
    """pyoxigraph 0.5 substitutes only projected variables: every parameter is a column
    (but a list parameter, whose values are the rows of its VALUES blocks)."""
    query = catalogue.get(name)
    result = answer(curated_store, query, {})
    assert isinstance(result.value, QuerySolutions)
    columns = [v.value for v in result.value.variables]
    assert {p.name for p in query.params if not p.many} <= set(columns)
