"""When the rules' closure is HermiT's answer, so that HermiT need only judge the ontology.

A build asks HermiT whether the ontology and the curated data have a model, and what they
entail. For an ontology made only of axioms the rules (:mod:`kg.build.rules`, plus the
domains and ranges below) close and this module can check, the data need no JVM:

1. :func:`read_profile` accepts the ontology graph only when every triple is one of:
   a declaration (class, object, datatype or annotation property, functional, transitive,
   ontology header, named individual), an annotation, ``rdfs:subClassOf`` between named
   classes, ``rdfs:subPropertyOf``, ``owl:inverseOf``, a two-step
   ``owl:propertyChainAxiom``, ``rdfs:domain`` / ``rdfs:range`` (a named class, a datatype,
   or ``owl:unionOf`` named classes), ``owl:disjointWith`` / ``owl:AllDisjointClasses`` of
   named classes, or an assertion about an individual. Anything else (restrictions,
   equivalences, keys, cardinalities, nominals…) and HermiT judges everything, as before.
2. :func:`judge` copies the graphs HermiT would read into a scratch store and closes them
   under those axioms (subclasses, subproperties, inverses, chains, transitivity, domains
   and ranges: all Horn rules of OWL 2 RL, each sound). Their closure *M*, read as an
   interpretation (each IRI itself), is then checked against every axiom that no rule
   makes true: no individual in two disjoint classes, at most one value of a functional
   property (else OWL would equate two individuals), each union-valued domain or range
   met by a named member, each literal of a datatype HermiT reads, in its datatype's
   value space and of the property's range, object properties with individuals and
   datatype properties with literals, no OWL, RDF or RDFS term used as data.
3. If every check holds, *M* is a model of the ontology and the data: they are consistent,
   and whatever they entail is true in *M*, which holds only what sound rules derived.
   So *M*'s triples are exactly the class and property assertions HermiT would infer, and
   :func:`judge` returns them. If a check fails (a clash, an equality, an unmet union),
   it returns None and HermiT judges the data as before, so every error is still found
   and reported the same way.

The union-valued ranges (``fi:issuedBy``: an agency or a region) are outside OWL 2 RL;
step 2 checks them in *M* instead of deriving them, which is why this is a model check and
not only the profile's theorem. tests/test_entailment.py holds :func:`judge` to HermiT on
the curated data and on broken fixtures.

>>> from pyoxigraph import NamedNode as N, Quad
>>> from kg.vocab import GRAPH
>>> s = Store()
>>> onto, data = GRAPH.ontology, GRAPH["data/x"]
>>> s.add(Quad(N("http://e/p"), RDF.type, OWL.ObjectProperty, onto))
>>> s.add(Quad(N("http://e/p"), RDFS.domain, N("http://e/A"), onto))
>>> s.add(Quad(N("http://e/x"), N("http://e/p"), N("http://e/y"), data))
>>> judge(s, [onto, data], onto)
[('http://e/x', 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type', 'http://e/A')]
>>> s.add(Quad(N("http://e/x"), N("http://e/p"), N("http://e/z"), data))  # two values…
>>> s.add(Quad(N("http://e/p"), RDF.type, OWL.FunctionalProperty, onto))  # …of one
>>> judge(s, [onto, data], onto) is None                                    # HermiT's turn
True
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pyoxigraph import BlankNode, NamedNode, Quad, Store

from kg.build import consistency, rules
from kg.build.hermit import UNSUPPORTED_DATATYPES
from kg.vocab import GRAPH, OWL, RDF, RDFS, XSD, XSD_NUMERIC

Triple = tuple[str, str, str]
RESERVED = (RDF.base, RDFS.base, OWL.base, XSD.base)
#: Annotation properties OWL 2 itself defines.
ANNOTATIONS = frozenset({RDFS.label, RDFS.comment, RDFS.seeAlso, RDFS.isDefinedBy,
                         OWL.versionInfo, OWL.deprecated, OWL.priorVersion,
                         OWL.backwardCompatibleWith, OWL.incompatibleWith})
DECLARATIONS = frozenset({OWL.Class, RDFS.Class, OWL.ObjectProperty, OWL.DatatypeProperty,
                          OWL.AnnotationProperty, OWL.FunctionalProperty,
                          OWL.TransitiveProperty, OWL.Ontology, OWL.NamedIndividual})
HEADER = frozenset({OWL.imports, OWL.versionIRI})
#: Datatypes of literals HermiT reads as themselves (numbers and booleans are checked for
#: their value space; the ones ``kg.build.hermit`` passes as strings have no such check).
DATATYPES = frozenset({XSD.string.value, RDF.langString.value, XSD.boolean.value,
                       XSD.hexBinary.value, XSD.anyURI.value,
                       *(t.value for t in XSD_NUMERIC), *UNSUPPORTED_DATATYPES})
#: Ranges of datatype properties decided here (others: HermiT judges).
RANGES = frozenset({RDFS.Literal.value, XSD.string.value, XSD.boolean.value,
                    *(t.value for t in XSD_NUMERIC)})
VERSION = "model-check-1"  # in the key its judgements are kept under: bump when it changes
MAX_PASSES = 10  # full passes of the rules before a closure that still grows is given up


class Outside(Exception):
    """The ontology uses an axiom this module does not decide (the message says which)."""


@dataclass
class Profile:
    """The ontology's axioms beyond those :mod:`kg.build.rules` reads, as plain IRIs."""

    objects: set[str] = field(default_factory=set)  # object properties
    datas: set[str] = field(default_factory=set)  # datatype properties
    functional: set[str] = field(default_factory=set)
    domain: dict[str, set[str]] = field(default_factory=dict)  # class → properties
    range: dict[str, set[str]] = field(default_factory=dict)
    datatype: dict[str, set[str]] = field(default_factory=dict)  # datatype → properties
    unions: list[tuple[str, bool, tuple[str, ...]]] = field(default_factory=list)  # (p, of
    #                                                       the object?, member classes)


def judge(store: Store, graphs: list[NamedNode], ontology: NamedNode) -> list[Triple] | None:
    """What the ontology and ``graphs`` entail (IRI triples), or None when HermiT must say.

    ``graphs`` are those HermiT would read, the ontology graph among them.
    """
    return decide(copy(store, graphs), ontology)


def copy(store: Store, graphs: list[NamedNode]) -> Store:
    """A scratch store of ``graphs`` (:func:`decide` adds to it)."""
    scratch = Store()
    for graph in graphs:
        scratch.extend(store.quads_for_pattern(None, None, None, graph))
    return scratch


def decide(scratch: Store, ontology: NamedNode) -> list[Triple] | None:
    """:func:`judge` on a scratch store of the graphs (:func:`copy`), which it closes."""
    try:
        profile = read_profile(scratch, ontology)
    except Outside:
        return None
    if not _as_data(scratch, profile, ontology) or not _close(scratch, profile):
        return None
    if not _model(scratch, profile):
        return None
    return sorted((q.subject.value, q.predicate.value, q.object.value)
                  for q in scratch.quads_for_pattern(None, None, None, GRAPH.inferred)
                  if isinstance(q.subject, NamedNode) and isinstance(q.object, NamedNode))


def read_profile(store: Store, ontology: NamedNode) -> Profile:
    """The ontology's domains, ranges, functional properties and kinds of property;
    :class:`Outside` when it states anything else than the axioms listed above.

    >>> s = Store()
    >>> p = NamedNode("http://e/p")
    >>> s.add(Quad(p, RDF.type, OWL.SymmetricProperty, GRAPH.ontology))
    >>> read_profile(s, GRAPH.ontology)
    Traceback (most recent call last):
    kg.build.entailment.Outside: <http://e/p> rdf:type <http://www.w3.org/2002/07/owl#SymmetricProperty>
    """
    quads = list(store.quads_for_pattern(None, None, None, ontology))
    reader = _Reader(quads)
    for q in quads:
        if not isinstance(q.subject, BlankNode):
            reader.named(q)
    for node in reader.roots:
        reader.disjoint_group(node)
    reader.simple()
    stray = {q.subject for q in quads if isinstance(q.subject, BlankNode)} - reader.used
    if stray:
        raise Outside(f"a blank node of an axiom not decided here: {sorted(map(str, stray))[0]}")
    return reader.profile


class _Reader:
    """One pass over the ontology's triples with a named subject (blank nodes: lists,
    unions and groups of disjoint classes, read where they are used)."""

    def __init__(self, quads: list[Quad]) -> None:
        self.profile = Profile()
        self.used: set[Any] = set()
        self.roots: list[BlankNode] = []
        self.about: dict[Any, list[Quad]] = {}
        for q in quads:
            self.about.setdefault(q.subject, []).append(q)
        kinds = {(q.subject, q.object) for q in quads if q.predicate == RDF.type}

        def declared(kind: NamedNode) -> set[str]:
            return {s.value for s, o in kinds if o == kind and isinstance(s, NamedNode)}

        self.annotations = ANNOTATIONS | {NamedNode(p) for p in declared(OWL.AnnotationProperty)}
        self.profile.objects = declared(OWL.ObjectProperty)
        self.profile.datas = declared(OWL.DatatypeProperty)
        self.profile.functional = declared(OWL.FunctionalProperty)
        self.roots = [s for s, o in kinds if o == OWL.AllDisjointClasses
                      and isinstance(s, BlankNode)]
        self.used.update(self.roots)
        self.transitive = declared(OWL.TransitiveProperty)
        self.chains: set[str] = set()
        self.supers: dict[str, set[str]] = {}

    def named(self, q: Quad) -> None:
        s, p, o = q.subject, q.predicate, q.object
        if p in self.annotations or p in HEADER:
            return
        if p == RDF.type:
            if o in DECLARATIONS or (isinstance(o, NamedNode) and not _reserved(o)):
                return
        elif p in (RDFS.subPropertyOf, OWL.inverseOf, OWL.disjointWith, RDFS.subClassOf):
            if self.pair(s, p, o):
                return
        elif p in (RDFS.domain, RDFS.range) and isinstance(s, NamedNode):
            return self.typed(s.value, p == RDFS.range, o)
        elif p == OWL.propertyChainAxiom and isinstance(s, NamedNode):
            if isinstance(o, BlankNode) and len(chain := self.names(o)) == 2 and all(
                    c in self.profile.objects for c in chain):
                self.chains.add(s.value)
                return
        elif not _reserved(p):  # an assertion about an individual
            return
        raise Outside(f"{s} {_short(p)} {o}")

    def pair(self, s: Any, p: NamedNode, o: Any) -> bool:
        """An axiom between two named terms of ours: both properties of one kind (object
        properties for an inverse), or classes (``owl:Thing`` as a superclass)."""
        if not isinstance(o, NamedNode) or _reserved(s) or (_reserved(o) and (
                p != RDFS.subClassOf or o != OWL.Thing)):
            return False
        if p == RDFS.subPropertyOf:
            self.supers.setdefault(s.value, set()).add(o.value)
            kinds = self.profile.objects, self.profile.datas
            return not any(s.value in a and o.value in b for a, b in (kinds, kinds[::-1]))
        if p == OWL.inverseOf:
            return s.value in self.profile.objects and o.value in self.profile.objects
        return True

    def typed(self, prop: str, is_range: bool, o: Any) -> None:
        """A domain or range: a named class, a datatype, or a union of named classes."""
        prof = self.profile
        if (prop in prof.datas) == (prop in prof.objects):  # an annotation property's
            raise Outside(f"<{prop}>: a domain or range, but not of an object or a datatype "
                          "property (exactly one)")  # domain means nothing in OWL 2 DL
        is_data = prop in prof.datas
        if isinstance(o, BlankNode) and not (is_range and is_data):
            prof.unions.append((prop, is_range, tuple(self.union(o))))
        elif isinstance(o, BlankNode):
            raise Outside(f"<{prop}>: a data range other than a datatype")
        elif is_range and is_data:
            if o.value not in RANGES:
                raise Outside(f"<{prop}>: range {o}, a datatype not decided here")
            if o != RDFS.Literal:
                prof.datatype.setdefault(o.value, set()).add(prop)
        elif _reserved(o) and o != OWL.Thing:
            raise Outside(f"<{prop}>: a domain or range {o}")
        elif o != OWL.Thing:
            (prof.range if is_range else prof.domain).setdefault(o.value, set()).add(prop)

    def simple(self) -> None:
        """OWL 2 DL's global restriction: a functional property is simple (neither
        transitive nor a chain's result, nor above one), else HermiT refuses the ontology."""
        composite = self.chains | self.transitive
        todo = list(composite)
        while todo:
            for sup in self.supers.get(todo.pop(), set()):
                if sup not in composite:
                    composite.add(sup)
                    todo.append(sup)
        if clash := sorted(composite & self.profile.functional):
            raise Outside(f"functional and not simple: {clash}")

    def union(self, node: BlankNode) -> list[str]:
        about = {(q.predicate, q.object) for q in self.about.get(node, [])}
        head = next((o for p, o in about if p == OWL.unionOf), None)
        if about - {(RDF.type, OWL.Class), (OWL.unionOf, head)} or head is None:
            raise Outside(f"{node}: a class expression other than a union of named classes")
        self.used.add(node)
        return self.names(head)

    def disjoint_group(self, node: BlankNode) -> None:
        about = {(q.predicate, q.object) for q in self.about.get(node, [])}
        head = next((o for p, o in about if p == OWL.members), None)
        if about - {(RDF.type, OWL.AllDisjointClasses), (OWL.members, head)} or head is None:
            raise Outside(f"{node}: owl:AllDisjointClasses with more than owl:members")
        self.names(head)

    def names(self, head: Any) -> list[str]:
        """The named members of an RDF list (its cells then count as read)."""
        out: list[str] = []
        while head != RDF.nil:
            cell = {q.predicate: q.object for q in self.about.get(head, [])}
            first = cell.get(RDF.first)
            if (not isinstance(head, BlankNode) or set(cell) != {RDF.first, RDF.rest}
                    or not isinstance(first, NamedNode) or head in self.used):
                raise Outside(f"{head}: a list of anything but named terms")
            self.used.add(head)
            out.append(first.value)
            head = cell[RDF.rest]
        return out


def _reserved(term: Any) -> bool:
    return isinstance(term, NamedNode) and term.value.startswith(RESERVED)


def _short(term: NamedNode) -> str:
    for name, ns in (("rdf", RDF), ("rdfs", RDFS), ("owl", OWL)):
        if term.value.startswith(ns.base):
            return f"{name}:{term.value[len(ns.base):]}"
    return str(term)


def _ask(store: Store, query: str) -> bool:
    return bool(store.query(query, use_default_graph_as_union=True))


def _values(iris: Iterable[str]) -> str:
    return " ".join(f"<{i}>" for i in sorted(iris))


def _as_data(scratch: Store, profile: Profile, ontology: NamedNode) -> bool:
    """Do the data graphs hold data only (no OWL, RDF or RDFS term but a type, an
    annotation, or as a class), and every literal of a datatype HermiT reads, valid?"""
    allowed = _values({RDF.type.value} | {a.value for a in ANNOTATIONS})
    reserved = " || ".join(f'STRSTARTS(STR(?t), "{ns}")' for ns in RESERVED)
    misuse = f"""ASK {{ GRAPH ?g {{ {{ ?s ?t ?o FILTER(?t NOT IN ({allowed.replace(" ", ", ")}))
          }} UNION {{ ?s a ?t FILTER(?t NOT IN (<{OWL.NamedIndividual.value}>,
          <{OWL.Thing.value}>)) }} }} FILTER(?g != <{ontology.value}> && ({reserved})) }}"""
    literals = f"""ASK {{ ?s ?p ?o FILTER(isLiteral(?o)
          && (DATATYPE(?o) NOT IN ({_values(DATATYPES).replace(" ", ", ")})
              || DATATYPE(?o) = <{XSD.hexBinary.value}>
                 && !REGEX(STR(?o), "^([0-9a-fA-F]{{2}})*$"))) }}"""
    if _ask(scratch, misuse) or _ask(scratch, literals):
        return False
    graphs = [g for g in _graphs(scratch)]
    return not consistency.ill_typed(scratch, graphs)


def _graphs(store: Store) -> list[NamedNode]:
    return [g for g in store.named_graphs() if isinstance(g, NamedNode)]


def _close(scratch: Store, profile: Profile) -> bool:
    """Close the scratch store under the rules, domains and ranges; False if it would not
    stop growing."""
    extra = _typing_rules(profile)
    size = rules.materialise(scratch, extra=extra)
    for _ in range(MAX_PASSES):
        again = rules.materialise(scratch, extra=extra)  # every rule once more
        if again == size:
            return True
        size = again
    return False


def _typing_rules(profile: Profile) -> list[rules.Rule]:
    inf = f"<{GRAPH.inferred.value}>"
    out = []
    for cls, props in sorted(profile.domain.items()):
        out.append(rules.typing_rule(sorted(props), cls, inf, of_object=False))
    for cls, props in sorted(profile.range.items()):
        out.append(rules.typing_rule(sorted(props), cls, inf, of_object=True))
    return out


def _model(scratch: Store, profile: Profile) -> bool:
    """Does the closure meet every axiom no rule makes true (see the module's text)?"""
    if consistency.disjoint_clashes(scratch):
        return False
    checks = []
    if profile.functional:
        checks.append(f"""ASK {{ VALUES ?p {{ {_values(profile.functional)} }}
            ?x ?p ?a . ?x ?p ?b FILTER(!sameTerm(?a, ?b)) }}""")
    for prop, of_object, members in profile.unions:
        node = "?o" if of_object else "?s"
        checks.append(f"""ASK {{ ?s <{prop}> ?o FILTER NOT EXISTS {{
            VALUES ?c {{ {_values(members)} }} {node} a ?c }} }}""")
    for datatype, props in sorted(profile.datatype.items()):
        checks.append(f"""ASK {{ VALUES ?p {{ {_values(props)} }} ?s ?p ?o
            FILTER(!isLiteral(?o) || DATATYPE(?o) != <{datatype}>) }}""")
    if profile.objects:
        checks.append(f"ASK {{ VALUES ?p {{ {_values(profile.objects)} }} ?s ?p ?o "
                      "FILTER(isLiteral(?o)) }")
    if profile.datas:
        checks.append(f"ASK {{ VALUES ?p {{ {_values(profile.datas)} }} ?s ?p ?o "
                      "FILTER(!isLiteral(?o)) }")
    checks.append(f"ASK {{ ?s a <{OWL.Nothing.value}> }}")
    return not any(_ask(scratch, q) for q in checks)

