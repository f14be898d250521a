"""List parameters: several sectors in one question, bound as the rows of a VALUES block
(``regions-targeting-sectors``: ``sectors``), each value checked, never spliced as text."""

from __future__ import annotations

import pytest
from pyoxigraph import QuerySolutions, Store

from kg.catalogue import Catalogue, answer
from kg.errors import UsageError

NAME = "regions-targeting-sectors"
SECTOR = "https://w3id.org/future-industries/id/sector/"
# Regions whose plans due by the year cover each listed sector (or a narrower one): the
# relational division written by hand, the sectors spelled out.
BY_HAND = """
PREFIX fi: <https://w3id.org/future-industries/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?region WHERE {
  ?region a fi:Region .
  FILTER NOT EXISTS {
    VALUES ?sector { %s }
    FILTER NOT EXISTS {
      ?part skos:broader* ?sector . ?plan fi:coversSector ?part ; fi:forRegion ?region .
      { ?plan fi:periodEnd ?end FILTER(?end <= "%s"^^<http://www.w3.org/2001/XMLSchema#gYear>) }
      UNION
      { ?plan fi:hasTarget/fi:targetYear ?due
        FILTER(?due <= "%s"^^<http://www.w3.org/2001/XMLSchema#gYear>) }
    }
  }
}"""


def regions(result: object) -> set[str]:
    value = getattr(result, "value", result)
    assert isinstance(value, QuerySolutions)
    return {row["region"].value for row in value}


def by_hand(store: Store, sectors: list[str], year: str) -> set[str]:
    listed = " ".join(f"<{SECTOR}{s}>" for s in sectors)
    return regions(store.query(BY_HAND % (listed, year, year), use_default_graph_as_union=True))


@pytest.mark.parametrize(("sectors", "year"), [
    (["metaverse", "humanoid-robot", "gene-technology"], "2035"),
    (["metaverse", "humanoid-robot", "future-health"], "2035"),
    (["6g", "quantum-technology", "future-space"], "2030"),
])
def test_three_sectors_equal_the_division_by_hand(
        catalogue: Catalogue, curated_store: Store, sectors: list[str], year: str) -> None:
    params = {"sector1": sectors[0], "sector2": sectors[1], "sectors": sectors[2],
              "year": year}
    got = regions(answer(curated_store, catalogue.get(NAME), params))
    assert got == by_hand(curated_store, sectors, year)
    two = regions(answer(curated_store, catalogue.get(NAME), {**params, "sectors": ""}))
    assert got <= two


def test_the_third_sector_narrows_the_answer(catalogue: Catalogue, curated_store: Store) -> None:
    """Metaverse and humanoid robots by 2035: Beijing and Shandong; with gene technology
    too, Shandong alone (the article lists 基因技术 among Shandong's sectors only)."""
    base = {"sector1": "metaverse", "sector2": "humanoid-robot", "year": "2035"}
    region = "https://w3id.org/future-industries/id/region/"
    assert regions(answer(curated_store, NAME, base)) == {region + "beijing", region + "shandong"}
    assert regions(answer(curated_store, NAME, {**base, "sectors": "gene-technology"})) == {
        region + "shandong"}
    same = regions(answer(curated_store, NAME, {**base, "sectors": "gene-technology, metaverse"}))
    assert same == {region + "shandong"}


def test_a_listed_sectors_facts_are_evidence(catalogue: Catalogue, curated_store: Store) -> None:
    params = {"sector1": "metaverse", "sector2": "humanoid-robot", "year": "2035",
              "sectors": "gene-technology"}
    result = answer(curated_store, NAME, params, evidence=True)
    assert isinstance(result.value, QuerySolutions)
    quotes = [row["quotes"].value for row in result.value]
    assert quotes and "基因技术" in quotes[0]


def test_a_bad_sector_in_the_list_names_the_item_and_the_allowed_form(
        curated_store: Store) -> None:
    with pytest.raises(UsageError) as caught:
        answer(curated_store, NAME, {"sectors": "6g,no-such-sector"})
    message = str(caught.value)
    assert "parameter 'sectors' (item 2): unknown sector 'no-such-sector'" in message
    assert "allowed: " in message and "metaverse" in message
    with pytest.raises(UsageError, match=r"\(item 1\): expected a sector slug such as 6g, or "
                                         r"a full IRI"):
        answer(curated_store, NAME, {"sectors": "量子"})


@pytest.mark.parametrize("hostile", [
    "6g } ?s ?p ?o . FILTER(true",
    "6g,<https://w3id.org/future-industries/id/sector/6g>} UNION {?s ?p ?o}",
    "6g>",
    "id:sector/6g> . ?x ?y ?z . <a:b",
    "\"6g\"",
])
def test_an_injection_in_a_list_value_is_refused(curated_store: Store, hostile: str) -> None:
    with pytest.raises(UsageError, match=r"parameter 'sectors' \(item \d+\)"):
        answer(curated_store, NAME, {"sectors": hostile})


def test_too_many_values_are_refused(curated_store: Store) -> None:
    with pytest.raises(UsageError, match="at most 20"):
        answer(curated_store, NAME, {"sectors": ",".join(["6g"] * 21)})


def test_a_list_parameter_needs_its_values_block(tmp_path: object) -> None:
    from pathlib import Path

    from kg.errors import CatalogueError

    folder = Path(str(tmp_path))
    (folder / "x.rq").write_text("# title@en: X\n# title@zh: X\n# description@en: X\n"
                                 "# param: items type=sector list — several\n# view: table\n"
                                 "SELECT ?s WHERE { ?s ?p ?items }\n", "utf-8")
    with pytest.raises(CatalogueError, match=r"VALUES \?items"):
        Catalogue.load(folder)
