"""What a task reads: a :class:`Backend`, the local build or another SPARQL endpoint.

Both answer SPARQL through the same ``run`` (:class:`kg.sparql.Queryable`) and give
the pages a store to read an entity or the ontology from: the build's own store
(:class:`LocalBackend`), or the few quads fetched from the endpoint with one SELECT
(:class:`RemoteBackend`). Tasks that write, dump or read whole graphs need the
build's own store and say so in the task table (:mod:`kg.engine.tasks`).

>>> from pyoxigraph import Store
>>> LocalBackend(Store()).run("ASK {}").kind
'ask'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from pyoxigraph import Quad, QuerySolutions, Store

from kg import settings
from kg.remote.endpoint import RemoteEndpoint
from kg.sparql import Local, Queryable
from kg.vocab import FI, RDFS, SKOS, graph_for


class Backend(Queryable, Protocol):
    """A :class:`~kg.sparql.Queryable` that also gives stores for the pages."""

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


class RemoteBackend(RemoteEndpoint):
    """Another SPARQL endpoint (``kg serve --backend``), reached from a server thread."""

    def neighbourhood(self, iri: str) -> Store:
        return self._quads(_NEIGHBOURHOOD.replace("<IRI>", iri))

    def ontology(self) -> Store:
        return self._quads(_ONTOLOGY)

    def _quads(self, text: str) -> Store:
        """The rows ?s ?p ?o ?g of a SELECT on the endpoint, as quads in a store."""
        store = Store()
        result = self.run(text, row_cap=settings.ONTOLOGY_QUADS)
        assert isinstance(result.value, QuerySolutions)
        for row in result.value:
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
