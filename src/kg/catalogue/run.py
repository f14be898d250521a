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

import re
from collections.abc import Mapping

from pyoxigraph import QuerySolutions, Store, Variable

from kg import settings, sparql
from kg.catalogue.query import StoredQuery
from kg.catalogue.registry import Catalogue
from kg.catalogue.values import Term
from kg.errors import UsageError

_PROLOGUE = re.compile(r"\A(?:\s+|#[^\n]*\n|BASE\s*<[^>]*>|PREFIX\s+[\w.-]*:\s*<[^>]*>)*", re.I)
_OWN_LIMIT = re.compile(r"\bLIMIT\s+(\d+)(?:\s+OFFSET\s+\d+)?\s*$", re.I)
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
    if not substitutions or sparql.guard(query.text) != "select" or _within(query.text, row_cap):
        return sparql.run(store, query.text, substitutions=substitutions, row_cap=row_cap)
    return _capped(store, query.text, substitutions, row_cap)


def _within(text: str, row_cap: int) -> bool:
    match = _OWN_LIMIT.search(text.rstrip())
    return match is not None and int(match.group(1)) <= row_cap


def _capped(store: Store, text: str, subs: dict[Variable, Term], row_cap: int) -> sparql.Result:
    """Apply the row cap here: kg.sparql's COUNT probe cannot project substituted variables.

    The wrapper projects the query's own variables, in their order.
    """
    split = _PROLOGUE.match(text).end()  # type: ignore[union-attr]
    lazy = store.query(text, substitutions=subs, use_default_graph_as_union=True)
    assert isinstance(lazy, QuerySolutions)
    columns = " ".join(str(v) for v in lazy.variables)
    wrapped = f"{text[:split]}\nSELECT {columns} WHERE {{ {text[split:]}\n}} LIMIT "
    probe = sparql.run(store, wrapped + str(row_cap + 1), substitutions=subs, row_cap=row_cap + 1)
    assert isinstance(probe.value, QuerySolutions)
    truncated = sum(1 for _ in probe.value) > row_cap
    result = sparql.run(store, wrapped + str(row_cap), substitutions=subs, row_cap=row_cap)
    return sparql.Result("select", result.value, truncated)
