"""Federated packaged queries: SERVICE blocks answered with a timeout, then joined locally.

pyoxigraph's own SERVICE has no timeout (a remote that accepts and never
answers hangs the query), so each ``SERVICE <iri> { … }`` or ``SERVICE ?param
{ … }`` block is sent here, through :class:`kg.remote.RemoteEndpoint` (timeout,
size cap, :class:`~kg.errors.RemoteError`), as ``SELECT * WHERE { … }``; its
answer replaces the block as a ``VALUES`` table and the rest runs locally
(:func:`run`) or on a remote endpoint (:func:`run_remote`). The target must be
on the allow-list (:data:`kg.settings.ALLOWED_SERVICES` by default, widened
only by the caller's own configuration, never by a query parameter); a
``service`` parameter of type iri lets tests point the query at a local
server. ``SERVICE SILENT`` turns a failure into no constraint, as SPARQL says.

The queries are the catalogue's questions tagged ``federated``
(:mod:`kg.catalogue.services` checks them when the catalogue loads).

>>> names = sorted(load())
>>> names
['wikidata-region-labels', 'wikidata-sector-labels']
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pyoxigraph import BlankNode, QuerySolutions, Store, Variable

from kg import settings, sparql
from kg.catalogue import Catalogue, StoredQuery, run_stored
from kg.catalogue.services import service_params
from kg.errors import NotFoundError, QueryError, RemoteError, UsageError
from kg.remote import endpoint as remote
from kg.remote.endpoint import RemoteEndpoint, closing, parse_results
from kg.sparql import mask

_SERVICE = re.compile(r"(?<![?$\w])SERVICE\s+(SILENT\s+)?", re.IGNORECASE)
_VAR = re.compile(r"[?$]([A-Za-z_][A-Za-z0-9_]*)")
_PREFIX = re.compile(r"(?:PREFIX\s+[\w.-]*:\s*<[^>]*>|BASE\s*<[^>]*>)", re.IGNORECASE)


def load(folder: Path | None = None) -> dict[str, StoredQuery]:
    """The federated questions of the catalogue, by name."""
    return {q.name: q for q in Catalogue.load(folder).queries() if q.federated}


def get(name: str, folder: Path | None = None) -> StoredQuery:
    """One federated query by name; NotFoundError lists them.

    >>> get("nope")
    Traceback (most recent call last):
      ...
    kg.errors.NotFoundError: no federated query 'nope'; available: wikidata-region-labels, ..."""
    queries = load(folder)
    if name not in queries:
        raise NotFoundError(f"no federated query {name!r}; available: {', '.join(queries)}")
    return queries[name]


def run(store: Store, query: StoredQuery, raw_params: Mapping[str, str], *,
        allowed_services: frozenset[str] = settings.ALLOWED_SERVICES,
        timeout: float = settings.REMOTE_TIMEOUT_S,
        row_cap: int = settings.DEFAULT_ROW_CAP) -> sparql.Result:
    """Run a federated packaged query: remote blocks first (bounded), then the local rest.

    >>> from pyoxigraph import Store
    >>> run(Store(), get("wikidata-region-labels"), {"service": "http://127.0.0.1:9/sparql"})
    Traceback (most recent call last):
      ...
    kg.errors.QueryError: SERVICE <http://127.0.0.1:9/sparql> is not allowed; allowed: ..."""
    local, kept = prepare(query, raw_params, allowed_services=allowed_services, timeout=timeout)
    return run_stored(store, local, kept, row_cap=row_cap)


def run_remote(endpoint: RemoteEndpoint, query: StoredQuery, raw_params: Mapping[str, str], *,
               allowed_services: frozenset[str] = settings.ALLOWED_SERVICES,
               timeout: float = settings.REMOTE_TIMEOUT_S) -> sparql.Result:
    """Like :func:`run`, the rest of the query running on a remote endpoint.

    >>> down = RemoteEndpoint("http://127.0.0.1:9/sparql", timeout=1)
    >>> run_remote(down, get("wikidata-sector-labels"), {"colour": "red"})
    Traceback (most recent call last):
      ...
    kg.errors.UsageError: query 'wikidata-sector-labels' has no parameter 'colour'; ..."""
    local, kept = prepare(query, raw_params, allowed_services=allowed_services, timeout=timeout)
    return remote.run_stored(endpoint, local, kept)


def prepare(query: StoredQuery, raw_params: Mapping[str, str], *,
            allowed_services: frozenset[str] = settings.ALLOWED_SERVICES,
            timeout: float = settings.REMOTE_TIMEOUT_S) -> tuple[StoredQuery, dict[str, str]]:
    """The query with its SERVICE blocks answered, and the parameters left for the rest.

    Only the parameters naming a SERVICE target are bound here (type iri, no store
    needed); the others are bound by whatever runs the rest.
    """
    declared = [p.name for p in query.params]
    unknown = sorted(set(raw_params) - set(declared))
    if unknown:
        raise UsageError(f"query {query.name!r} has no parameter "
                         f"{', '.join(map(repr, unknown))}; declared: {', '.join(declared)}")
    targets = service_params(query)
    head = dataclasses.replace(query, params=tuple(p for p in query.params if p.name in targets))
    bindings = head.bind({k: v for k, v in raw_params.items() if k in targets}, Store())
    text = resolve(query.text, bindings, allowed_services, timeout)
    used = set(_VAR.findall(mask(text)))
    params = tuple(p for p in query.params if p.name in used and p.name not in targets)
    kept = {k: v for k, v in raw_params.items() if k in {p.name for p in params}}
    return dataclasses.replace(query, text=text, params=params), kept


def resolve(text: str, bindings: Mapping[Variable, Any], allowed: frozenset[str],
            timeout: float) -> str:
    """The query with every SERVICE block replaced by its remote answer as VALUES.

    >>> resolve("SELECT * WHERE { ?service ?p ?o }", {}, frozenset(), 1.0)
    'SELECT * WHERE { ?service ?p ?o }'"""
    masked = mask(text)
    blocks = list(_SERVICE.finditer(masked))
    for found in reversed(blocks):  # from the end, so earlier offsets stay valid
        match = _SERVICE.match(text, found.start())  # on the text: IRIs are blank in masked
        assert match is not None
        target, after = _target(text, match.end(), bindings)
        if target not in allowed:
            shown = ", ".join(sorted(allowed)) or "none"
            raise QueryError(f"SERVICE <{target}> is not allowed; allowed: {shown}")
        opening = masked.index("{", after)
        end = closing(masked, opening)
        inner = text[opening + 1:end]
        if _SERVICE.search(mask(inner)):
            raise QueryError("nested SERVICE blocks are not supported")
        table = _answer(target, _remote_query(text, inner), bool(match.group(1)), timeout)
        text = text[:match.start()] + "{ " + table + " }" + text[end + 1:]
    return text


def _target(text: str, pos: int, bindings: Mapping[Variable, Any]) -> tuple[str, int]:
    if text.startswith("<", pos):
        end = text.index(">", pos)
        return text[pos + 1:end], end + 1
    var = _VAR.match(text, pos)
    if var is None:
        raise QueryError("SERVICE needs an IRI or a parameter variable")
    value = bindings.get(Variable(var.group(1)))
    if value is None or type(value).__name__ != "NamedNode":
        raise QueryError(f"SERVICE ?{var.group(1)} needs an IRI parameter")
    return str(value.value), var.end()


def _remote_query(text: str, inner: str) -> str:
    prologue = "\n".join(_PREFIX.findall(text[:_first_form(text)]))
    return f"{prologue}\nSELECT * WHERE {{{inner}}}"


def _first_form(text: str) -> int:
    found = re.search(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", mask(text), re.IGNORECASE)
    return found.start() if found else 0


def _answer(target: str, query: str, silent: bool, timeout: float) -> str:
    try:
        data = RemoteEndpoint(target, timeout=timeout).query(query)
        solutions = parse_results(data, target)
    except RemoteError:
        if silent:
            return ""
        raise
    if not isinstance(solutions, QuerySolutions):
        raise RemoteError(f"{target}: expected SELECT results")
    return values_table(solutions)


def values_table(solutions: QuerySolutions) -> str:
    """A VALUES table from solutions (unbound values and blank nodes become UNDEF).

    >>> data = (b'{"head": {"vars": ["x", "y"]}, "results": {"bindings": ['
    ...         b'{"x": {"type": "uri", "value": "http://e/a"}}]}}')
    >>> values_table(parse_results(data, "http://e/"))
    'VALUES (?x ?y) { (<http://e/a> UNDEF) }'"""
    names = list(solutions.variables)
    if not names:
        return ""
    rows = [" ".join(_cell(row[v]) for v in names) for row in solutions]
    table = f"VALUES ({' '.join(str(v) for v in names)}) {{ " + " ".join(
        f"({r})" for r in rows) + " }"
    if len(table) > settings.MAX_QUERY_CHARS // 2:
        raise RemoteError(f"remote answer too large to join here ({len(rows)} rows)")
    return table


def _cell(term: Any) -> str:
    return "UNDEF" if term is None or isinstance(term, BlankNode) else str(term)
