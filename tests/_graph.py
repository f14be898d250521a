"""Test-only helpers for the ontology, data and competency tests.

The graph itself comes from the production pipeline: the session fixtures
``curated_build`` / ``curated_location`` of tests/conftest.py build a real on-disk store
with :func:`kg.build.build`. What is here is what the tests add on top: SPARQL prefixes,
a view of the store through some of its graphs, a select helper and fixture paths.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg import vocab
from kg.vocab import GRAPH, GRAPH_BASE

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
ARTICLE = ROOT / "sources" / "article.zh.txt"  # the project's copy of the source article

FI = vocab.FI.base
ID = vocab.ID_BASE
KINDS = ("region", "agency", "plan", "sector", "target", "action", "scheme", "treatment",
         "qualifier")
# The project's prefixes plus one per entity kind (region:, plan:, …), as in the data files.
PREFIXES = {**vocab.PREFIXES, **{kind: f"{ID}{kind}/" for kind in KINDS}}


@dataclass(frozen=True)
class View:
    """A store seen through some of its named graphs, or through the union of all of them."""

    store: ox.Store
    graphs: tuple[ox.NamedNode, ...] = ()

    def query(self, text: str) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        if self.graphs:
            return self.store.query(text, prefixes=PREFIXES, default_graph=list(self.graphs))
        return self.store.query(text, prefixes=PREFIXES, use_default_graph_as_union=True)

    def quads(
        self, s: ox.NamedNode | None = None, p: ox.NamedNode | None = None,
        o: ox.NamedNode | None = None,
    ) -> Iterator[ox.Quad]:
        """The quads of the view's graphs that match a pattern."""
        for graph in self.graphs or (None,):
            yield from self.store.quads_for_pattern(s, p, o, graph)


def asserted(store: ox.Store) -> View:
    """What the sources state: the ontology, the curated data and its linksets.

    Leaves out what the build derives (inferred, build and query graphs) and the
    imported external datasets.
    """
    names = sorted(g.value for g in store.named_graphs())
    keep = [GRAPH.ontology.value, GRAPH.links.value]
    chosen = [n for n in names if n in keep or n.startswith(GRAPH_BASE + "data/")]
    return View(store, tuple(ox.NamedNode(n) for n in chosen))


def ontology(store: ox.Store) -> View:
    """The ontology graph alone."""
    return View(store, (GRAPH.ontology,))


def select(view: View, query: str) -> list[dict[str, str]]:
    """Run a SELECT (with :data:`PREFIXES`); each row as {variable: lexical value or IRI}."""
    solutions = view.query(query)
    assert isinstance(solutions, ox.QuerySolutions)
    names = [v.value for v in solutions.variables]
    return [
        {name: term.value for name in names if (term := row[name]) is not None}
        for row in solutions
    ]


def ntriples(view: View) -> bytes:
    """The view's graphs as N-Triples (what the build hands to HermiT)."""
    dumps = (view.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=g) for g in view.graphs)
    return b"".join(d or b"" for d in dumps)


def file_ntriples(path: Path) -> bytes:
    """One Turtle file as N-Triples."""
    quads = ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)
    return ox.serialize(quads, format=ox.RdfFormat.N_TRIPLES) or b""


def short(iri: str) -> str:
    """id/{kind}/{slug} → '{kind}/{slug}', fi:X → 'fi:X'; other IRIs unchanged."""
    if iri.startswith(ID):
        return iri[len(ID):]
    return "fi:" + iri[len(FI):] if iri.startswith(FI) else iri


def article_text() -> str:
    """The source article: the project's own copy (sources/article.zh.txt)."""
    return ARTICLE.read_bytes().decode("utf-8")
