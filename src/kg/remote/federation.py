"""Federated queries: SERVICE blocks answered with a timeout, then joined where the rest runs.

pyoxigraph's own SERVICE has no timeout (a remote that accepts and never
answers hangs the query), so each ``SERVICE <iri> { … }`` or ``SERVICE ?param
{ … }`` block is sent here, through :class:`kg.remote.RemoteEndpoint` (timeout,
size cap, :class:`~kg.errors.RemoteError`), as ``SELECT * WHERE { … }``; its
answer replaces the block as a ``VALUES`` table and the rest runs locally
or on a remote endpoint (:func:`kg.catalogue.answer`). The target must be
on the allow-list (:data:`kg.settings.ALLOWED_SERVICES` by default, widened
only by the caller's own configuration, never by a query parameter); a
``service`` parameter of type iri lets tests point the query at a local
server. ``SERVICE SILENT`` turns a failure into no constraint, as SPARQL says.

The queries are the catalogue's questions tagged ``federated``
(:mod:`kg.catalogue.services` checks them when the catalogue loads).

>>> resolve("SELECT * { SERVICE <http://10.0.0.1/> { ?s ?p ?o } }", {}, frozenset(), 1.0)
Traceback (most recent call last):
  ...
kg.errors.QueryError: SERVICE <http://10.0.0.1/> is not allowed; allowed: none
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pyoxigraph import BlankNode, QuerySolutions, Variable

from kg import settings
from kg.errors import QueryError, RemoteError
from kg.remote.bind import closing
from kg.remote.endpoint import RemoteEndpoint, parse_results
from kg.sparql import mask

_SERVICE = re.compile(r"(?<![?$\w])SERVICE\s+(SILENT\s+)?", re.IGNORECASE)
_VAR = re.compile(r"[?$]([A-Za-z_][A-Za-z0-9_]*)")
_PREFIX = re.compile(r"(?:PREFIX\s+[\w.-]*:\s*<[^>]*>|BASE\s*<[^>]*>)", re.IGNORECASE)


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
