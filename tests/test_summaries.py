"""Summaries made at build time (queries/summaries/*.rq into graph/summaries)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Store

from kg.build import summaries
from kg.engine.describe import entity_triples
from kg.errors import CatalogueError
from kg.store import Build
from kg.vocab import FI, entity

SUM = "https://w3id.org/future-industries/graph/summaries#"
COUNTS = """PREFIX fi: <https://w3id.org/future-industries/ontology#>
SELECT ?region ?plans ?sectors WHERE {
  { SELECT ?region (COUNT(DISTINCT ?plan) AS ?plans) WHERE { ?plan fi:forRegion ?region }
    GROUP BY ?region }
  OPTIONAL { SELECT ?region (COUNT(DISTINCT ?sector) AS ?sectors)
             WHERE { ?region fi:targetsSector ?sector } GROUP BY ?region }
}"""


@pytest.fixture(scope="module")
def store(curated_build: Build) -> Store:
    return curated_build.open()


def test_the_counts_are_the_ones_counted_over_the_graph(store: Store) -> None:
    counted = Counter((str(r["region"]), str(r["plans"]), str(r["sectors"]))
                      for r in store.query(COUNTS, use_default_graph_as_union=True))
    summary = f"""SELECT ?region ?plans ?sectors WHERE {{
      GRAPH <{summaries.GRAPH.value}> {{ ?region <{SUM}plans> ?plans FILTER(?plans > 0)
                                        OPTIONAL {{ ?region <{SUM}sectors> ?sectors }} }} }}"""
    read = Counter((str(r["region"]), str(r["plans"]), str(r["sectors"]))
                   for r in store.query(summary))
    assert read == counted and len(read) > 5


def test_positions_number_every_target_once_in_the_order_of_its_year(store: Store) -> None:
    rows = list(store.query(f"""PREFIX fi: <{FI.base}>
        SELECT ?target ?due ?position WHERE {{ ?target fi:targetYear ?due .
          OPTIONAL {{ ?target <{SUM}duePosition> ?position }} }} ORDER BY ?position""",
                            use_default_graph_as_union=True))
    positions = [int(r["position"].value) for r in rows]
    assert positions == list(range(1, len(rows) + 1))  # each target one, none missing
    years = [r["due"].value for r in rows]
    assert years == sorted(years)


def test_the_entity_pages_leave_the_summaries_out(store: Store) -> None:
    region = entity("region", "shandong")
    assert any(q.graph_name == summaries.GRAPH
               for q in store.quads_for_pattern(region, None, None, None))
    shown = entity_triples(store, region)
    assert shown and not any(SUM in str(t) for t in shown)


def test_a_summary_that_is_neither_form_stops_the_build_naming_its_file(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "summaries"
    folder.mkdir()
    (folder / "bad.rq").write_text("SELECT ?s WHERE { ?s ?p ?o }", "utf-8")
    store = Store()
    store.add_graph(NamedNode("http://e/g"))
    with pytest.raises(CatalogueError, match=r"summaries/bad\.rq.*CONSTRUCT"):
        summaries.build(store, tmp_path)
    (folder / "bad.rq").write_text("CONSTRUCT WHERE { ?s ?p", "utf-8")
    with pytest.raises(CatalogueError, match=r"summaries/bad\.rq"):
        summaries.build(store, tmp_path)


def test_a_numbering_gives_one_position_per_row_in_its_order(tmp_path: Path) -> None:
    store = Store()
    store.update("INSERT DATA { <http://e/b> <http://e/k> 2 . <http://e/a> <http://e/k> 1 . "
                 "<http://e/c> <http://e/k> 3 }")
    (tmp_path / "summaries").mkdir()
    (tmp_path / "summaries" / "order.rq").write_text(
        "SELECT ?subject ?predicate WHERE { ?subject <http://e/k> ?k "
        "BIND(<http://e/position> AS ?predicate) } ORDER BY DESC(?k)", "utf-8")
    assert summaries.build(store, tmp_path) == 3
    got = {q.subject.value: q.object for q in store.quads_for_pattern(
        None, NamedNode("http://e/position"), None, summaries.GRAPH)}
    assert got == {"http://e/c": Literal(1), "http://e/b": Literal(2), "http://e/a": Literal(3)}
