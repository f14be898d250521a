"""Forward-chaining rules in SPARQL over the store, derived from the ontology.

Scalable (no data leaves Oxigraph): subclass and subproperty closure,
inverses, transitive properties and two-step property chains. Each axiom of the
ontology becomes one ``INSERT … WHERE`` with constant predicates (so Oxigraph
uses its indexes), and a rule runs again only when one of its inputs grew in
the previous round. HermiT remains the judge of consistency on the terminology
and the curated part; these rules materialise the same entailments for data of
any size.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyoxigraph import NamedNode, Store

from kg.vocab import GRAPH

TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

_AXIOMS = """PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
SELECT ?kind ?a ?b ?c WHERE { GRAPH <ONTO> {
  { ?a rdfs:subClassOf+ ?b FILTER(isIRI(?a) && isIRI(?b) && ?b != owl:Thing)
    BIND("subclass" AS ?kind) }
  UNION { ?a rdfs:subPropertyOf+ ?b FILTER(isIRI(?a) && isIRI(?b)) BIND("subproperty" AS ?kind) }
  UNION { { ?a owl:inverseOf ?b } UNION { ?b owl:inverseOf ?a } BIND("inverse" AS ?kind) }
  UNION { ?a a owl:TransitiveProperty BIND("transitive" AS ?kind) }
  UNION { ?c owl:propertyChainAxiom ?l . ?l rdf:first ?a ; rdf:rest/rdf:first ?b ;
          rdf:rest/rdf:rest rdf:nil BIND("chain" AS ?kind) }
} }"""


@dataclass(frozen=True)
class Rule:
    """One axiom as an update: what it reads, what it writes, the SPARQL."""

    inputs: frozenset[str]
    output: str
    update: str
    order: int = 0  # inverses first, then chains, transitivity, subproperties, subclasses


def compile_rules(store: Store, inferred: NamedNode = GRAPH.inferred) -> list[Rule]:
    """The rules that the ontology graph of the store implies."""
    query = _AXIOMS.replace("<ONTO>", str(GRAPH.ontology))
    out: list[Rule] = []
    for row in store.query(query):  # type: ignore[union-attr]
        kind, a, b = row["kind"].value, row["a"].value, row["b"] and row["b"].value
        c = row["c"].value if row["c"] is not None else ""
        out.append(_RULES[kind](a, b, c, f"<{inferred.value}>"))
    return sorted(set(out), key=lambda r: (r.order, r.output, r.update))


def _subclass(a: str, b: str, _c: str, inf: str) -> Rule:
    update = f"INSERT {{ GRAPH {inf} {{ ?x a <{b}> }} }} WHERE {{ GRAPH ?g {{ ?x a <{a}> }} }}"
    return Rule(frozenset({f"a {a}"}), f"a {b}", update, 4)


def _subproperty(a: str, b: str, _c: str, inf: str) -> Rule:
    update = f"INSERT {{ GRAPH {inf} {{ ?s <{b}> ?o }} }} WHERE {{ GRAPH ?g {{ ?s <{a}> ?o }} }}"
    return Rule(frozenset({a}), b, update, 3)


def _inverse(a: str, b: str, _c: str, inf: str) -> Rule:
    update = (f"INSERT {{ GRAPH {inf} {{ ?o <{b}> ?s }} }} "
              f"WHERE {{ GRAPH ?g {{ ?s <{a}> ?o FILTER(!isLiteral(?o)) }} }}")
    return Rule(frozenset({a}), b, update, 0)


def _transitive(a: str, _b: str, _c: str, inf: str) -> Rule:
    update = (f"INSERT {{ GRAPH {inf} {{ ?s <{a}> ?o }} }} "
              f"WHERE {{ GRAPH ?g1 {{ ?s <{a}> ?m }} GRAPH ?g2 {{ ?m <{a}> ?o }} }}")
    return Rule(frozenset({a}), a, update, 2)


def _chain(a: str, b: str, c: str, inf: str) -> Rule:
    update = (f"INSERT {{ GRAPH {inf} {{ ?s <{c}> ?o }} }} "
              f"WHERE {{ GRAPH ?g1 {{ ?s <{a}> ?m }} GRAPH ?g2 {{ ?m <{b}> ?o }} }}")
    return Rule(frozenset({a, b}), c, update, 1)


_RULES = {
    "subclass": _subclass,
    "subproperty": _subproperty,
    "inverse": _inverse,
    "transitive": _transitive,
    "chain": _chain,
}


def materialise(store: Store, max_rounds: int = 10) -> int:
    """Apply the rules until nothing grows; return the size of the inferred graph.

    >>> from pyoxigraph import Store, Quad, NamedNode as N
    >>> from kg.vocab import GRAPH, RDF, RDFS
    >>> s = Store()
    >>> s.add(Quad(N("http://e/A"), RDFS.subClassOf, N("http://e/B"), GRAPH.ontology))
    >>> s.add(Quad(N("http://e/x"), RDF.type, N("http://e/A"), GRAPH["data/x"]))
    >>> materialise(s)
    1
    """
    inferred = GRAPH.inferred
    rules = compile_rules(store, inferred)
    changed: dict[str, int] = {}  # input key → clock of its last growth
    last_run: dict[Rule, int] = {}
    clock = 0
    for _ in range(max_rounds):
        stale = [r for r in rules if r not in last_run
                 or any(changed.get(k, -1) >= last_run[r] for k in r.inputs)]
        if not stale:
            break
        for rule in stale:
            clock += 1
            last_run[rule] = clock
            if _apply(store, rule, inferred):
                changed[rule.output] = clock
    _drop_asserted(store, inferred)
    return _size(store, inferred)


def _apply(store: Store, rule: Rule, inferred: NamedNode) -> bool:
    """Run one rule; True when it added triples to its output."""
    before = _count(store, rule.output, inferred)
    store.update(rule.update)
    return _count(store, rule.output, inferred) > before


def _count(store: Store, output: str, inferred: NamedNode) -> int:
    pattern = f"?s a <{output[2:]}>" if output.startswith("a ") else f"?s <{output}> ?o"
    rows = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {inferred} {{ {pattern} }} }}")
    return next(int(row["n"].value) for row in rows)  # type: ignore[union-attr]


def _size(store: Store, graph: NamedNode) -> int:
    rows = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}")
    return next(int(row["n"].value) for row in rows)  # type: ignore[union-attr]


def _drop_asserted(store: Store, inferred: NamedNode) -> None:
    """Keep in the inferred graph only what no other graph already states."""
    store.update(
        f"""DELETE {{ GRAPH {inferred} {{ ?s ?p ?o }} }} WHERE {{
  GRAPH {inferred} {{ ?s ?p ?o }} GRAPH ?g {{ ?s ?p ?o FILTER(?g != {inferred}) }} }}"""
    )
