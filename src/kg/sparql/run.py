"""The SPARQL service: guard, run and serialise queries over a store.

Everything decided about a query (its form, its SERVICE targets, the functions it calls,
its dataset, where a LIMIT goes) comes from reading it with the SPARQL grammar
(:mod:`kg.sparql.syntax`), never from a pattern over its text. Formats are named as
:mod:`kg.rdf.formats` says.

>>> from pyoxigraph import Store
>>> s = Store()
>>> s.update('INSERT DATA { <http://e/a> <http://e/p> 1 , 2 , 3 }')
>>> out = run(s, "SELECT ?o WHERE { ?s ?p ?o } ORDER BY ?o", row_cap=2)
>>> out.truncated, out.kind
(True, 'select')
>>> out.serialize("csv").decode().split()
['o', '1', '2']
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pyoxigraph import (
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    QueryTriples,
    Store,
    Variable,
    parse_query_results,
)

from kg import settings
from kg.errors import QueryError, UsageError
from kg.rdf.formats import rdf_format, results_format
from kg.sparql.syntax import Analysis, analyse, syntax_error, with_limit
from kg.vocab import XSD


@dataclass
class Result:
    """A query's outcome, ready to serialise."""

    kind: str  # select | ask | graph
    value: QuerySolutions | QueryBoolean | QueryTriples
    truncated: bool = False

    def serialize(self, fmt: str | None = None) -> bytes:
        """The result in a format named by name, extension or media type."""
        if isinstance(self.value, QueryTriples):
            out = self.value.serialize(format=rdf_format(fmt or "ttl"))
        else:
            out = self.value.serialize(format=results_format(fmt or "json"))
        return out or b""


def guard(query: str, allowed_services: frozenset[str] = frozenset(), *,
          allowed_functions: frozenset[str] | None = None, base: str | None = None) -> str:
    r"""Refuse queries that would hurt the process or reach another host: too long, too
    deep, too many operators, SERVICE to a target not allowed, and (``allowed_functions``
    given: an engine that may reach the network through vendor functions) any function
    that is not a SPARQL built-in, an XSD cast or allowed. Returns the query form.

    >>> guard("SELECT * WHERE { ?s ?p ?o }")
    'select'
    >>> guard(r"PREFIX e: <http://e/> SELECT * { ?s e:x\# ?o SERVICE <http://10.0.0.1/> {} }")
    Traceback (most recent call last):
      ...
    kg.errors.QueryError: SERVICE <http://10.0.0.1/> is not allowed; allowed: none
    >>> guard('PREFIX bif: <bif:> SELECT (bif:http_get("http://h/") AS ?x) {}',
    ...       allowed_functions=frozenset())
    Traceback (most recent call last):
      ...
    kg.errors.QueryError: function <bif:http_get> is not allowed here: SPARQL 1.1 built-ins ...
    """
    found = read(query, base)
    if found.kind == "update":
        raise QueryError("an update, not a query: send it as update= (POST, with the token)")
    refuse_services(found.services, allowed_services)
    if allowed_functions is not None:
        for iri in found.functions:
            if iri not in allowed_functions and not iri.startswith(XSD.base):
                raise QueryError(f"function <{iri}> is not allowed here: SPARQL 1.1 built-ins "
                                 "and XSD casts only")
    return found.kind


def read(text: str, base: str | None = None, what: str = "query") -> Analysis:
    """The text read with the SPARQL grammar, within the size, depth and operator caps."""
    if len(text) > settings.MAX_QUERY_CHARS:
        raise QueryError(f"{what} longer than {settings.MAX_QUERY_CHARS} characters")
    return analyse(text, base)  # refuses what is nested too deep or has too many operators


def refuse_services(targets: tuple[str, ...], allowed: frozenset[str]) -> None:
    """QueryError for the first SERVICE target not allowed (a variable never is)."""
    for target in targets:
        if target not in allowed:
            shown = ", ".join(sorted(allowed)) or "none"
            written = target if target.startswith(("?", "$")) else f"<{target}>"
            raise QueryError(f"SERVICE {written} is not allowed; allowed: {shown}")


def service_targets(query: str) -> tuple[str, ...]:
    """The targets of every SERVICE clause: absolute IRIs, or ``?variable``.

    >>> service_targets('SELECT ?service { ?s <http://e#p> ?o . SERVICE <http://x/> {} }')
    ('http://x/',)
    """
    return analyse(query).services


def run(
    store: Store,
    query: str,
    *,
    substitutions: dict[Variable, Any] | None = None,
    row_cap: int = settings.DEFAULT_ROW_CAP,
    allowed_services: frozenset[str] = frozenset(),
    default_graph: Any = None,
    named_graphs: Any = None,
    base: str | None = None,
) -> Result:
    """Guard and run a query. Its dataset: the one the request names (``default_graph``,
    ``named_graphs``), else the query's own FROM / FROM NAMED, else the union of the
    store's graphs as the default graph."""
    form = guard(query, allowed_services, base=base)
    options: dict[str, Any] = {"substitutions": substitutions}
    if base is not None:
        options["base_iri"] = base
    if default_graph is not None or named_graphs is not None:
        options |= {"default_graph": default_graph, "named_graphs": named_graphs}
    elif not analyse(query, base).dataset:
        options["use_default_graph_as_union"] = True
    limited = limiter(query, row_cap) if form == "select" else None
    if limited is None:
        value = _execute(store, query, options)
        kind = {QuerySolutions: "select", QueryBoolean: "ask"}.get(type(value), "graph")
        return Result(kind, value)
    return _capped(store, limited, row_cap, options)


def _capped(
    store: Store, limited: Callable[[int], str], row_cap: int, options: dict[str, Any]
) -> Result:
    """Run a SELECT once with LIMIT cap+1; re-run at the cap only when it overflowed.

    The rows are counted in their TSV form (one line each: a line break inside a literal
    is escaped), which is then read back as the answer: one serialisation and one parse in
    pyoxigraph, no Python object per row."""
    first = _execute(store, limited(row_cap + 1), options)
    data = first.serialize(format=QueryResultsFormat.TSV) or b""
    if _rows(data) <= row_cap:
        return Result("select", parse_query_results(data, QueryResultsFormat.TSV))
    return Result("select", _execute(store, limited(row_cap), options), True)


def _rows(tsv: bytes) -> int:
    """The rows of a SPARQL TSV answer (its lines after the header).

    >>> _rows(b'?a\\t?b\\n"x\\\\ny"\\t\\n\\t<http://e/>\\n')
    2
    """
    return max(0, tsv.count(b"\n") - 1)


def _execute(store: Store, query: str, options: dict[str, Any]) -> Any:
    try:
        return store.query(query, **options)
    except SyntaxError as exc:
        raise syntax_error(query, exc) from None
    except (OSError, RuntimeError, ValueError) as exc:
        raise QueryError(f"query failed: {exc}") from None


def limiter(query: str, row_cap: int) -> Callable[[int], str] | None:
    """A function giving the SELECT limited to n rows (its outermost LIMIT set or added,
    before a trailing VALUES); None when its own LIMIT suffices.

    >>> limiter("SELECT * { ?s ?p ?o } LIMIT 5", 10) is None
    True
    >>> limiter("SELECT * { ?s ?p ?o } LIMIT 50 OFFSET 2", 10)(11)
    'SELECT * { ?s ?p ?o } LIMIT 11 OFFSET 2'
    >>> limiter("SELECT * { ?s ?p ?o } ORDER BY ?s", 10)(11)
    'SELECT * { ?s ?p ?o } ORDER BY ?s LIMIT 11'
    """
    own = analyse(query).outer_limit
    if own is not None and own.value <= row_cap:
        return None
    return lambda n: with_limit(query, n)


def guard_update(text: str, base: str | None = None) -> str:
    r"""Refuse updates that reach outside the store (LOAD, SERVICE) or are too big.

    >>> guard_update("LOAD <http://10.0.0.1/x.ttl>")
    Traceback (most recent call last):
      ...
    kg.errors.UsageError: LOAD and SERVICE are not allowed in updates
    >>> guard_update(r"PREFIX e: <http://e/> INSERT { ?s e:x\# ?o } "
    ...              "WHERE { SERVICE <http://h/> {} }")
    Traceback (most recent call last):
      ...
    kg.errors.UsageError: LOAD and SERVICE are not allowed in updates
    """
    try:
        found = read(text, base, "update")
    except QueryError as exc:
        raise UsageError(str(exc)) from None
    if found.kind != "update":
        raise UsageError(f"a {found.kind} query, not an update: send it as query=")
    if found.loads or found.services:
        raise UsageError("LOAD and SERVICE are not allowed in updates")
    return text
