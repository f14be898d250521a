"""Bound terms written into a query for an endpoint that cannot take substitutions.

A packaged query's validated parameters (pyoxigraph terms, never raw user text) go
into the text in their N-Triples form (``str(term)``).

>>> from pyoxigraph import Variable, Literal, NamedNode
>>> print(with_values("SELECT ?year WHERE { ?p <http://e/y> ?year }",
...                   {Variable("year"): Literal("2025")}))
SELECT ?year WHERE {  VALUES (?year) { ("2025") } ?p <http://e/y> ?year }
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pyoxigraph import Variable

from kg import sparql
from kg.errors import QueryError


def where_brace(query: str) -> int:
    """Offset just after the ``{`` that opens the query's outermost WHERE group.

    >>> q = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    >>> q[where_brace(q):]
    ' ?s ?p ?o }'"""
    masked = sparql.mask(query)
    start = re.search(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", masked, re.IGNORECASE)
    if start is None:
        raise QueryError("not a SPARQL query: expected SELECT, ASK, CONSTRUCT or DESCRIBE")
    pos = start.end()
    if start.group(1).upper() == "CONSTRUCT" and not re.match(r"\s*WHERE\b", masked[pos:], re.I):
        pos = closing(masked, masked.index("{", pos)) + 1
    brace = masked.find("{", pos)
    if brace < 0:
        raise QueryError("the query has no WHERE group to bind parameters in")
    return brace + 1


def closing(masked: str, opening: int) -> int:
    """The offset of the brace that closes the one at ``opening``.

    >>> closing("{ { } } {", 0)
    6"""
    depth = 0
    for i in range(opening, len(masked)):
        depth += {"{": 1, "}": -1}.get(masked[i], 0)
        if depth == 0:
            return i
    raise QueryError("unbalanced braces in the query")


def values_block(bindings: Mapping[Variable, Any]) -> str:
    """A one-row VALUES block from bound pyoxigraph terms (their N-Triples form).

    >>> from pyoxigraph import Literal, NamedNode
    >>> values_block({Variable("r"): NamedNode("http://e/r"), Variable("y"): Literal("2025")})
    'VALUES (?r ?y) { (<http://e/r> "2025") }'"""
    names = " ".join(str(v) for v in bindings)
    terms = " ".join(str(t) for t in bindings.values())
    return f"VALUES ({names}) {{ ({terms}) }}"


def with_values(query: str, bindings: Mapping[Variable, Any]) -> str:
    """The query with its bindings as a VALUES block opening every group of its WHERE clause.

    One block per group, not one at the top: under SPARQL's bottom-up evaluation a FILTER
    inside a nested OPTIONAL would not see a top-level binding, whereas a substitution binds
    the variable everywhere. Inline-data blocks and sub-SELECT braces are left alone.
    """
    if not bindings:
        return query
    block = " " + values_block(bindings) + " "
    masked = sparql.mask(query)
    start = where_brace(query) - 1
    spots = [i + 1 for i in range(start, len(masked)) if masked[i] == "{"
             and not _SUBSELECT.match(masked, i + 1) and not _DATA_BLOCK.search(masked[:i])]
    for at in reversed(spots):
        query = query[:at] + block + query[at:]
    return query


_SUBSELECT = re.compile(r"\s*SELECT\b", re.IGNORECASE)
_DATA_BLOCK = re.compile(r"\bVALUES\s+(?:[?$]\w+|\((?:\s*[?$]\w+)*\s*\))\s*$", re.IGNORECASE)
