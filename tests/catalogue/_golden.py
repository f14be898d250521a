"""Golden results: a query's rows as a set of N-Triples-formatted terms, in JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pyoxigraph import QuerySolutions

from kg.sparql import Result

GOLDEN_DIR = Path(__file__).resolve().parent.parent / "golden" / "queries"
REGENERATE = ".venv/bin/python -m pytest tests/catalogue --update-golden"

Row = tuple[str | None, ...]


def table(result: Result) -> tuple[list[str], list[Row]]:
    """The variables and rows of a SELECT result, each term as N-Triples (None if unbound)."""
    assert isinstance(result.value, QuerySolutions)
    names = [v.value for v in result.value.variables]
    rows = [tuple(None if row[n] is None else str(row[n]) for n in names) for row in result.value]
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
