"""One way to answer a packaged question, whoever asks and wherever the data live.

The CLI (``kg query``, locally or ``--endpoint``), the server's workers (a build) and
its backend threads (``kg serve --backend``) all call :func:`answer` with a
:class:`kg.sparql.Queryable`: parameters are checked and bound against that
target's graph; a federated question has its SERVICE blocks answered first
(:func:`kg.remote.federation.resolve`: allow-listed targets only, with a timeout);
then one page of the answer, or every row up to the row cap.

>>> from pyoxigraph import Store
>>> result = answer(Store(), "plans-timeline", {})
>>> result.kind, result.truncated
('select', False)
>>> answer(Store(), "plans-timeline", {"lang": "fr"})
Traceback (most recent call last):
  ...
kg.errors.UsageError: parameter 'lang': expected one of zh, en, got 'fr'
>>> page = answer(Store(), "plans-timeline", {}, page=Page(size=10))
>>> page.truncated, page.next_page
(False, None)
>>> answer(Store(), "wikidata-region-labels", {}, allowed_services=frozenset())
Traceback (most recent call last):
  ...
kg.errors.QueryError: SERVICE <https://query.wikidata.org/sparql> is not allowed; allowed: none
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from pyoxigraph import Store

from kg import settings
from kg.catalogue import evidence as facts
from kg.catalogue.paging import Page
from kg.catalogue.query import StoredQuery
from kg.catalogue.registry import Catalogue, default_catalogue
from kg.catalogue.services import service_params
from kg.errors import UsageError
from kg.sparql import Queryable, Result, queryable
from kg.sparql.syntax import tokenize


def answer(
    target: Store | Queryable,
    question: str | StoredQuery,
    raw_params: Mapping[str, str],
    *,
    page: Page | None = None,
    row_cap: int = settings.DEFAULT_ROW_CAP,
    allowed_services: frozenset[str] = settings.ALLOWED_SERVICES,
    timeout: float = settings.REMOTE_TIMEOUT_S,
    catalogue: Catalogue | None = None,
    evidence: bool = False,
) -> Result:
    """A packaged question's answer on ``target`` (a store, a build, an endpoint).

    With a ``page``, the rows of that page only (a :class:`~kg.catalogue.paging.Paged`
    result, ``truncated`` when more rows follow); without, every row up to the row cap.
    Federated questions are not paged; their SERVICE targets must be in
    ``allowed_services`` (never widened by a parameter) and answer within ``timeout``.
    With ``evidence``, each row also carries the facts it rests on, their quotes and
    the spans of the source that hold them (:mod:`kg.catalogue.evidence`).
    """
    on = queryable(target)
    query = question if isinstance(question, StoredQuery) else (
        catalogue or default_catalogue()).get(question)
    params = dict(raw_params)
    if query.federated:
        query, params = federated(query, params, allowed_services, timeout)
        page = None
    bindings = query.bind(params, on)
    query = query.filled(params, on)
    if page is None:
        result = on.run(query.text, substitutions=bindings, row_cap=row_cap)
    else:
        page = page.capped(row_cap)
        result = page.cut(on.run(page.query(query).text,
                                 substitutions={**bindings, **page.substitutions()},
                                 row_cap=page.size + 1), query)
    if not evidence or not query.evidence:
        return result
    return facts.attach(on, query, result, language(query, params))


def language(query: StoredQuery, params: Mapping[str, str]) -> str:
    """The language the answer's labels are asked in (its ``lang`` parameter), else English.

    >>> language(default_catalogue().get("region-sectors"), {"lang": "zh"})
    'zh'
    """
    for param in query.params:
        if param.type == "lang":
            return params.get(param.name) or param.default or "en"
    return "en"


def federated(query: StoredQuery, raw_params: Mapping[str, str], allowed: frozenset[str],
              timeout: float) -> tuple[StoredQuery, dict[str, str]]:
    """The question with its SERVICE blocks answered, and the parameters left for the rest.

    Only the parameters naming a SERVICE target are bound here (type iri, no graph
    needed); the others are bound by whatever runs the rest.
    """
    from kg.remote.federation import resolve  # HTTP clients, for these questions only

    declared = [p.name for p in query.params]
    unknown = sorted(set(raw_params) - set(declared))
    if unknown:
        raise UsageError(f"query {query.name!r} has no parameter "
                         f"{', '.join(map(repr, unknown))}; declared: {', '.join(declared)}")
    targets = service_params(query)
    head = dataclasses.replace(query, params=tuple(p for p in query.params if p.name in targets))
    bindings = head.bind({k: v for k, v in raw_params.items() if k in targets}, Store())
    text = resolve(query.text, bindings, allowed, timeout)
    used = {tok.text[1:] for tok in tokenize(text) if tok.sym == "var"}
    params = tuple(p for p in query.params if p.name in used and p.name not in targets)
    kept = {k: v for k, v in raw_params.items() if k in {p.name for p in params}}
    return dataclasses.replace(query, text=text, params=params), kept
