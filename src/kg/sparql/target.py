"""What a query runs on: anything with :meth:`Queryable.run` — a build's store
(:class:`Local`) or another SPARQL endpoint (:class:`kg.remote.endpoint.RemoteEndpoint`).

Callers above this layer (the catalogue, the engine) name a target, never a kind of
store, so a packaged question is answered by one code path wherever the data live.

>>> from pyoxigraph import Store, Variable, Literal
>>> s = Store()
>>> s.update('INSERT DATA { <http://e/a> <http://e/p> "x" }')
>>> out = queryable(s).run("SELECT ?o WHERE { ?s ?p ?o }",
...                        substitutions={Variable("o"): Literal("x")})
>>> out.serialize("csv").split()
[b'o', b'x']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from pyoxigraph import NamedNode, Store, Variable

from kg import settings
from kg.errors import UsageError
from kg.sparql.run import Result, run

Term = Any  # a pyoxigraph term: NamedNode, Literal or BlankNode


class Queryable(Protocol):
    """Runs a SPARQL query (guarded) with terms bound, a row cap and a protocol dataset."""

    def run(self, text: str, *, substitutions: Mapping[Variable, Term] | None = None,
            row_cap: int = settings.DEFAULT_ROW_CAP, default_graphs: Sequence[str] = (),
            named_graphs: Sequence[str] = ()) -> Result: ...


@dataclass(frozen=True)
class Local:
    """A pyoxigraph store (a build's, or one in memory): the union of its graphs is the
    default graph unless the request names a dataset."""

    store: Store

    def run(self, text: str, *, substitutions: Mapping[Variable, Term] | None = None,
            row_cap: int = settings.DEFAULT_ROW_CAP, default_graphs: Sequence[str] = (),
            named_graphs: Sequence[str] = ()) -> Result:
        return run(self.store, text, substitutions=dict(substitutions or {}), row_cap=row_cap,
                   default_graph=nodes(default_graphs), named_graphs=nodes(named_graphs))


def queryable(target: Store | Queryable) -> Queryable:
    """A target as given, a bare store wrapped in :class:`Local`."""
    return Local(target) if isinstance(target, Store) else target


def nodes(iris: Sequence[str]) -> list[NamedNode] | None:
    """IRIs as nodes (None for none: the store's own default).

    >>> nodes(["not an IRI"])
    Traceback (most recent call last):
      ...
    kg.errors.UsageError: not an IRI: ...
    """
    if not iris:
        return None
    try:
        return [NamedNode(i) for i in iris]
    except ValueError as exc:
        raise UsageError(f"not an IRI: {exc}") from None
