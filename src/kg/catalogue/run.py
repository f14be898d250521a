"""Running a packaged query: bind its parameters, then run it through kg.sparql.

>>> from pyoxigraph import Store, Variable
>>> result = run_stored(Store(), "plans-timeline", {})
>>> result.kind, result.truncated
('select', False)
>>> run_stored(Store(), "plans-timeline", {"lang": "fr"})
Traceback (most recent call last):
  ...
kg.errors.UsageError: parameter 'lang': expected one of zh, en, got 'fr'
>>> page = run_stored(Store(), "plans-timeline", {}, page=Page(size=10))
>>> page.truncated, page.next_page
(False, None)
"""

from __future__ import annotations

from collections.abc import Mapping

from pyoxigraph import Store, Variable

from kg import settings, sparql
from kg.catalogue.paging import Page, Paged
from kg.catalogue.query import StoredQuery
from kg.catalogue.registry import Catalogue
from kg.catalogue.values import Term
from kg.errors import UsageError

_default: Catalogue | None = None


def default_catalogue() -> Catalogue:
    """The project's catalogue, loaded once per process."""
    global _default
    if _default is None:
        _default = Catalogue.load()
    return _default


def run_stored(
    store: Store,
    name_or_query: str | StoredQuery,
    raw_params: Mapping[str, str],
    *,
    row_cap: int = settings.DEFAULT_ROW_CAP,
    catalogue: Catalogue | None = None,
    page: Page | None = None,
) -> sparql.Result:
    """Bind a packaged query's parameters and run it over the union of graphs.

    With a ``page``, the rows of that page only (a :class:`~kg.catalogue.paging.Paged`
    result, ``truncated`` when more rows follow); without, every row up to the row cap.
    """
    query = name_or_query
    if not isinstance(query, StoredQuery):
        query = (catalogue or default_catalogue()).get(query)
    if query.federated:
        raise UsageError(f"question {query.name!r} is federated (SERVICE "
                         f"{', '.join(query.services)}): run it with kg.remote.federation.run")
    substitutions = query.bind(raw_params, store)
    if page is None:
        return sparql.run(store, query.text, substitutions=substitutions, row_cap=row_cap)
    return _run_page(store, query, substitutions, page.capped(row_cap))


def _run_page(store: Store, query: StoredQuery, substitutions: dict[Variable, Term],
             page: Page) -> Paged:
    """One page of a query whose parameters are bound already."""
    paged = page.query(query)
    return page.cut(sparql.run(store, paged.text, substitutions=substitutions,
                               row_cap=page.size + 1))
