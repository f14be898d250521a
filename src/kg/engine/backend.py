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

from dataclasses import dataclass
from typing import Protocol

from pyoxigraph import NamedNode, Quad, Store

from kg import settings
from kg.remote.endpoint import RemoteEndpoint, solutions
from kg.sparql import Local, Queryable, Result, read, run
from kg.vocab import FI, RDFS, SKOS, graph_for


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

    def neighbourhood(self, iri: str) -> Store:
        """A store holding at least the entity's quads (both ways) and its neighbours'
        labels."""
        ...

    def ontology(self) -> Store:
        """A store holding at least the ontology graph."""
        ...


@dataclass(frozen=True)
class LocalBackend(Local):
    """A build's store, opened by a worker process."""

    def neighbourhood(self, iri: str) -> Store:
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

    def neighbourhood(self, iri: str) -> Store:
        return self._quads(_NEIGHBOURHOOD.replace("<IRI>", iri))

    def ontology(self) -> Store:
        return self._quads(_ONTOLOGY)

    def _quads(self, text: str) -> Store:
        """The rows ?s ?p ?o ?g of one of our SELECTs (with its own LIMIT) on the endpoint,
        as quads in a store."""
        store = Store()
        for row in solutions(self.query(text), self.url):
            if row["g"] is not None and row["s"] is not None:
                store.add(Quad(row["s"], row["p"], row["o"], row["g"]))
        return store


_NEIGHBOURHOOD = f"""SELECT DISTINCT ?s ?p ?o ?g WHERE {{
  {{ GRAPH ?g {{ <IRI> ?p ?o }} BIND(<IRI> AS ?s) }}
  UNION {{ GRAPH ?g {{ ?s ?p <IRI> }} BIND(<IRI> AS ?o) }}
  UNION {{ {{ <IRI> ?s ?x1 }} UNION {{ ?x2 ?s <IRI> }} UNION {{ <IRI> ?x3 ?s }}
          UNION {{ ?s ?x4 <IRI> }}
          VALUES ?p {{ {RDFS.label} {SKOS.prefLabel} {FI.sourceQuote} }}
          GRAPH ?g {{ ?s ?p ?o }} }}
}} LIMIT {settings.NEIGHBOURHOOD_QUADS}"""  # the entity's quads both ways, neighbours' labels
_ONTOLOGY = (f"SELECT ?s ?p ?o ?g WHERE {{ VALUES ?g {{ {graph_for('ontology')} }} "
             f"GRAPH ?g {{ ?s ?p ?o }} }} LIMIT {settings.ONTOLOGY_QUADS}")
