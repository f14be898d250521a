"""The SPARQL service: guard, cap and formats."""

from __future__ import annotations

import pytest
from pyoxigraph import Store

from kg import sparql
from kg.errors import QueryError, UsageError
from kg.rdf import formats

WIKIDATA = frozenset({"https://query.wikidata.org/sparql"})


@pytest.fixture(scope="module")
def store() -> Store:
    s = Store()
    s.update("INSERT DATA { " + " ".join(f"<http://e/s{i}> <http://e/p> {i} ." for i in range(30)) + " }")
    return s


def test_service_after_an_iri_with_hash_is_still_guarded() -> None:
    """Regression: a '#' inside an IRI was read as a comment and hid a later SERVICE."""
    query = "SELECT * WHERE { ?s <http://e#p> ?o . SERVICE <http://10.0.0.1/> { ?a ?b ?c } }"
    with pytest.raises(QueryError, match=r"10\.0\.0\.1"):
        sparql.guard(query, WIKIDATA)


def test_variable_named_service_is_not_a_service_clause() -> None:
    """Regression: ?service was taken for a SERVICE keyword."""
    assert sparql.guard("SELECT ?service WHERE { ?service ?p ?o }") == "select"


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * { SERVICE ?endpoint { ?a ?b ?c } }",
        "PREFIX w: <https://query.wikidata.org/> SELECT * { SERVICE w:other { ?a ?b ?c } }",
        "SELECT * { service\n  SILENT\t<http://127.0.0.1:1/> { ?a ?b ?c } }",
    ],
)
def test_service_targets_other_than_allowed_iris_are_refused(query: str) -> None:
    with pytest.raises(QueryError, match="not allowed"):
        sparql.guard(query, WIKIDATA)


def test_a_prefixed_target_is_read_as_the_engine_reads_it() -> None:
    """The grammar expands a prefixed SERVICE target: an allowed IRI written so is allowed."""
    query = "PREFIX w: <https://query.wikidata.org/> SELECT * { SERVICE w:sparql { ?a ?b ?c } }"
    assert sparql.guard(query, WIKIDATA) == "select"


def test_allowed_service_and_service_in_strings() -> None:
    assert sparql.guard("SELECT * { SERVICE <https://query.wikidata.org/sparql> { ?a ?b ?c } }", WIKIDATA)
    assert sparql.guard('SELECT * { ?s ?p "SERVICE <http://evil/>" }') == "select"


def test_depth_and_length_limits() -> None:
    deep = "SELECT * WHERE " + "{" * 5000 + "?s ?p ?o" + "}" * 5000
    with pytest.raises(QueryError, match="nested"):
        sparql.guard(deep)
    with pytest.raises(QueryError, match="longer"):
        sparql.guard("SELECT * { ?s ?p ?o } #" + "x" * 200_000)


def test_row_cap_truncates_once_over(store: Store) -> None:
    capped = sparql.run(store, "SELECT ?o WHERE { ?s ?p ?o }", row_cap=10)
    assert capped.truncated
    assert len(capped.serialize("tsv").decode().strip().splitlines()) == 11
    exact = sparql.run(store, "SELECT ?o WHERE { ?s ?p ?o }", row_cap=30)
    assert not exact.truncated
    assert len(exact.serialize("csv").decode().strip().splitlines()) == 31


def test_results_are_the_same_with_and_without_cap(store: Store) -> None:
    query = "SELECT ?s ?o WHERE { ?s ?p ?o } ORDER BY DESC(?o)"
    a = sparql.run(store, query, row_cap=1000).serialize("json")
    b = sparql.run(store, query + " LIMIT 100").serialize("json")
    assert a == b


def test_formats_are_looked_up_through_pyoxigraph() -> None:
    assert formats.results_format("application/sparql-results+xml").file_extension == "srx"
    assert formats.rdf_format("jsonld").media_type == "application/ld+json"
    with pytest.raises(UsageError, match="use one of"):
        formats.results_format("docx")


def test_bad_syntax_is_a_query_error(store: Store) -> None:
    with pytest.raises(QueryError, match="line 1, column 21"):
        sparql.run(store, "SELECT ?x WHERE { ?x")


def test_bug_syntax_errors_pointed_at_lines_the_user_never_wrote(store: Store) -> None:
    """A LIMIT was appended as a new line before parsing: 'error at 2:1'."""
    with pytest.raises(QueryError, match=r"^line 1, column 24: expected"):
        sparql.run(store, "SELECT * WHERE { ?s ?p }")


def test_bug_a_missing_prefix_was_buried_in_unicode_ranges(store: Store) -> None:
    with pytest.raises(QueryError) as caught:
        sparql.run(store, "SELECT * WHERE { ?s x:p ?o }")
    assert str(caught.value) == ("line 1, column 21: unknown prefix 'x:' "
                                 "(declare it with PREFIX x: <…>)")
