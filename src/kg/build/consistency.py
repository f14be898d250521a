"""Consistency checks in SPARQL: the usual culprits, named.

HermiT says *that* an ontology is inconsistent; these queries say *where*
for the errors curators make most: an individual in two disjoint classes, a
functional data property with two values, and an ill-typed literal (``"abc"^^xsd:integer``:
inconsistent under OWL 2's datatype map, and unreadable for owlready2 on the
way to HermiT).
"""

from __future__ import annotations

from typing import Any

from pyoxigraph import NamedNode, Store

_PREFIXES = """PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""

DISJOINT_PAIRS = """SELECT DISTINCT ?c ?d WHERE {
  { ?c owl:disjointWith ?d }
  UNION { ?all a owl:AllDisjointClasses ; owl:members ?l .
          ?l rdf:rest*/rdf:first ?c . ?l rdf:rest*/rdf:first ?d FILTER(?c != ?d) }
  FILTER(isIRI(?c) && isIRI(?d))
}"""
# One pair at a time, with constant classes: two index scans and a join.
IN_BOTH = "SELECT DISTINCT ?x WHERE { ?x a <C> . ?x a <D> } ORDER BY ?x LIMIT 100"

FUNCTIONAL = """SELECT DISTINCT ?x ?p ?v1 ?v2 WHERE {
  ?p a owl:FunctionalProperty , owl:DatatypeProperty .
  ?x ?p ?v1 . ?x ?p ?v2 FILTER(STR(?v1) < STR(?v2))
} ORDER BY ?x LIMIT 100"""

_NUMERIC = ", ".join(f"xsd:{t}" for t in [
    "integer", "decimal", "double", "float", "long", "int", "short", "byte",
    "nonNegativeInteger", "positiveInteger", "negativeInteger", "nonPositiveInteger",
    "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte"])
# Oxigraph keeps a valid number under its canonical datatype and an invalid one as written.
# The cheap tests come first: most literals are strings and leave at LANG or DATATYPE.
ILL_TYPED = f"""SELECT DISTINCT ?x ?p ?o WHERE {{
  ?x ?p ?o FILTER(isLiteral(?o) && !isNumeric(?o) && LANG(?o) = ""
    && DATATYPE(?o) != xsd:string && (DATATYPE(?o) IN ({_NUMERIC})
    || (DATATYPE(?o) = xsd:boolean && !COALESCE(?o = true || ?o = false, false))))
}} ORDER BY ?x LIMIT 100"""


def culprits(store: Store, literals_in: list[NamedNode] | None = None) -> list[str]:
    """Human-readable reasons the dataset (union of graphs) is inconsistent.

    Literals are checked in the graphs ``literals_in`` only (default: all graphs);
    a build names the graphs HermiT reads, which must not hold an ill-typed literal.

    >>> from typing import Any

from pyoxigraph import NamedNode, Store
    >>> s = Store()
    >>> s.update('''PREFIX owl: <http://www.w3.org/2002/07/owl#>
    ...   INSERT DATA { <http://e/A> owl:disjointWith <http://e/B> .
    ...                 <http://e/x> a <http://e/A> , <http://e/B> }''')
    >>> culprits(s)
    ['<http://e/x> is in disjoint classes <http://e/A> and <http://e/B>']
    >>> s.update('INSERT DATA { <http://e/y> <http://e/n> "12x"^^<http://e/int> }'
    ...          .replace("http://e/int", "http://www.w3.org/2001/XMLSchema#int"))
    >>> culprits(s)[1].split(" is ")
    ['<http://e/y> <http://e/n> "12x"^^<http://www.w3.org/2001/XMLSchema#int>',
     'ill-typed: not a value of its datatype']
    """
    out = []
    for c, d in _disjoint_pairs(store):
        for row in _select(store, IN_BOTH.replace("<C>", c).replace("<D>", d)):
            out.append(f"{row['x']} is in disjoint classes {c} and {d}")
    for row in _select(store, FUNCTIONAL):
        out.append(f"{row['x']} has two values for functional {row['p']}: {row['v1']}, {row['v2']}")
    for row in _select(store, ILL_TYPED, literals_in):
        out.append(f"{row['x']} {row['p']} {row['o']} is ill-typed: not a value of its datatype")
    return out


def _disjoint_pairs(store: Store) -> list[tuple[str, str]]:
    """Each pair of disjoint classes once, in a stable order."""
    pairs = {tuple(sorted((row["c"], row["d"]))) for row in _select(store, DISJOINT_PAIRS)}
    return sorted((c, d) for c, d in pairs)


def _select(
    store: Store, query: str, graphs: list[NamedNode] | None = None
) -> list[dict[str, str]]:
    scope: dict[str, Any] = (
        {"default_graph": graphs} if graphs is not None else {"use_default_graph_as_union": True})
    rows = store.query(_PREFIXES + query, **scope)
    names = [v.value for v in rows.variables]  # type: ignore[union-attr]
    return [{n: str(row[n]) for n in names} for row in rows]  # type: ignore[union-attr]
