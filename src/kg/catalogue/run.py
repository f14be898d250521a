"""Running a packaged query: bind its parameters, then run it through kg.sparql.

>>> from pyoxigraph import Store
>>> result = run_stored(Store(), "plans-timeline", {})
>>> result.kind, result.truncated
('select', False)
>>> run_stored(Store(), "plans-timeline", {"lang": "fr"})
Traceback (most recent call last):
  ...
kg.errors.UsageError: parameter 'lang': expected one of zh, en, got 'fr'
"""

from __future__ import annotations

from collections.abc import Mapping

from pyoxigraph import Store

from kg import settings, sparql
from kg.catalogue.query import StoredQuery
from kg.catalogue.registry import Catalogue
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
) -> sparql.Result:
    """Bind a packaged query's parameters and run it over the union of graphs."""
    query = name_or_query
    if not isinstance(query, StoredQuery):
        query = (catalogue or default_catalogue()).get(query)
    if query.federated:
        raise UsageError(f"question {query.name!r} is federated (SERVICE "
                         f"{', '.join(query.services)}): run it with kg.federation.run")
    substitutions = query.bind(raw_params, store)
    return sparql.run(store, query.text, substitutions=substitutions, row_cap=row_cap)
