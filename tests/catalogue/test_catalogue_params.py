"""Binding raw parameter strings: conversions, defaults, and errors that list what is allowed."""

from __future__ import annotations

from dataclasses import replace

import pytest
from pyoxigraph import Literal, NamedNode, QuerySolutions, Store, Variable

from kg.catalogue import Catalogue, allowed, answer
from kg.errors import ExitCode, NotFoundError, UsageError
from kg.vocab import XSD

REGION = "https://w3id.org/future-industries/id/region/"
SECTOR = "https://w3id.org/future-industries/id/sector/"


def test_defaults_apply(catalogue: Catalogue, curated_store: Store) -> None:
    bound = catalogue.get("regions-targeting-sectors").bind({}, curated_store)
    assert bound == {
        Variable("sector1"): NamedNode(SECTOR + "6g"),
        Variable("sector2"): NamedNode(SECTOR + "quantum-technology"),
        Variable("year"): Literal("2025", datatype=XSD.gYear),
        Variable("lang"): Literal("en"),
    }


def test_slug_iri_and_prefixed_name_are_the_same_region(
    catalogue: Catalogue, curated_store: Store
) -> None:
    query = catalogue.get("region-sectors")
    for raw in ("zhejiang", REGION + "zhejiang", "id:region/zhejiang"):
        assert query.bind({"region": raw}, curated_store)[Variable("region")] == NamedNode(
            REGION + "zhejiang"
        )


def test_empty_value_means_default(catalogue: Catalogue, curated_store: Store) -> None:
    bound = catalogue.get("region-sectors").bind({"region": "", "lang": ""}, curated_store)
    assert bound[Variable("region")] == NamedNode(REGION + "shandong")
    assert bound[Variable("lang")] == Literal("en")


def test_unknown_region_lists_the_regions_of_the_graph(
    catalogue: Catalogue, curated_store: Store
) -> None:
    with pytest.raises(UsageError) as info:
        catalogue.get("region-sectors").bind({"region": "atlantis"}, curated_store)
    message = str(info.value)
    assert message.startswith("parameter 'region': unknown region 'atlantis'; allowed: ")
    for slug in ("beijing", "shanghai", "zhejiang", "jiangxi", "shanxi", "shenzhen", "shandong",
                 "henan", "china"):
        assert slug in message
    assert info.value.exit_code == ExitCode.USAGE and info.value.http_status == 400


def test_a_sector_is_not_a_region(catalogue: Catalogue, curated_store: Store) -> None:
    with pytest.raises(UsageError, match="unknown region 'metaverse'"):
        catalogue.get("region-sectors").bind({"region": "metaverse"}, curated_store)


def test_unknown_sector_lists_sectors(catalogue: Catalogue, curated_store: Store) -> None:
    with pytest.raises(UsageError) as info:
        catalogue.get("sector-regions").bind({"sector": "7g"}, curated_store)
    assert "unknown sector '7g'; allowed: " in str(info.value)
    assert "6g" in str(info.value) and "quantum-information" in str(info.value)


@pytest.mark.parametrize("year", ["20x5", "25", "20255", "2025-01", " 2025", "二〇二五"])
def test_malformed_year(catalogue: Catalogue, curated_store: Store, year: str) -> None:
    with pytest.raises(UsageError, match="expected a 4-digit year such as 2025"):
        catalogue.get("targets-by-year").bind({"year": year}, curated_store)


def test_wrong_type_for_a_region(catalogue: Catalogue, curated_store: Store) -> None:
    with pytest.raises(UsageError) as info:
        catalogue.get("region-sectors").bind({"region": "Shan Dong"}, curated_store)
    assert "expected a region slug such as shandong, or a full IRI" in str(info.value)
    assert "allowed: " in str(info.value) and "shandong" in str(info.value)


def test_bad_language(catalogue: Catalogue, curated_store: Store) -> None:
    with pytest.raises(UsageError, match="expected one of zh, en, got 'fr'"):
        catalogue.get("plans-timeline").bind({"lang": "fr"}, curated_store)


def test_bad_iri(catalogue: Catalogue, curated_store: Store) -> None:
    with pytest.raises(UsageError, match="expected an IRI"):
        catalogue.get("source-quote").bind({"fact": "not an iri"}, curated_store)
    with pytest.raises(UsageError, match="not a valid IRI"):
        catalogue.get("source-quote").bind({"fact": "http://e/a b"}, curated_store)


def test_unknown_parameter_lists_the_declared_ones(
    catalogue: Catalogue, curated_store: Store
) -> None:
    with pytest.raises(UsageError) as info:
        catalogue.get("region-sectors").bind({"regoin": "beijing"}, curated_store)
    assert str(info.value) == (
        "query 'region-sectors' has no parameter 'regoin'; declared: region, lang"
    )


def test_required_without_default(catalogue: Catalogue, curated_store: Store) -> None:
    query = catalogue.get("search-labels")
    bare = replace(query, params=tuple(replace(p, default=None) for p in query.params))
    expected = r"needs parameter 'text' \(string\) \(e.g. text=quantum\)"
    with pytest.raises(UsageError, match=expected):
        bare.bind({}, curated_store)


def test_unknown_query_lists_names(catalogue: Catalogue) -> None:
    with pytest.raises(NotFoundError) as info:
        catalogue.get("no-such-question")
    assert "region-sectors" in str(info.value) and info.value.http_status == 404


@pytest.mark.parametrize("name", ["../queries/region-sectors", "REGION-SECTORS", "", ".", "a/b"])
def test_names_never_reach_the_file_system(catalogue: Catalogue, name: str) -> None:
    with pytest.raises(NotFoundError):
        catalogue.get(name)


def test_allowed_values_come_from_the_graph(curated_store: Store) -> None:
    regions = allowed(curated_store, "region")
    assert {"beijing", "shanghai", "shenzhen", "china", "jinan", "qingdao"} <= set(regions)
    assert "metaverse" in allowed(curated_store, "sector")
    assert allowed(Store(), "sector") == []


def test_row_cap_with_parameters(catalogue: Catalogue, curated_store: Store) -> None:
    full = answer(curated_store, "region-sector-matrix", {"lang": "zh"})
    capped = answer(curated_store, "region-sector-matrix", {"lang": "zh"}, row_cap=3)
    assert isinstance(full.value, QuerySolutions) and isinstance(capped.value, QuerySolutions)
    names = [v.value for v in full.value.variables]
    assert [v.value for v in capped.value.variables] == names  # order kept
    full_rows = [tuple(r[n] for n in names) for r in full.value]
    capped_rows = [tuple(r[n] for n in names) for r in capped.value]
    assert capped.truncated and not full.truncated
    assert capped_rows == full_rows[:3]
    exact = answer(curated_store, "region-sector-matrix", {}, row_cap=len(full_rows))
    assert not exact.truncated
