"""Golden results: a query's rows as a set of N-Triples-formatted terms, in JSON."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from pyoxigraph import QuerySolutions

from kg.sparql import Result

GOLDEN_DIR = Path(__file__).resolve().parent.parent / "golden" / "queries"
REGENERATE = ".venv/bin/python -m pytest tests/catalogue --update-golden"

Row = tuple[str | None, ...]
# GROUP_CONCAT joins in evaluation order, which SPARQL leaves open: compare the parts as sets.
SEPARATORS = ("、", " | ", " / ", ", ")
_LITERAL = re.compile(r'^"(.*)"((?:@[\w-]+|\^\^<[^>]+>)?)$', re.S)


def normalise(term: str | None) -> str | None:
    """A term in N-Triples form, with the parts of a joined literal sorted."""
    match = _LITERAL.match(term or "")
    if term is None or match is None:
        return term
    value, suffix = match.groups()
    for sep in SEPARATORS:
        if sep in value:
            value = sep.join(sorted(value.split(sep)))
            break
    return f'"{value}"{suffix}'


_JOINED = re.compile(r"GROUP_CONCAT\s*\((?:[^()]|\([^()]*\))*\)"
                     r"(?:\s*,\s*\"[^\"]*\"\s*,\s*\"[^\"]*\"\s*\))?\s*AS\s+\?(\w+)", re.I)


def joined_columns(query_text: str) -> set[str]:
    """The columns a query fills with GROUP_CONCAT, alone or inside a REPLACE of its
    separator (``REPLACE(GROUP_CONCAT(…; separator="\\t"), "\\t", "、") AS ?x``)."""
    return set(_JOINED.findall(query_text))


def table(result: Result, joined: set[str] = frozenset()) -> tuple[list[str], list[Row]]:
    """The variables and rows of a SELECT result, each term as N-Triples (None if unbound).

    Cells of ``joined`` columns have their parts sorted (see :func:`normalise`).
    """
    assert isinstance(result.value, QuerySolutions)
    names = [v.value for v in result.value.variables]
    rows = []
    for row in result.value:
        cells = [None if row[n] is None else str(row[n]) for n in names]
        rows.append(tuple(normalise(c) if n in joined else c for n, c in zip(names, cells, strict=True)))
    return names, rows


def path(case: str) -> Path:
    return GOLDEN_DIR / f"{case}.json"


def write(case: str, query: str, params: dict[str, str], names: list[str], rows: list[Row]) -> None:
    data: dict[str, Any] = {
        "query": query,
        "params": params,
        "variables": names,
        "rows": sorted(rows, key=lambda r: tuple(x or "" for x in r)),
    }
    path(case).write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", "utf-8")


def read(case: str) -> tuple[list[str], set[Row]]:
    data = json.loads(path(case).read_text("utf-8"))
    return data["variables"], {tuple(row) for row in data["rows"]}
