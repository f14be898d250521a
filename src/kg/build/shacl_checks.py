"""What the compiled shapes are, without the compiler: a :class:`Check` per constraint
(:mod:`kg.build.shacl_sparql` makes them with rdflib; :mod:`kg.build.shacl_run` runs them),
and the subclass table they are compiled against. A rebuild whose shapes and classes did
not change reads its checks from the cache (:mod:`kg.build.reuse`) and never loads rdflib.

>>> c = Check("SELECT ?this {}", None, "m", "http://e/S")
>>> Check(**c.as_json()) == c
True
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from pyoxigraph import Store


class Unsupported(Exception):
    """The shapes use a SHACL feature this compiler does not translate."""


@dataclass(frozen=True)
class Check:
    """One compiled constraint: a query returning ``?this`` (and ``?value``) rows."""

    query: str
    path: str | None
    message: str
    shape: str
    severity: str = "Violation"
    targets: str = ""  # the shape's target pattern
    screen: str | None = None  # an expression over ?this: true where the check fails

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


# One or more steps: zero steps would pair every term of the store with itself (a million
# rows at a million triples); a class without subclasses stands for itself anyway.
SUBCLASSES = """SELECT ?sub ?c WHERE {
  ?sub <http://www.w3.org/2000/01/rdf-schema#subClassOf>+ ?c FILTER(isIRI(?sub) && isIRI(?c)) }"""


def subclasses(store: Store) -> dict[str, set[str]]:
    """Each class that has subclasses, with all of them (itself included), from every graph;
    a class not in the table has no subclass but itself.

    >>> from pyoxigraph import NamedNode as N, Quad
    >>> from kg.vocab import RDFS
    >>> s = Store()
    >>> s.add(Quad(N("http://e/A"), RDFS.subClassOf, N("http://e/B")))
    >>> s.add(Quad(N("http://e/x"), N("http://e/p"), N("http://e/y")))
    >>> subclasses(s) == {"http://e/B": {"http://e/A", "http://e/B"}}
    True
    """
    out: dict[str, set[str]] = {}
    for row in store.query(SUBCLASSES, use_default_graph_as_union=True):  # type: ignore[union-attr]
        out.setdefault(str(row["c"].value), {str(row["c"].value)}).add(str(row["sub"].value))
    return out
