"""The figures VoID and the service description report, counted where the data are.

>>> from pyoxigraph import Store
>>> s = Store()
>>> s.update('''INSERT DATA { GRAPH <https://w3id.org/future-industries/graph/links> {
...   <https://w3id.org/future-industries/id/region/x>
...     <http://www.w3.org/2002/07/owl#sameAs> <http://www.wikidata.org/entity/Q1> } }''')
>>> stats(s)["linksets"]
[['http://www.w3.org/2002/07/owl#sameAs', 'http://www.wikidata.org/entity/', 1]]
"""

from __future__ import annotations

from typing import Any

from pyoxigraph import QuerySolutions, Store

from kg import settings
from kg.rdf.void import namespace
from kg.sparql import Queryable, queryable
from kg.vocab import BASE, GRAPH, GRAPH_BASE, ID_BASE, ONTOLOGY_IRI

# Our graphs only: an engine's own graphs (Virtuoso's system graphs, graphs named after its
# own address) are neither counted nor named
_OURS = f'FILTER(STRSTARTS(STR(?g), "{GRAPH_BASE}"))'
# (no ORDER BY: sorted here; an engine may refuse to sort under a large LIMIT)
_GRAPHS = f"""SELECT ?g (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {_OURS} }}
  GROUP BY ?g"""
_CLASSES = f"""SELECT ?c (COUNT(DISTINCT ?x) AS ?n) WHERE {{ GRAPH ?g {{ ?x a ?c }}
  FILTER(isIRI(?c)) {_OURS} }} GROUP BY ?c"""
_TOTALS = f"""SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects)
  (COUNT(DISTINCT ?p) AS ?properties) (COUNT(DISTINCT ?o) AS ?objects)
  WHERE {{ SELECT DISTINCT ?s ?p ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {_OURS} }} }}"""
# (a triple in two graphs counts once)
_EXAMPLES = f"""SELECT ?c (MIN(STR(?x)) AS ?ex) WHERE {{ ?x a ?c
  FILTER(STRSTARTS(STR(?x), "{ID_BASE}") && STRSTARTS(STR(?c), "{ONTOLOGY_IRI}#")) }}
  GROUP BY ?c"""
_LINKS = f"""SELECT ?p ?o WHERE {{ GRAPH {GRAPH.links} {{
  ?s ?p ?o FILTER(isIRI(?o) && !STRSTARTS(STR(?o), "{BASE}")) }} }}"""


def _rows(target: Queryable, query: str) -> list[Any]:
    found = target.run(query, row_cap=settings.FIGURE_ROWS).value
    assert isinstance(found, QuerySolutions)
    return list(found)


def stats(target: Store | Queryable) -> dict[str, Any]:
    """The figures VoID reports, as plain data (picklable)."""
    on = queryable(target)
    totals = _rows(on, _TOTALS)[0]
    links: dict[tuple[str, str], int] = {}
    for row in _rows(on, _LINKS):
        key = (row["p"].value, namespace(row["o"].value))
        links[key] = links.get(key, 0) + 1
    return {
        "totals": {k: int(totals[k].value) for k in ("triples", "subjects", "properties",
                                                      "objects")},
        "graphs": sorted([r["g"].value, int(r["n"].value)] for r in _rows(on, _GRAPHS)),
        "classes": sorted([r["c"].value, int(r["n"].value)] for r in _rows(on, _CLASSES)),
        "examples": sorted({r["ex"].value for r in _rows(on, _EXAMPLES)}),  # one per class
        "linksets": sorted([p, ns, n] for (p, ns), n in links.items()),
    }
