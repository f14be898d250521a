"""Running compiled SHACL checks over a store: screened per shape, in threads.

A valid graph is the common case, so each shape's checks are first asked at
once, as one query over its targets with one test per check joined by ``||``:
the targets are enumerated once instead of once per check. Only a shape whose
screen finds focus nodes runs its checks one by one, to say which failed and
how. Grouped counts and SPARQL constraints always run on their own.

>>> from pyoxigraph import Store
>>> from kg.build.shacl_checks import Check
>>> s = Store()
>>> s.update('INSERT DATA { <http://e/t> a <http://e/T> }')
>>> check = Check("SELECT DISTINCT * WHERE { ?this a <http://e/T> "
...               "FILTER NOT EXISTS { ?this <http://e/year> ?y } }", "http://e/year",
...               "needs a year", "http://e/S", targets="?this a <http://e/T>",
...               screen="NOT EXISTS { ?this <http://e/year> ?y }")
>>> [str(v) for v in validate(s, [check])]
['Violation: <http://e/t> <http://e/year>: needs a year']
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from pyoxigraph import NamedNode, QuerySolutions, Store

from kg import settings
from kg.build.shacl_checks import Check
from kg.errors import Violation


def validate(
    store: Store, checks: list[Check], graphs: list[NamedNode] | None = None, workers: int = 1
) -> list[Violation]:
    """Run compiled checks over the union of the given graphs (default: all).

    With ``workers`` > 1 the shapes run in threads (Oxigraph evaluates queries
    without holding the GIL).
    """
    scope: dict[str, Any] = (
        {"default_graph": graphs} if graphs is not None else {"use_default_graph_as_union": True})

    def run(batch: list[Check]) -> list[Violation]:
        return _run_batch(store, batch, scope)

    with ThreadPoolExecutor(max(1, workers), thread_name_prefix="shacl") as pool:
        found = {v for vs in pool.map(run, list(_batches(checks))) for v in vs}
    return sorted(found, key=lambda v: (v.focus, v.path or "", v.message))


def _batches(checks: list[Check]) -> Iterator[list[Check]]:
    """Checks that share targets and can be screened together; the others alone."""
    screened: dict[str, list[Check]] = {}
    for check in checks:
        if check.screen is None or not check.targets:
            yield [check]
        else:
            screened.setdefault(check.targets, []).append(check)
    yield from screened.values()


def _run_batch(store: Store, batch: list[Check], scope: dict[str, Any]) -> list[Violation]:
    if len(batch) > 1:
        tests = " || ".join(f"({c.screen})" for c in batch)
        screen = f"SELECT ?this WHERE {{ {batch[0].targets} FILTER({tests}) }} LIMIT 1"
        if not list(_solutions(store, screen, scope)):
            return []
    return [v for check in batch for v in _run_check(store, check, scope)]


def _run_check(store: Store, check: Check, scope: dict[str, Any]) -> list[Violation]:
    rows = _solutions(store, check.query, scope)
    names = [v.value for v in rows.variables]
    out = []
    for row in itertools.islice(rows, settings.SHACL_MAX_RESULTS):
        message = _fill(check.message, {n: row[n] for n in names})
        focus = str(row["this"].value)
        out.append(Violation(focus, check.path, message, check.severity, check.shape))
    return out


def _solutions(store: Store, query: str, scope: dict[str, Any]) -> QuerySolutions:
    rows = store.query(query, **scope)
    assert isinstance(rows, QuerySolutions)
    return rows


def _fill(message: str, values: dict[str, object]) -> str:
    def value(match: re.Match[str]) -> str:
        return str(getattr(values.get(match.group(1)), "value", "?"))

    return re.sub(r"\{[?$](\w+)\}", value, message)
