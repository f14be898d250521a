"""Forward-chaining rules in SPARQL over the store, derived from the ontology.

Scalable (no data leaves Oxigraph): subclass and subproperty closure,
inverses, transitive properties and two-step property chains. The terminology
is closed first, in Python (it is small): each class gets all its superclasses,
each property every property that a triple of it implies through any sequence
of ``rdfs:subPropertyOf`` and ``owl:inverseOf``. The data are then closed in
SPARQL, one ``INSERT … WHERE`` per derived class or property with constant
predicates (so Oxigraph uses its indexes) and a ``FILTER NOT EXISTS`` so that
only new triples enter the inferred graph. Because the closure rules are
complete for what they read, they run again only when a chain, a transitive
property or the caller (HermiT's inferences) added input for them. HermiT
remains the judge of consistency on the terminology and the curated part.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TypeVar

from pyoxigraph import NamedNode, Store

from kg.vocab import GRAPH, OWL, RDF, prologue

T = TypeVar("T")
TYPE = RDF.type.value
THING = OWL.Thing.value

_AXIOMS = prologue("rdf", "rdfs", "owl") + """SELECT ?kind ?a ?b ?c WHERE { GRAPH <ONTO> {
  { ?a rdfs:subClassOf ?b FILTER(isIRI(?a) && isIRI(?b)) BIND("subclass" AS ?kind) }
  UNION { ?a rdfs:subPropertyOf ?b FILTER(isIRI(?a) && isIRI(?b)) BIND("subproperty" AS ?kind) }
  UNION { ?a owl:inverseOf ?b FILTER(isIRI(?a) && isIRI(?b)) BIND("inverse" AS ?kind) }
  UNION { ?a a owl:TransitiveProperty BIND("transitive" AS ?kind) }
  UNION { ?c owl:propertyChainAxiom ?l . ?l rdf:first ?a ; rdf:rest/rdf:first ?b ;
          rdf:rest/rdf:rest rdf:nil BIND("chain" AS ?kind) }
} }"""


@dataclass
class Terminology:
    """The ontology's axioms that the rules use, as plain IRIs."""

    subclass: dict[str, set[str]] = field(default_factory=dict)  # class → direct supers
    subproperty: dict[str, set[str]] = field(default_factory=dict)
    inverse: dict[str, set[str]] = field(default_factory=dict)  # symmetric
    transitive: set[str] = field(default_factory=set)
    chains: set[tuple[str, str, str]] = field(default_factory=set)  # (first, second, result)

    @classmethod
    def read(cls, store: Store, graph: NamedNode = GRAPH.ontology) -> Terminology:
        """The axioms stated in one graph of a store."""
        out = cls()
        for row in store.query(_AXIOMS.replace("<ONTO>", str(graph))):  # type: ignore[union-attr]
            kind, a = row["kind"].value, row["a"].value
            b = row["b"].value if row["b"] is not None else ""
            if kind == "subclass":
                out.subclass.setdefault(a, set()).add(b)
            elif kind == "subproperty":
                out.subproperty.setdefault(a, set()).add(b)
            elif kind == "inverse":
                out.inverse.setdefault(a, set()).add(b)
                out.inverse.setdefault(b, set()).add(a)
            elif kind == "transitive":
                out.transitive.add(a)
            else:
                out.chains.add((a, b, row["c"].value))
        return out

    def superclasses(self, cls: str) -> set[str]:
        """Every class above ``cls`` (``owl:Thing`` left out).

        >>> Terminology(subclass={"A": {"B"}, "B": {"C"}}).superclasses("A") == {"B", "C"}
        True
        """
        return _reach(cls, lambda c: self.subclass.get(c, set())) - {THING}

    def images(self, prop: str) -> set[tuple[str, bool]]:
        """Each ``(q, flipped)`` that a triple ``s prop o`` implies (``o q s`` if flipped).

        >>> t = Terminology(subproperty={"p": {"q"}}, inverse={"q": {"r"}, "r": {"q"}})
        >>> sorted(t.images("p"))
        [('q', False), ('r', True)]
        """

        def step(node: tuple[str, bool]) -> set[tuple[str, bool]]:
            p, flipped = node
            return ({(q, flipped) for q in self.subproperty.get(p, ())}
                    | {(q, not flipped) for q in self.inverse.get(p, ())})

        return _reach((prop, False), step) - {(prop, False)}


def _reach(start: T, step: Callable[[T], Iterable[T]]) -> set[T]:
    """Everything reachable from ``start`` in one or more steps."""
    seen: set[T] = set()
    todo = [start]
    while todo:
        for nxt in step(todo.pop()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


@dataclass(frozen=True)
class Rule:
    """One derived class or property as an update: what it reads and writes.

    Keys name what a rule reads or writes: ``a C`` for the instances of a class,
    a property IRI for its triples. A rule of a named ``family`` is complete for
    its inputs, so growth made by its own family does not make it run again.
    """

    inputs: frozenset[str]
    output: str
    update: str
    family: str = ""
    order: int = 0  # properties first, then chains, transitivity, classes


def compile_rules(term: Terminology, inferred: NamedNode = GRAPH.inferred) -> list[Rule]:
    """The rules a terminology implies, in the order a round runs them.

    >>> t = Terminology(subclass={"http://e/A": {"http://e/B"}})
    >>> [r.output for r in compile_rules(t)]
    ['a http://e/B']
    """
    inf = f"<{inferred.value}>"
    out = _property_rules(term, inf) + _class_rules(term, inf)
    out += [_chain(a, b, c, inf) for a, b, c in sorted(term.chains)]
    out += [_transitive(t, inf) for t in sorted(term.transitive)]
    return sorted(out, key=lambda r: (r.order, r.output, r.update))


def _class_rules(term: Terminology, inf: str) -> list[Rule]:
    subs: dict[str, set[str]] = {}
    for cls in term.subclass:
        for sup in term.superclasses(cls):
            subs.setdefault(sup, set()).add(cls)
    return [_rule(sorted(cs), "a", sup, inf) for sup, cs in sorted(subs.items())]


def _property_rules(term: Terminology, inf: str) -> list[Rule]:
    sources: dict[tuple[str, bool, bool], set[str]] = {}
    for prop in set(term.subproperty) | set(term.inverse):
        plain = _reach(prop, lambda p: term.subproperty.get(p, set()))
        for q, flipped in term.images(prop):
            needs_iri = flipped or q not in plain  # reached through an inverse
            sources.setdefault((q, flipped, needs_iri), set()).add(prop)
    return [_rule(sorted(ps), q, q, inf, flipped, iri)
            for (q, flipped, iri), ps in sorted(sources.items())]


def _rule(inputs: list[str], pred: str, out: str, inf: str,
          flipped: bool = False, needs_iri: bool = False) -> Rule:
    values = " ".join(f"<{i}>" for i in inputs)
    is_type = pred == "a"
    p = "a" if is_type else "?p"
    s, o = ("?o", "?s") if flipped else ("?s", "?o")
    head = f"{s} a <{out}>" if is_type else f"{s} <{out}> {o}"
    cond = " FILTER(!isLiteral(?o))" if needs_iri else ""
    body = "?s a ?p" if is_type else f"?s {p} ?o{cond}"
    # IRIs from the ontology graph (Oxigraph has checked them): no user input here.
    update = (f"INSERT {{ GRAPH {inf} {{ {head} }} }} WHERE {{ VALUES ?p {{ {values} }} "  # noqa: S608
              f"GRAPH ?g {{ {body} }} FILTER NOT EXISTS {{ GRAPH ?h {{ {head} }} }} }}")
    keys = frozenset(f"a {i}" for i in inputs) if is_type else frozenset(inputs)
    output = f"a {out}" if is_type else out
    return Rule(keys, output, update, "class" if is_type else "property", 3 if is_type else 0)


def _transitive(t: str, inf: str) -> Rule:
    head = f"?s <{t}> ?o"
    update = (f"INSERT {{ GRAPH {inf} {{ {head} }} }} "
              f"WHERE {{ GRAPH ?g1 {{ ?s <{t}> ?m }} GRAPH ?g2 {{ ?m <{t}> ?o }} "
              f"FILTER NOT EXISTS {{ GRAPH ?h {{ {head} }} }} }}")
    return Rule(frozenset({t}), t, update, "", 2)


def _chain(a: str, b: str, c: str, inf: str) -> Rule:
    head = f"?s <{c}> ?o"
    update = (f"INSERT {{ GRAPH {inf} {{ {head} }} }} "
              f"WHERE {{ GRAPH ?g1 {{ ?s <{a}> ?m }} GRAPH ?g2 {{ ?m <{b}> ?o }} "
              f"FILTER NOT EXISTS {{ GRAPH ?h {{ {head} }} }} }}")
    return Rule(frozenset({a, b}), c, update, "", 1)


def typing_rule(props: list[str], cls: str, inf: str, of_object: bool) -> Rule:
    """A domain (``of_object`` False) or range: each subject (object) of ``props`` is a
    ``cls`` (:mod:`kg.build.entailment` adds these when HermiT does not judge the data).

    >>> typing_rule(["http://e/p"], "http://e/C", "<http://e/inf>", True).inputs
    frozenset({'http://e/p'})
    """
    node = "?o" if of_object else "?s"
    head = f"{node} a <{cls}>"
    cond = " FILTER(!isLiteral(?o))" if of_object else ""
    values = " ".join(f"<{p}>" for p in props)
    update = (f"INSERT {{ GRAPH {inf} {{ {head} }} }} WHERE {{ VALUES ?p {{ {values} }} "  # noqa: S608
              f"GRAPH ?g {{ ?s ?p ?o{cond} }} FILTER NOT EXISTS {{ GRAPH ?h {{ {head} }} }} }}")
    return Rule(frozenset(props), f"a {cls}", update, "", 2)


def materialise(store: Store, grown: Iterable[str] | None = None, max_rounds: int = 20,
                extra: Iterable[Rule] = ()) -> int:
    """Apply the rules until nothing grows; return the size of the inferred graph.

    ``grown`` names the keys that changed since the last call (``None``: run
    every rule once, as on a fresh store); ``extra`` rules run beside the ontology's.

    >>> from pyoxigraph import Store, Quad, NamedNode as N
    >>> from kg.vocab import GRAPH, RDF, RDFS
    >>> s = Store()
    >>> s.add(Quad(N("http://e/A"), RDFS.subClassOf, N("http://e/B"), GRAPH.ontology))
    >>> s.add(Quad(N("http://e/x"), RDF.type, N("http://e/A"), GRAPH["data/x"]))
    >>> materialise(s)
    1
    >>> materialise(s, grown=[])
    1
    """
    inferred = GRAPH.inferred
    rules = sorted([*compile_rules(Terminology.read(store), inferred), *extra],
                   key=lambda r: (r.order, r.output, r.update))
    changed: dict[str, set[str]] | None = (
        None if grown is None else {key: {"external"} for key in grown})
    for _ in range(max_rounds):
        due = [r for r in rules if changed is None or _triggered(r, changed)]
        if not due:
            break
        changed = {}
        for rule in due:
            if _apply(store, rule, inferred):
                changed.setdefault(rule.output, set()).add(rule.family or rule.output + "#")
    return _size(store, inferred)


def _triggered(rule: Rule, changed: dict[str, set[str]]) -> bool:
    """Did an input grow through something other than the rule's own family?"""
    return any(changed.get(k, set()) - {rule.family} for k in rule.inputs)


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


def keys(triples: Iterable[tuple[str, str, str]]) -> set[str]:
    """The rule keys a set of ``(s, p, o)`` IRIs touches.

    >>> sorted(keys([("x", TYPE, "C"), ("x", "p", "y")]))
    ['a C', 'p']
    """
    return {f"a {o}" if p == TYPE else p for _s, p, o in triples}
