"""The IRIs the project mints under https://w3id.org/future-industries/, as the full dump
holds them, and the paths a client dereferences them at."""

from __future__ import annotations

import pyoxigraph as ox

from kg.rdf import export
from kg.vocab import BASE


def minted(store: ox.Store) -> set[str]:
    """Every IRI under the project's base in the full dump (``export.dump(store, "nq")``)."""
    out = set()
    for q in ox.parse(export.dump(store, "nq"), format=ox.RdfFormat.N_QUADS):
        for t in (q.subject, q.predicate, q.object, q.graph_name):
            if isinstance(t, ox.NamedNode) and t.value.startswith(BASE):
                out.add(t.value)
    return out


def paths_of(iris: set[str]) -> list[str]:
    """The paths a client asks for (a hash IRI's document is its IRI before the ``#``)."""
    return sorted({"/" + iri[len(BASE):].split("#", 1)[0] for iri in iris})
