"""Pages of a packaged query's answer: an outer LIMIT/OFFSET applied by the runner."""

from __future__ import annotations

import pytest
from pyoxigraph import QuerySolutions, Store

from kg.catalogue import Catalogue, Page, Paged, answer
from kg.errors import UsageError
from kg.sparql import Result
from kg.sparql.syntax import analyse

NAMES = [q.name for q in Catalogue.load().queries() if not q.federated]
Row = tuple[str | None, ...]


def table(result: Result) -> list[Row]:
    assert isinstance(result.value, QuerySolutions)
    names = [v.value for v in result.value.variables]
    return [tuple(None if r[n] is None else str(r[n]) for n in names) for r in result.value]


def pages(store: Store, catalogue: Catalogue, name: str, size: int) -> list[Paged]:
    out: list[Paged] = []
    page: Page | None = Page(size)
    while page is not None:
        result = answer(store, name, {}, catalogue=catalogue, page=page)
        assert isinstance(result, Paged) and result.page == page
        out.append(result)
        page = result.next_page
        assert len(out) < 100, "the pages never end"
    return out


@pytest.mark.parametrize("name", NAMES)
def test_pages_join_up_to_the_whole_answer_in_order(
    name: str, catalogue: Catalogue, curated_store: Store
) -> None:
    whole = table(answer(curated_store, name, {}, catalogue=catalogue))
    parts = pages(curated_store, catalogue, name, 7)
    rows = [row for part in parts for row in table(part)]
    assert rows == whole
    assert all(part.truncated for part in parts[:-1]) and not parts[-1].truncated
    assert len(parts) == max(1, -(-len(whole) // 7))


def test_a_page_lies_inside_the_querys_own_limit(
    catalogue: Catalogue, curated_store: Store
) -> None:
    query = catalogue.get("monetary-targets")  # ends with LIMIT 100: three rows here
    assert query.text.rstrip().endswith("LIMIT 100")
    first = answer(curated_store, query, {}, page=Page(2))
    second = answer(curated_store, query, {}, page=Page(2, 2))
    beyond = answer(curated_store, query, {}, page=Page(2, 200))
    assert first.truncated and not second.truncated and not beyond.truncated
    amounts = [row[0] for row in table(first) + table(second)]
    assert amounts == sorted(amounts, key=lambda a: -int(a.split('"')[1])) and len(amounts) == 3
    assert table(beyond) == []


def test_the_row_cap_bounds_a_page(catalogue: Catalogue, curated_store: Store) -> None:
    result = answer(curated_store, "region-sector-matrix", {}, catalogue=catalogue,
                        row_cap=3, page=Page(50))
    assert isinstance(result, Paged) and result.page == Page(3)
    assert len(table(result)) == 3 and result.next_page == Page(3, 3)


def test_the_page_goes_before_a_trailing_values_clause() -> None:
    text = Page(5, 10).text("SELECT ?x WHERE { ?x ?p ?o } ORDER BY ?x VALUES ?p { <http://e/p> }")
    found = analyse(text)  # read with the grammar: the page's modifiers, then the VALUES
    assert (found.outer_limit.value, found.outer_offset.value) == (6, 10)  # type: ignore[union-attr]
    assert found.values_start is not None and found.outer_order
    assert Store().query(text) is not None  # still SPARQL
    own = analyse(Page(5, 10).text("SELECT * { ?s ?p ?o } OFFSET 3 LIMIT 20  # after 3"))
    assert (own.outer_limit.value, own.outer_offset.value) == (6, 13)  # type: ignore[union-attr]


@pytest.mark.parametrize(("limit", "offset", "page"), [
    (None, None, Page(100, 0)),
    ("", "", Page(100, 0)),
    ("25", "50", Page(25, 50)),
    ("all", None, None),
    ("all", "0", None),
    ("all", "40", Page(10**9, 40)),
])
def test_parse(limit: str | None, offset: str | None, page: Page | None) -> None:
    assert Page.parse(limit, offset) == page


@pytest.mark.parametrize(("limit", "offset", "message"), [
    ("0", None, "limit must be a whole number from 1"),
    ("-5", None, "limit must be"),
    ("1.5", None, "limit must be"),
    ("ALL", None, "or 'all'"),
    ("1" * 10, None, "limit must be"),
    (None, "-1", "offset must be a whole number from 0"),
    (None, "x", "offset must be"),
    (None, " 3", "offset must be"),
])
def test_bad_limits_and_offsets_say_what_is_expected(
    limit: str | None, offset: str | None, message: str
) -> None:
    with pytest.raises(UsageError, match=message):
        Page.parse(limit, offset)


def test_sizes_and_offsets_are_checked() -> None:
    with pytest.raises(UsageError):
        Page(0)
    with pytest.raises(UsageError):
        Page(10, -1)
    assert Page.from_json(Page(3, 9).to_json()) == Page(3, 9) and Page.from_json(None) is None
