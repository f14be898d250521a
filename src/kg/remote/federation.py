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

from collections.abc import Mapping
from typing import Any

from pyoxigraph import BlankNode, QuerySolutions, Variable

from kg import settings
from kg.errors import QueryError, RemoteError
from kg.remote.endpoint import RemoteEndpoint, parse_results
from kg.sparql.syntax import Token, analyse, tokenize


def resolve(text: str, bindings: Mapping[Variable, Any], allowed: frozenset[str],
            timeout: float) -> str:
    """The query with every SERVICE block replaced by its remote answer as VALUES.

    >>> resolve("SELECT * WHERE { ?service ?p ?o }", {}, frozenset(), 1.0)
    'SELECT * WHERE { ?service ?p ?o }'"""
    tokens = tokenize(text)
    targets = iter(analyse(text).services)  # resolved IRIs, in the order of the blocks
    blocks = []
    for i, tok in enumerate(tokens):
        if tok.sym == "SERVICE":
            blocks.append(_block(tokens, i, _target(next(targets), bindings)))
    prologue = text[:next((t.start for t in tokens if t.sym in _FORMS), 0)]
    for start, target, silent, opening, end in reversed(blocks):  # earlier offsets stay
        if target not in allowed:
            shown = ", ".join(sorted(allowed)) or "none"
            raise QueryError(f"SERVICE <{target}> is not allowed; allowed: {shown}")
        inner = text[tokens[opening].end:tokens[end].start]
        query = f"{prologue}\nSELECT * WHERE {{{inner}}}"
        table = _answer(target, query, silent, timeout)
        text = text[:start] + "{ " + table + " }" + text[tokens[end].end:]
    return text


_FORMS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})


def _block(tokens: list[Token], at: int, target: str) -> tuple[int, str, bool, int, int]:
    """(start offset, target, SILENT?, index of its ``{``, index of its ``}``) of the SERVICE
    block whose keyword is token ``at``."""
    silent = tokens[at + 1].sym == "SILENT"
    opening = at + (3 if silent else 2)
    depth = 0
    for end in range(opening, len(tokens)):
        depth += {"{": 1, "}": -1}.get(tokens[end].sym, 0)
        if tokens[end].sym == "SERVICE" and end != at:
            raise QueryError("nested SERVICE blocks are not supported")
        if depth == 0:
            return tokens[at].start, target, silent, opening, end
    raise QueryError("unbalanced braces in the query")


def _target(target: str, bindings: Mapping[Variable, Any]) -> str:
    """A SERVICE target as an IRI: itself, or the IRI a parameter variable is bound to."""
    if not target.startswith(("?", "$")):
        return target
    value = bindings.get(Variable(target[1:]))
    if value is None or type(value).__name__ != "NamedNode":
        raise QueryError(f"SERVICE {target} needs an IRI parameter")
    return str(value.value)


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
