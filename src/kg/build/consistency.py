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

from kg.vocab import XSD_NUMERIC, prologue

_PREFIXES = prologue("rdf", "rdfs", "owl", "xsd")

# Groups of pairwise disjoint classes: each owl:disjointWith pair, each owl:AllDisjointClasses.
DISJOINT_GROUPS = """SELECT DISTINCT ?group ?c WHERE {
  { ?c owl:disjointWith ?d BIND(CONCAT(STR(?c), " ", STR(?d)) AS ?group) }
  UNION { ?d owl:disjointWith ?c BIND(CONCAT(STR(?d), " ", STR(?c)) AS ?group) }
  UNION { ?all a owl:AllDisjointClasses ; owl:members/rdf:rest*/rdf:first ?c
          BIND(?all AS ?group) }
  FILTER(isIRI(?c))
}"""
# One group at a time, with constant classes: one scan of their instances, grouped.
IN_TWO = """SELECT ?x (GROUP_CONCAT(DISTINCT STR(?c); separator=" ") AS ?cs) WHERE {
  VALUES ?c { CLASSES } ?x a ?c } GROUP BY ?x HAVING(COUNT(DISTINCT ?c) > 1) LIMIT 100"""

FUNCTIONAL = """SELECT DISTINCT ?x ?p ?v1 ?v2 WHERE {
  ?p a owl:FunctionalProperty , owl:DatatypeProperty .
  ?x ?p ?v1 . ?x ?p ?v2 FILTER(STR(?v1) < STR(?v2))
} ORDER BY ?x LIMIT 100"""

_NUMERIC = ", ".join(str(t) for t in XSD_NUMERIC)
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

from kg.vocab import XSD_NUMERIC, prologue
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
    out = disjoint_clashes(store)
    for row in _select(store, FUNCTIONAL):
        out.append(f"{row['x']} has two values for functional {row['p']}: {row['v1']}, {row['v2']}")
    return out + ill_typed(store, literals_in)


def disjoint_clashes(store: Store) -> list[str]:
    """Each individual in two disjoint classes (the union of the graphs)."""
    out = []
    for group in _disjoint_groups(store):
        for row in _select(store, IN_TWO.replace("CLASSES", " ".join(group))):
            c, d = sorted(row["cs"].strip('"').split())[:2]
            out.append(f"{row['x']} is in disjoint classes <{c}> and <{d}>")
    return out


def ill_typed(store: Store, graphs: list[NamedNode] | None = None) -> list[str]:
    """Each number or boolean literal not a value of its datatype, in ``graphs`` (default:
    all)."""
    return [f"{row['x']} {row['p']} {row['o']} is ill-typed: not a value of its datatype"
            for row in _select(store, ILL_TYPED, graphs)]


def _disjoint_groups(store: Store) -> list[list[str]]:
    """Each group of pairwise disjoint classes (as ``<IRI>``), in a stable order."""
    groups: dict[str, set[str]] = {}
    for row in _select(store, DISJOINT_GROUPS):
        groups.setdefault(row["group"], set()).add(row["c"])
    return [list(g) for g in sorted({tuple(sorted(g)) for g in groups.values() if len(g) > 1})]


def _select(
    store: Store, query: str, graphs: list[NamedNode] | None = None
) -> list[dict[str, str]]:
    scope: dict[str, Any] = (
        {"default_graph": graphs} if graphs is not None else {"use_default_graph_as_union": True})
    rows = store.query(_PREFIXES + query, **scope)
    names = [v.value for v in rows.variables]  # type: ignore[union-attr]
    return [{n: str(row[n]) for n in names} for row in rows]  # type: ignore[union-attr]
