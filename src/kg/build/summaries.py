"""Summaries: counts the packaged questions read instead of counting at every request.

A question whose answer is a count over the whole graph (plans per region, regions per
sector) costs time in proportion to the graph at every request. The project's
``queries/summaries/*.rq`` are SPARQL ``CONSTRUCT`` queries run once per build, after
reasoning (they see what was stated and what was inferred); what they construct goes
into its own graph, :data:`GRAPH` (``graph/summaries``), which the questions read as
plain triples. The build is immutable, so a count made at build time is the count a
question would make. The graph is derived: the linked-data pages leave it out.

A summary may also be a ``SELECT`` of ``?subject`` and ``?predicate``: its rows are
numbered in their order (its ``ORDER BY``'s; without one, the order the store lists
them), each row's subject getting its position (1, 2, …) under its predicate. That is a
short literal unique per row, so a question can sort by it cheaply and be paged by key
(sorting thousands of IRIs in a question reads each of them from the store at every
request; here they are sorted once).

>>> from pyoxigraph import Store
>>> store = Store()
>>> store.update('INSERT DATA { <http://e/p1> <http://e/for> <http://e/r> . '
...              '<http://e/p2> <http://e/for> <http://e/r> }')
>>> text = ("CONSTRUCT { ?r <http://e/plans> ?n } WHERE { "
...         "SELECT ?r (COUNT(?p) AS ?n) { ?p <http://e/for> ?r } GROUP BY ?r }")
>>> [str(q.object) for q in summarise(store, [text])]
['"2"^^<http://www.w3.org/2001/XMLSchema#integer>']
>>> len(store)  # the summaries are added to the store, in their own graph
3
>>> text = ("SELECT ?subject ?predicate { ?subject <http://e/for> ?r "
...         "BIND(<http://e/position> AS ?predicate) } ORDER BY DESC(?subject)")
>>> [(q.subject.value, q.object.value) for q in summarise(store, [text])]
[('http://e/p2', '1'), ('http://e/p1', '2')]
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from pyoxigraph import BlankNode, Literal, NamedNode, Quad, QuerySolutions, QueryTriples, Store

from kg import settings
from kg.errors import CatalogueError
from kg.vocab import GRAPH as GRAPHS

GRAPH = GRAPHS.summaries
FOLDER = "summaries"  # under the project's queries folder


def texts(queries: Path) -> list[tuple[str, str]]:
    """The summary queries of a project (file name, text), in file-name order."""
    folder = queries / FOLDER
    if not folder.is_dir():
        return []
    return [(p.name, p.read_text("utf-8")) for p in sorted(folder.glob("*.rq"))]


def summarise(store: Store, queries: Iterable[str]) -> list[Quad]:
    """Run each CONSTRUCT query on the store; add what it constructs to the summaries
    graph of the store and return it."""
    found: list[Quad] = []
    for text in queries:
        result = store.query(text, use_default_graph_as_union=True)
        if isinstance(result, QueryTriples):
            found += [Quad(t.subject, t.predicate, t.object, GRAPH) for t in result]
        elif isinstance(result, QuerySolutions) and {"subject", "predicate"} <= {
                v.value for v in result.variables}:
            found += _numbered(result)
        else:
            raise ValueError("a summary is a CONSTRUCT query, or a SELECT of ?subject and "
                             "?predicate whose rows are numbered in its order")
    store.extend(found)
    return found


def _numbered(rows: QuerySolutions) -> list[Quad]:
    """``?subject ?predicate N`` for the N-th row (from 1), in the rows' order."""
    out: list[Quad] = []
    for row in rows:
        subject, predicate = row["subject"], row["predicate"]
        if not isinstance(subject, NamedNode | BlankNode) or not isinstance(predicate, NamedNode):
            raise ValueError(f"row {len(out) + 1}: ?subject must be an IRI or blank node and "
                             f"?predicate an IRI, not {subject} and {predicate}")
        out.append(Quad(subject, predicate, Literal(len(out) + 1), GRAPH))
    return out


def build(store: Store, queries: Path) -> int:
    """The project's summaries added to the store (the number of triples); a query that
    is not a CONSTRUCT or does not run is a :class:`CatalogueError` naming its file."""
    out = 0
    for name, text in texts(queries):
        try:
            out += len(summarise(store, [text]))
        except (SyntaxError, ValueError, OSError) as exc:
            raise CatalogueError(str(queries / FOLDER / name), None, str(exc)) from exc
    return out


def write(store: Store, graphs: dict[str, int],
          sink: Callable[[Store, list[NamedNode]], None]) -> None:
    """The build step: the project's summaries handed to ``sink`` (the build's writer) and
    counted in ``graphs``, then taken out of the in-memory store again (the shapes check
    what was stated)."""
    count = build(store, settings.resources().queries)
    if count:
        graphs[GRAPH.value] = count
        sink(store, [GRAPH])
        store.remove_graph(GRAPH)
