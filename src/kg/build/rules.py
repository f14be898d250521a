"""Forward-chaining rules in SPARQL over the store, derived from the ontology.

Fast and scalable (no data leaves Oxigraph): subclass and subproperty closure,
inverses, transitive properties and two-step property chains. HermiT remains
the judge of consistency on the terminology and the curated part; these rules
materialise the same entailments for data of any size.
"""

from __future__ import annotations

from pyoxigraph import NamedNode, Store

from kg.vocab import GRAPH

_PREFIXES = """PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
"""

# Each rule inserts into the inferred graph what the whole dataset entails.
RULES: dict[str, str] = {
    "subclass": """INSERT { GRAPH <INF> { ?x a ?d } } WHERE {
  GRAPH <ONTO> { ?c rdfs:subClassOf+ ?d FILTER(isIRI(?d) && ?d != owl:Thing) }
  GRAPH ?g { ?x a ?c } }""",
    "subproperty": """INSERT { GRAPH <INF> { ?s ?q ?o } } WHERE {
  GRAPH <ONTO> { ?p rdfs:subPropertyOf+ ?q FILTER(isIRI(?q)) }
  GRAPH ?g { ?s ?p ?o } }""",
    "inverse": """INSERT { GRAPH <INF> { ?o ?q ?s } } WHERE {
  GRAPH <ONTO> { { ?p owl:inverseOf ?q } UNION { ?q owl:inverseOf ?p } }
  GRAPH ?g { ?s ?p ?o FILTER(!isLiteral(?o)) } }""",
    "chain": """INSERT { GRAPH <INF> { ?s ?p ?o } } WHERE {
  GRAPH <ONTO> { ?p owl:propertyChainAxiom ?l . ?l rdf:first ?a ; rdf:rest/rdf:first ?b ;
                 rdf:rest/rdf:rest rdf:nil }
  GRAPH ?g1 { ?s ?a ?m } GRAPH ?g2 { ?m ?b ?o } }""",
    "transitive": """INSERT { GRAPH <INF> { ?s ?p ?o } } WHERE {
  GRAPH <ONTO> { ?p a owl:TransitiveProperty }
  GRAPH ?g1 { ?s ?p ?m } GRAPH ?g2 { ?m ?p ?o } }""",
}


def materialise(store: Store, max_rounds: int = 6) -> int:
    """Apply the rules to a fixpoint; return the size of the inferred graph.

    >>> from pyoxigraph import Store, Quad, NamedNode as N
    >>> from kg.vocab import GRAPH, RDF, RDFS
    >>> s = Store()
    >>> s.add(Quad(N("http://e/A"), RDFS.subClassOf, N("http://e/B"), GRAPH.ontology))
    >>> s.add(Quad(N("http://e/x"), RDF.type, N("http://e/A"), GRAPH["data/x"]))
    >>> materialise(s)
    1
    """
    inferred, before = GRAPH.inferred, -1
    size = _size(store, inferred)
    for _ in range(max_rounds):
        if size == before:
            break
        for rule in RULES.values():
            store.update(_render(rule, inferred))
        before, size = size, _size(store, inferred)
    _drop_asserted(store, inferred)
    return _size(store, inferred)


def _render(rule: str, inferred: NamedNode) -> str:
    text = rule.replace("<INF>", str(inferred)).replace("<ONTO>", str(GRAPH.ontology))
    return _PREFIXES + text


def _size(store: Store, graph: NamedNode) -> int:
    rows = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}")
    return next(int(row["n"].value) for row in rows)  # type: ignore[union-attr]


def _drop_asserted(store: Store, inferred: NamedNode) -> None:
    """Keep in the inferred graph only what no other graph already states."""
    store.update(
        f"""DELETE {{ GRAPH {inferred} {{ ?s ?p ?o }} }} WHERE {{
  GRAPH {inferred} {{ ?s ?p ?o }} GRAPH ?g {{ ?s ?p ?o FILTER(?g != {inferred}) }} }}"""
    )
