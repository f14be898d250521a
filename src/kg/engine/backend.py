"""What a task reads: a :class:`Backend`, the local build or another SPARQL endpoint.

Both answer SPARQL through the same ``run`` (:class:`kg.sparql.Queryable`) and give
the pages a store to read an entity or the ontology from: the build's own store
(:class:`LocalBackend`), or the few quads fetched from the endpoint with one SELECT
(:class:`RemoteBackend`). Tasks that write, dump or read whole graphs need the
build's own store and say so in the task table (:mod:`kg.engine.tasks`).

A SPARQL Protocol request also names its :class:`Dataset` and the base IRI its
relative IRIs resolve against (:meth:`Backend.run_request`).

>>> from pyoxigraph import Store
>>> LocalBackend(Store()).run("ASK {}").kind
'ask'
>>> LocalBackend(Store()).run_request("CONSTRUCT { <s> <p> 1 } WHERE {}", Dataset(),
...                                   "http://e/sparql").serialize("nt").split()[:2]
[b'<http://e/s>', b'<http://e/p>']
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Protocol

from pyoxigraph import NamedNode, Quad, Store, Variable

from kg import settings
from kg.remote.endpoint import RemoteEndpoint, solutions
from kg.sparql import Local, Queryable, Result, read, run
from kg.vocab import FI, GRAPH, RDFS, SKOS, graph_for


@dataclass(frozen=True)
class Dataset:
    """The RDF dataset a SPARQL Protocol request names (SPARQL 1.1 Protocol 2.1.4).

    When the request gives ``default-graph-uri`` or ``named-graph-uri``, they are the
    dataset: they override the query's FROM / FROM NAMED, and what they leave out is
    empty. When it gives neither, :func:`kg.sparql.run` takes the query's own FROM /
    FROM NAMED, else the union of all graphs as the default graph.

    >>> Dataset(named_graphs=("http://e/g",)).nodes()
    ([], [<NamedNode value=http://e/g>])
    >>> Dataset().nodes()
    (None, None)
    """

    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()

    def nodes(self) -> tuple[list[NamedNode] | None, list[NamedNode] | None]:
        """The default graphs and named graphs as ``Store.query`` takes them (None, None:
        the request names no dataset)."""
        if not (self.default_graphs or self.named_graphs):
            return None, None
        return ([NamedNode(i) for i in self.default_graphs],
                [NamedNode(i) for i in self.named_graphs])


class Backend(Queryable, Protocol):
    """A :class:`~kg.sparql.Queryable` that also gives stores for the pages."""

    def run_request(self, text: str, dataset: Dataset, base_iri: str | None,
                    row_cap: int = settings.DEFAULT_ROW_CAP) -> Result:
        """A SPARQL Protocol query over its dataset, relative IRIs resolved against
        ``base_iri`` (the endpoint's URL), guarded and capped as :func:`kg.sparql.run`."""
        ...

    def neighbourhood(self, iri: NamedNode, labels: bool = True) -> Store:
        """A store holding at least the entity's quads (both ways), those of its hash
        IRIs, and (``labels``) its neighbours' labels."""
        ...

    def ontology(self) -> Store:
        """A store holding at least the ontology graph."""
        ...


@dataclass(frozen=True)
class LocalBackend(Local):
    """A build's store, opened by a worker process."""

    def neighbourhood(self, iri: NamedNode, labels: bool = True) -> Store:
        return self.store

    def ontology(self) -> Store:
        return self.store

    def run_request(self, text: str, dataset: Dataset, base_iri: str | None,
                    row_cap: int = settings.DEFAULT_ROW_CAP) -> Result:
        default_graph, named_graphs = dataset.nodes()
        return run(self.store, text, row_cap=row_cap, default_graph=default_graph,
                   named_graphs=named_graphs, base=base_iri)


class RemoteBackend(RemoteEndpoint):
    """Another SPARQL endpoint (``kg serve --backend``), reached from a server thread.

    A protocol request goes on with its dataset. Without one, the query's own FROM /
    FROM NAMED are sent as the protocol dataset too: an endpoint whose default graph is
    the union of its graphs (``oxigraph serve --union-default-graph``) ignores them
    otherwise. Other relative IRIs are the endpoint's to resolve (against its own URL:
    a request cannot carry a base IRI).
    """

    def run_request(self, text: str, dataset: Dataset, base_iri: str | None,
                    row_cap: int = settings.DEFAULT_ROW_CAP) -> Result:
        if not (dataset.default_graphs or dataset.named_graphs):
            own = read(text, base_iri).dataset
            dataset = Dataset(tuple(iri for kind, iri in own if kind == "default"),
                              tuple(iri for kind, iri in own if kind == "named"))
        return self.run(text, row_cap=row_cap, default_graphs=dataset.default_graphs,
                        named_graphs=dataset.named_graphs)

    def neighbourhood(self, iri: NamedNode, labels: bool = True) -> Store:
        return self._quads(neighbourhood_query(iri, labels))

    def ontology(self) -> Store:
        return self._quads(_ONTOLOGY)

    def _quads(self, text: str) -> Store:
        """The rows ?s ?p ?o ?g of one of our SELECTs (with its own LIMIT) on the endpoint,
        as quads in a store, a row without a graph or subject left out (as
        :func:`solutions` reads them: Virtuoso's blank-node labels repaired). Each row is
        made a quad at once while every row is whole (0.4 ms less for an entity's ~100 rows
        than taking each value by its name)."""
        store = Store()
        names, rows = solutions(self.query(text), self.url)
        if names != _QUAD:  # named otherwise or in another order
            rows = [[row[v] for v in _QUAD] for row in rows]
        try:
            store.extend([Quad(*row) for row in rows])
        except TypeError:  # a gap, or a term that cannot be there: row by row
            for row in rows:
                with contextlib.suppress(TypeError):
                    store.add(Quad(*row))
        return store


_QUAD = [Variable(name) for name in ("s", "p", "o", "g")]  # the order of Quad's arguments


def neighbourhood_query(iri: NamedNode, labels: bool = True) -> str:
    """The SELECT of an entity's quads sent to a backend (:data:`_NEIGHBOURHOOD`), its
    neighbours' labels left out unless ``labels`` (an RDF document has none of them). The
    IRI goes in as pyoxigraph writes it, a term (its syntax checked when it was made).

    >>> "?x1" in neighbourhood_query(NamedNode("http://e/a"), labels=False)
    False
    >>> text = neighbourhood_query(NamedNode("http://e/a"))
    >>> "<IRI>" in text, text.count("<http://e/a>")
    (False, 14)
    """
    text = _NEIGHBOURHOOD if labels else _NEIGHBOURHOOD_UNLABELLED
    return text.replace("<IRI>", str(iri))


# The quads an entity's document shows (kg.engine.describe): the entity's, both ways; those
# of its hash IRIs (IRI#…) reached from it through at most one other (a division's #geo, an
# annotation's #target and the #quote and #position it names); for a page, the labels and
# quotes of the nodes next to the entity and to its hash IRIs, found first (a sub-select)
# and then looked up: the other way round, an engine reads every label there is (20 ms, not
# 0.9 ms, for a region of the curated build in Oxigraph). Never the summaries (counts for the
# questions, which no document shows).
_HASH = 'STRSTARTS(STR(?{0}), CONCAT(STR(<IRI>), "#"))'
_QUADS = f"""{{ GRAPH ?g {{ <IRI> ?p ?o }} BIND(<IRI> AS ?s) }}
  UNION {{ GRAPH ?g {{ ?s ?p <IRI> }} BIND(<IRI> AS ?o) }}
  UNION {{ {{ <IRI> ?y1 ?s }} UNION {{ <IRI> ?y2 ?h . ?h ?y3 ?s FILTER({_HASH.format("h")}) }}
          FILTER(isIRI(?s) && {_HASH.format("s")})
          GRAPH ?g {{ ?s ?p ?o }} }}"""
_LABELS = f"""
  UNION {{ {{ SELECT DISTINCT ?s WHERE {{
            {{ <IRI> ?s ?x1 }} UNION {{ ?x2 ?s <IRI> }} UNION {{ <IRI> ?x3 ?s }}
            UNION {{ ?s ?x4 <IRI> }}
            UNION {{ <IRI> ?x5 ?h . ?h ?x6 ?s FILTER(isIRI(?h) && {_HASH.format("h")}) }} }} }}
          GRAPH ?g {{ ?s ?p ?o }}
          FILTER(?p IN ({RDFS.label}, {SKOS.prefLabel}, {FI.sourceQuote})) }}"""
_NEIGHBOURHOOD, _NEIGHBOURHOOD_UNLABELLED = (
    f"""SELECT DISTINCT ?s ?p ?o ?g WHERE {{
  {{ {_QUADS}{labels} }}
  FILTER(?g != {GRAPH.summaries})
}} LIMIT {settings.NEIGHBOURHOOD_QUADS}""" for labels in (_LABELS, ""))
_ONTOLOGY = (f"SELECT ?s ?p ?o ?g WHERE {{ VALUES ?g {{ {graph_for('ontology')} }} "
             f"GRAPH ?g {{ ?s ?p ?o }} }} LIMIT {settings.ONTOLOGY_QUADS}")
