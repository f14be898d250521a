"""The SPARQL service: guard, run and serialise queries over a store.

Formats are named as :mod:`kg.rdf.formats` says (pyoxigraph's, with the project's
aliases).

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

import re
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

_PROLOGUE = re.compile(
    r"\A(?:\s+|#[^\n]*\n|BASE\s*<[^>]*>|PREFIX\s+[\w.-]*:\s*<[^>]*>)*", re.IGNORECASE
)
_FORM = re.compile(r"\A\s*(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)
_DATASET_CLAUSE = re.compile(r"\bFROM\s+(NAMED\s+)?<", re.IGNORECASE)
_SERVICE = re.compile(r"(?<![?$\w])SERVICE\b", re.IGNORECASE)
_TARGET = re.compile(r"\s*(?:SILENT\b\s*)?(<[^<>\s]*>|[?$]\w+|[\w.-]*:[\w.-]*|\S*)", re.I)
_OPERATOR = re.compile(
    r"\|\||&&|[!|/^*+\-=<>.,;]|\b(?:UNION|OPTIONAL|MINUS|FILTER|BIND)\b", re.IGNORECASE
)
_MASKED = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""' r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|<[^<>"{}|^`\\\s]*>|"(?:[^"\\\n]|\\.)*"' r"|'(?:[^'\\\n]|\\.)*'|#[^\n]*",
)


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


def guard(query: str, allowed_services: frozenset[str] = frozenset()) -> str:
    """Reject queries that would hurt the process: too long, too deep, SSRF.

    Returns the query form (select, ask, construct, describe).

    >>> guard("SELECT * WHERE { ?s ?p ?o }")
    'select'
    >>> guard("SELECT * WHERE { SERVICE <http://10.0.0.1/> { ?s ?p ?o } }")
    Traceback (most recent call last):
      ...
    kg.errors.QueryError: SERVICE <http://10.0.0.1/> is not allowed; allowed: none
    """
    if len(query) > settings.MAX_QUERY_CHARS:
        raise QueryError(f"query longer than {settings.MAX_QUERY_CHARS} characters")
    if nesting(query) > settings.MAX_NESTING:
        raise QueryError(f"query nested deeper than {settings.MAX_NESTING} levels")
    if operators(query) > settings.MAX_OPERATORS:
        raise QueryError(f"query has more than {settings.MAX_OPERATORS} operators and "
                         "separators (a long list belongs in VALUES)")
    for target in service_targets(query):
        if target.strip("<>") not in allowed_services:
            allowed = ", ".join(sorted(allowed_services)) or "none"
            raise QueryError(f"SERVICE {target} is not allowed; allowed: {allowed}")
    match = _FORM.match(query[_PROLOGUE.match(query).end():])  # type: ignore[union-attr]
    if match is None:
        raise QueryError("not a SPARQL query: expected SELECT, ASK, CONSTRUCT or DESCRIBE")
    return match.group(1).lower()


def mask(query: str) -> str:
    """The query with strings, IRIs and comments blanked out, offsets kept.

    >>> mask('SELECT * { ?s <http://e#p> "}" } # {').replace(" ", "_")
    'SELECT_*_{_?s__________________}____'
    """
    return _MASKED.sub(lambda m: " " * len(m.group(0)), query)


def service_targets(query: str) -> list[str]:
    """The targets of every SERVICE clause, as written (IRI, prefixed name or variable).

    >>> service_targets('SELECT ?service { ?s <http://e#p> ?o . SERVICE <http://x/> {} }')
    ['<http://x/>']
    """
    out = []
    for match in _SERVICE.finditer(mask(query)):
        target = _TARGET.match(query, match.end())
        out.append(target.group(1) if target else "")
    return out


def nesting(query: str) -> int:
    """The deepest bracket nesting, outside strings and IRIs.

    >>> nesting("SELECT * { { ?s ?p ?o } FILTER(1 = (2)) }")
    3
    """
    depth = deepest = 0
    for ch in mask(query):
        if ch in "{(":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "})":
            depth -= 1
    return deepest


def operators(query: str) -> int:
    """Operators, separators and pattern keywords outside strings, IRIs and comments.

    Each may add a level to the tree pyoxigraph builds and walks recursively: a
    query of a few thousand (``!!!!…``, ``1+1+…``, ``MINUS {…} MINUS {…} …``)
    overflows the stack and kills the process, so :func:`guard` caps them.

    >>> operators('SELECT * { ?s ?p "a.b" . FILTER(!(?o > 1 || ?o < -1)) }')
    8
    """
    return len(_OPERATOR.findall(mask(query)))


def run(
    store: Store,
    query: str,
    *,
    substitutions: dict[Variable, Any] | None = None,
    row_cap: int = settings.DEFAULT_ROW_CAP,
    allowed_services: frozenset[str] = frozenset(),
    default_graph: Any = None,
    named_graphs: Any = None,
) -> Result:
    """Guard and run a query over the union of the store's graphs (or a given dataset)."""
    form = guard(query, allowed_services)
    options = {
        "use_default_graph_as_union": default_graph is None,
        "default_graph": default_graph,
        "named_graphs": named_graphs,
        "substitutions": substitutions,
    }
    limited = limiter(query, row_cap) if form == "select" else None
    if limited is None:
        value = _execute(store, query, options)
        kind = {QuerySolutions: "select", QueryBoolean: "ask"}.get(type(value), "graph")
        return Result(kind, value)
    return _capped(store, limited, row_cap, options)


def _capped(
    store: Store, limited: Callable[[int], str], row_cap: int, options: dict[str, Any]
) -> Result:
    """Run a SELECT once with LIMIT cap+1; re-run at the cap only when it overflowed."""
    first = _execute(store, limited(row_cap + 1), options)
    data = first.serialize(format=QueryResultsFormat.JSON)
    if _rows(data) <= row_cap:
        return Result("select", parse_query_results(data, QueryResultsFormat.JSON))
    return Result("select", _execute(store, limited(row_cap), options), True)


def _rows(data: bytes) -> int:
    parsed = parse_query_results(data, QueryResultsFormat.JSON)
    assert isinstance(parsed, QuerySolutions)
    return len(list(parsed))


def _execute(store: Store, query: str, options: dict[str, Any]) -> Any:
    try:
        return store.query(query, **options)
    except SyntaxError as exc:
        raise QueryError(f"SPARQL syntax error: {exc.msg or exc}") from None
    except (OSError, RuntimeError, ValueError) as exc:
        raise QueryError(f"query failed: {exc}") from None


_OWN_LIMIT = re.compile(r"\bLIMIT\s+(\d+)(?:\s+OFFSET\s+\d+)?\s*$", re.IGNORECASE)
_TRAILING_VALUES = re.compile(r"\bVALUES\b[^{}]*\{[^{}]*\}\s*$", re.IGNORECASE)


def limiter(query: str, row_cap: int) -> Callable[[int], str] | None:
    """A function giving the query limited to n rows; None when its own LIMIT suffices.

    >>> limiter("SELECT * { ?s ?p ?o } LIMIT 5", 10) is None
    True
    >>> limiter("SELECT * { ?s ?p ?o } LIMIT 50 OFFSET 2", 10)(11)
    'SELECT * { ?s ?p ?o } LIMIT 11 OFFSET 2'
    >>> limiter("SELECT * { ?s ?p ?o } ORDER BY ?s", 10)(11).split()[-2:]
    ['LIMIT', '11']
    """
    masked = mask(query).rstrip()
    own = _OWN_LIMIT.search(masked)
    if own is not None:
        if int(own.group(1)) <= row_cap:
            return None
        return lambda n: query[: own.start(1)] + str(n) + query[own.end(1) :]
    if _TRAILING_VALUES.search(masked):
        parts = _split(query)
        if parts is None:
            return None
        prologue, body = parts
        return lambda n: f"{prologue}SELECT * WHERE {{ {body}\n}} LIMIT {n}"
    return lambda n: f"{query}\nLIMIT {n}"


def _split(query: str) -> tuple[str, str] | None:
    """(prologue, rest) of a query, or None when FROM clauses forbid a sub-select."""
    split = _PROLOGUE.match(query).end()  # type: ignore[union-attr]
    body = query[split:]
    if _DATASET_CLAUSE.search(mask(body)):
        return None
    return query[:split] + "\n", body


def guard_update(text: str) -> str:
    """Refuse updates that reach outside the store (LOAD, SERVICE) or are too big.

    >>> guard_update("LOAD <http://10.0.0.1/x.ttl>")
    Traceback (most recent call last):
      ...
    kg.errors.UsageError: LOAD and SERVICE are not allowed in updates
    """
    if len(text) > settings.MAX_QUERY_CHARS:
        raise UsageError(f"update longer than {settings.MAX_QUERY_CHARS} characters")
    if nesting(text) > settings.MAX_NESTING:
        raise UsageError(f"update nested deeper than {settings.MAX_NESTING} levels")
    if operators(_without_data(text)) > settings.MAX_OPERATORS:
        raise UsageError(f"update has more than {settings.MAX_OPERATORS} operators and "
                         "separators outside its DATA blocks")
    bare = re.sub(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|<[^>\s]*>|#[^\n]*', " ", text)
    if re.search(r"\b(LOAD|SERVICE)\b", bare, re.IGNORECASE):
        raise UsageError("LOAD and SERVICE are not allowed in updates")
    return text


_DATA = re.compile(r"\b(?:INSERT|DELETE)\s+DATA\s*\{", re.IGNORECASE)


def _without_data(text: str) -> str:
    """The update without its INSERT DATA / DELETE DATA blocks (flat lists of quads).

    >>> _without_data("INSERT DATA { <a> <b> 1 , 2 . GRAPH <g> { <a> <b> 3 } } ; CLEAR ALL")
    '  ; CLEAR ALL'
    """
    masked, out, at = mask(text), [], 0
    for match in _DATA.finditer(masked):
        if match.start() < at:
            continue
        out.append(text[at:match.start()])
        depth, at = 1, match.end()
        while at < len(masked) and depth:
            depth += {"{": 1, "}": -1}.get(masked[at], 0)
            at += 1
    return " ".join([*out, text[at:]])
