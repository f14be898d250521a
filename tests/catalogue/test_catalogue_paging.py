"""Pages of a packaged query's answer: an outer LIMIT/OFFSET applied by the runner."""

from __future__ import annotations

import pytest
from pyoxigraph import QuerySolutions, Store

from kg.catalogue import Catalogue, Page, Paged, answer
from kg.errors import CatalogueError, UsageError
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
    next_page = result.next_page
    assert len(table(result)) == 3 and next_page is not None
    assert (next_page.size, next_page.offset) == (3, 3) and next_page.after is not None


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


KEYED = """# title@en: Things by label
# title@zh: 按标签排列的事物
# description@en: Every thing, by its label (unbound first), then its rank, then itself.
# param: lang type=lang default=en example=zh — language of the labels
# paging: key
# view: table

SELECT ?thing ?label ?rank ?note ?lang
WHERE {
  { SELECT ?thing ?label ?rank ?lang WHERE {
      ?thing <http://e/rank> ?rank .
      OPTIONAL { ?thing <http://e/label> ?label FILTER(LANG(?label) = ?lang) } }
    ORDER BY ?label DESC(?rank) ?thing }
  ?thing <http://e/note> ?note .
}
"""


def keyed_graph() -> Store:
    """Things with tied, missing and shared labels, two to four notes each (a page can
    end inside one thing's notes), one without notes (its key row yields nothing)."""
    store = Store()
    lines = []
    for i in range(40):
        thing = f"<http://e/thing/{i:02d}>"
        lines.append(f"{thing} <http://e/rank> {i % 3} .")
        if i % 5:
            lines.append(f'{thing} <http://e/label> "label {i % 4}"@en .')
        lines += [f'{thing} <http://e/note> "note {i}-{n}" .' for n in range(2 + i % 3) if i != 7]
    store.update("INSERT DATA { " + "\n".join(lines) + " }")
    return store


@pytest.fixture
def keyed_catalogue(tmp_path: pytest.TempPathFactory) -> Catalogue:
    path = tmp_path / "things-by-label.rq"  # type: ignore[operator]
    path.write_text(KEYED, "utf-8")
    return Catalogue.load(tmp_path)  # type: ignore[arg-type]


@pytest.mark.parametrize("size", [2, 3, 7, 50])
def test_pages_by_key_are_the_pages_by_offset_row_for_row(
    keyed_catalogue: Catalogue, size: int
) -> None:
    store = keyed_graph()
    by_key = pages(store, keyed_catalogue, "things-by-label", size)
    assert all(p.page.after is not None for p in by_key[1:])  # found by key, not by offset
    by_offset = [answer(store, "things-by-label", {}, catalogue=keyed_catalogue,
                        page=Page(size, p.page.offset)) for p in by_key]
    assert [v.value for v in by_key[0].value.variables] == ["thing", "label", "rank", "note",
                                                           "lang"]
    keyed_rows = [table(p) for p in by_key]
    assert keyed_rows == [table(p) for p in by_offset]
    whole = table(answer(store, "things-by-label", {}, catalogue=keyed_catalogue))
    assert [row for rows in keyed_rows for row in rows] == whole and len(whole) == 116


def test_pages_after_a_page_asked_for_by_offset_are_the_pages_by_offset(
    keyed_catalogue: Catalogue,
) -> None:
    """Regression: a page asked for by offset whose rows all share one key (a thing's
    notes) gave a key that forgot the rows with that key before the offset; the page
    after it repeated rows. Such a page now links the next by offset."""
    store = keyed_graph()
    whole = table(answer(store, "things-by-label", {}, catalogue=keyed_catalogue))
    for start in range(1, 12):
        page: Page | None = Page(2, start)
        rows: list[Row] = []
        for _ in range(4):
            assert page is not None
            result = answer(store, "things-by-label", {}, catalogue=keyed_catalogue, page=page)
            assert isinstance(result, Paged)
            rows += table(result)
            page = result.next_page
        assert rows == whole[start:start + 8], start


def test_a_page_token_is_checked_when_read_back(keyed_catalogue: Catalogue) -> None:
    store = keyed_graph()
    first = answer(store, "things-by-label", {}, catalogue=keyed_catalogue, page=Page(5))
    assert isinstance(first, Paged) and first.after is not None
    token = first.after.token()
    assert Page.parse("5", None, token) == Page(5, 5, first.after)
    with pytest.raises(UsageError, match="offset 6 is not where"):
        Page.parse("5", "6", token)
    for bad in (token[:-3] + "AAA", "x" * 5000, "e30", token.replace("A", "-")):
        if bad != token:
            with pytest.raises(UsageError, match="not a page token"):
                Page.parse("5", None, bad)
    other = Catalogue.load()  # the same token for another question
    with pytest.raises(UsageError, match="not for this version of question"):
        answer(store, other.get("region-sector-matrix"), {}, page=Page(5, 5, first.after))


def test_paging_by_key_needs_a_sorting_sub_select(tmp_path: pytest.TempPathFactory) -> None:
    path = tmp_path / "unsorted.rq"  # type: ignore[operator]
    path.write_text(KEYED.replace("ORDER BY ?label DESC(?rank) ?thing", ""), "utf-8")
    with pytest.raises(CatalogueError, match="paging: key needs a sub-select"):
        Catalogue.load(tmp_path)  # type: ignore[arg-type]
