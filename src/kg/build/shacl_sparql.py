"""SHACL Core compiled to SPARQL, for graphs too large for pySHACL.

Each constraint of the shapes becomes one SELECT over the union of the store's
graphs that returns the violating focus nodes, so a million triples are checked
inside Oxigraph. The compiler covers the Core features the project's shapes use
(targets by class and objects-of; IRI, inverse and sequence paths; counts,
datatype, class, language, length, range, ``in``, ``hasValue``, ``uniqueLang``,
``lessThanOrEquals``, qualified counts, ``and`` / ``or`` / ``node`` and SPARQL
constraints). Anything else raises :class:`Unsupported`, and the build falls
back to pySHACL. tests/test_shacl_sparql.py checks both agree.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from rdflib import RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.term import Node

from kg.build.shacl_checks import SUBCLASSES, Check, Unsupported, subclasses
from kg.vocab import XSD, XSD_NUMERIC

__all__ = ["SUBCLASSES", "Check", "Unsupported", "compile_shapes", "subclasses"]

_SUBCLASS = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>/<http://www.w3.org/2000/01/rdf-schema#subClassOf>*"
_HANDLED = {
    SH.targetClass, SH.targetObjectsOf, SH.property, SH.path, SH.message, SH.minCount,
    SH.maxCount, SH.datatype, SH["class"], SH.languageIn, SH.minLength, SH.minInclusive,
    SH["in"], SH.hasValue, SH.uniqueLang, SH.lessThanOrEquals, SH.qualifiedValueShape,
    SH.qualifiedMinCount, SH.qualifiedMaxCount, SH["or"], SH["and"], SH.node, SH.sparql,
    SH.severity, RDF.type, SH.name, SH.description, RDFS.comment, RDFS.label,
}


def compile_shapes(shapes: Path, classes: dict[str, set[str]] | None = None) -> list[Check]:
    """Compile a shapes file into checks (raises :class:`Unsupported`).

    ``classes`` maps a class to its subclasses so that class tests become plain
    ``VALUES`` lookups; without it, ``rdf:type/rdfs:subClassOf*`` paths are used.
    """
    graph = Graph().parse(shapes, format="turtle")
    compiler = _Compiler(graph, classes)
    checks: list[Check] = []
    for shape in sorted(set(graph.subjects(RDF.type, SH.NodeShape)), key=str):
        if isinstance(shape, URIRef) or list(graph.objects(shape, SH.targetClass)):
            checks += compiler.node_shape(shape)
    return checks


class _Compiler:
    def __init__(self, graph: Graph, classes: dict[str, set[str]] | None) -> None:
        self.g = graph
        self.classes = classes
        self.n = 0

    def instance(self, v: str, classes: list[Node]) -> str:
        """A pattern: ``v`` is a SHACL instance of one of the classes."""
        if self.classes is None:
            return " UNION ".join(f"{{ {v} {_SUBCLASS} <{c}> }}" for c in classes)
        names = sorted({s for c in classes for s in self.classes.get(str(c), {str(c)})})
        return "{ " + " UNION ".join(f"{{ {v} a <{n}> }}" for n in names) + " }"

    def targets(self, shape: Node) -> str:
        classes = list(self.g.objects(shape, SH.targetClass))
        patterns = [self.instance("?this", classes)] if classes else []
        patterns += [f"{{ ?t_s <{p}> ?this }}" for p in self.g.objects(shape, SH.targetObjectsOf)]
        return " UNION ".join(patterns)

    def var(self) -> str:
        self.n += 1
        return f"?v{self.n}"

    def one(self, node: Node, pred: URIRef) -> Node | None:
        return self.g.value(node, pred)

    def node_shape(self, shape: Node) -> list[Check]:
        self._supported(shape)
        targets = self.targets(shape)
        message = str(self.one(shape, SH.message) or "does not conform to " + str(shape))
        checks = [self._check(targets, f"FILTER(!({expr}))", None, message, shape)
                  for expr in self.value_exprs(shape, "?this")]
        for prop in self.g.objects(shape, SH.property):
            checks += self.property_shape(prop, targets, shape)
        for sparql in self.g.objects(shape, SH.sparql):
            checks.append(self._sparql(sparql, targets, shape))
        return checks

    def _check(
        self, targets: str, body: str, path: str | None, message: str, shape: Node,
        severity_of: Node | None = None,
    ) -> Check:
        severity_of = shape if severity_of is None else severity_of
        where = body.replace("TARGETS", targets) if "TARGETS" in body else f"{targets} {body}"
        query = f"SELECT DISTINCT * WHERE {{ {where} }}"
        severity = self.severity(severity_of)
        return Check(query, path, message, str(shape), severity, targets, _screen(body))

    def _supported(self, node: Node) -> None:
        extra = {p for p in self.g.predicates(node, None)} - _HANDLED
        if extra:
            raise Unsupported(f"{node}: {sorted(map(str, extra))}")

    def severity(self, node: Node, default: str = "Violation") -> str:
        value = self.one(node, SH.severity)
        return default if value is None else str(value).rsplit("#", 1)[-1]

    def path(self, node: Node) -> tuple[str, str]:
        """(SPARQL path, result path IRI) of a sh:path value."""
        if isinstance(node, URIRef):
            return f"<{node}>", str(node)
        inverse = self.one(node, SH.inversePath)
        if isinstance(inverse, URIRef):
            return f"^<{inverse}>", str(node)
        if self.one(node, RDF.first) is not None:
            parts = [self.path(p)[0] for p in Collection(self.g, node)]
            return "/".join(parts), str(node)
        raise Unsupported(f"path {node}")

    def property_shape(self, prop: Node, targets: str, shape: Node) -> list[Check]:
        self._supported(prop)
        path, result_path = self.path(self.one(prop, SH.path))  # type: ignore[arg-type]
        msg = str(self.one(prop, SH.message) or f"{result_path} does not conform")
        shown = None if isinstance(self.one(prop, SH.path), BNode) else result_path
        bodies = self.count_bodies(prop, path) + self.value_bodies(prop, path)
        return [self._check(targets, body, shown, msg, shape, prop) for body in bodies]

    def count_bodies(self, prop: Node, path: str) -> list[str]:
        out = []
        for pred, op in ((SH.minCount, "<"), (SH.maxCount, ">")):
            n = self.one(prop, pred)
            if n is not None:
                out.append(self._count(path, lambda _v: "true", op, _int(n)))
        qshape = self.one(prop, SH.qualifiedValueShape)
        for pred, op in ((SH.qualifiedMinCount, "<"), (SH.qualifiedMaxCount, ">")):
            n = self.one(prop, pred)
            if n is not None and qshape is not None:
                def cond(v: str, shape: Node = qshape) -> str:
                    return " && ".join(self.node_exprs(shape, v)) or "true"
                out.append(self._count(path, cond, op, _int(n)))
        return out

    def _count(self, path: str, cond: Callable[[str], str], op: str, n: int) -> str:
        """Focus nodes with fewer (``<``) or more (``>``) than n values meeting cond.

        The usual bounds become a join or an anti-join, which Oxigraph runs far
        faster than a grouped count over every focus node.
        """
        if op == "<" and n == 1:
            return f"FILTER NOT EXISTS {{ ?this {path} ?cv FILTER({cond('?cv')}) }}"
        if op == ">" and n == 0:
            return f"?this {path} ?cv FILTER({cond('?cv')})"
        if op == ">" and n == 1:
            return (f"?this {path} ?cv1 . ?this {path} ?cv2 "
                    f"FILTER(!sameTerm(?cv1, ?cv2) && ({cond('?cv1')}) && ({cond('?cv2')}))")
        return (f"{{ SELECT ?this (COUNT(DISTINCT ?cv) AS ?count) WHERE {{ TARGETS "
                f"OPTIONAL {{ ?this {path} ?cv FILTER({cond('?cv')}) }} }} GROUP BY ?this "
                f"HAVING(COUNT(DISTINCT ?cv) {op} {n}) }}")

    def value_bodies(self, prop: Node, path: str) -> list[str]:
        """One scan of the values for all value constraints (they share the shape's message).

        A constraint that cannot be evaluated on a value (``LANG`` of an IRI) fails it.
        """
        exprs = [f"COALESCE({e}, false)" for e in self.value_exprs(prop, "?value")]
        out = [f"?this {path} ?value FILTER(!({' && '.join(exprs)}))"] if exprs else []
        has = self.one(prop, SH.hasValue)
        if has is not None:
            out.append(f"FILTER NOT EXISTS {{ ?this {path} {self.term(has)} }}")
        if self.one(prop, SH.uniqueLang) == Literal(True):
            same = "?a != ?b && LANG(?a) != '' && LANG(?a) = LANG(?b)"
            out.append(f"?this {path} ?a, ?b FILTER({same})")
        other = self.one(prop, SH.lessThanOrEquals)
        if other is not None:
            out.append(f"?this {path} ?a . ?this <{other}> ?b FILTER(!(?a <= ?b))")
        return out

    def term(self, node: Node) -> str:
        if isinstance(node, URIRef):
            return f"<{node}>"
        if isinstance(node, Literal):
            return node.n3()
        raise Unsupported(f"term {node}")

    def value_exprs(self, node: Node, v: str) -> list[str]:
        """Boolean SPARQL expressions that each value ``v`` must satisfy."""
        g, out = self.g, []
        for d in g.objects(node, SH.datatype):
            out.append(f"(isLiteral({v}) && DATATYPE({v}) = <{d}>{_well_formed(str(d), v)})")
        for c in g.objects(node, SH["class"]):
            out.append(f"EXISTS {self.instance(v, [c])}")
        for langs in g.objects(node, SH.languageIn):
            tests = [f'LANGMATCHES(LANG({v}), "{lang}")' for lang in Collection(g, langs)]
            out.append("(" + " || ".join(tests) + ")")
        for n in g.objects(node, SH.minLength):
            out.append(f"(!isBlank({v}) && STRLEN(STR({v})) >= {_int(n)})")
        for n in g.objects(node, SH.minInclusive):
            out.append(f"({v} >= {self.term(n)})")
        for values in g.objects(node, SH["in"]):
            out.append(f"({v} IN ({', '.join(self.term(x) for x in Collection(g, values))}))")
        for ref in g.objects(node, SH.node):
            out.append(" && ".join(self.node_exprs(ref, v)) or "true")
        for items in g.objects(node, SH["or"]):
            out.append("(" + " || ".join(self.conj(i, v) for i in Collection(g, items)) + ")")
        for items in g.objects(node, SH["and"]):
            out.append("(" + " && ".join(self.conj(i, v) for i in Collection(g, items)) + ")")
        return out

    def conj(self, shape: Node, v: str) -> str:
        return "(" + (" && ".join(self.node_exprs(shape, v)) or "true") + ")"

    def node_exprs(self, shape: Node, v: str) -> list[str]:
        """Expressions for a shape applied to node ``v`` (nested shapes, no messages)."""
        self._supported(shape)
        out = self.value_exprs(shape, v)
        if self.one(shape, SH.path) is not None:
            out += self.nested_property(shape, v)
        for prop in self.g.objects(shape, SH.property):
            out += self.nested_property(prop, v)
        return out

    def nested_property(self, prop: Node, v: str) -> list[str]:
        path, _ = self.path(self.one(prop, SH.path))  # type: ignore[arg-type]
        x, y = self.var(), self.var()
        out = []
        if (n := self.one(prop, SH.minCount)) is not None and _int(n) > 0:
            if _int(n) > 1:
                raise Unsupported("nested minCount > 1")
            out.append(f"EXISTS {{ {v} {path} {x} }}")
        if (n := self.one(prop, SH.maxCount)) is not None:
            if _int(n) > 1:
                raise Unsupported("nested maxCount > 1")
            clash = f"FILTER({x} != {y})" if _int(n) == 1 else ""
            out.append(f"NOT EXISTS {{ {v} {path} {x} . {v} {path} {y} {clash} }}")
        for e in self.value_exprs(prop, x):
            out.append(f"NOT EXISTS {{ {v} {path} {x} FILTER(!({e})) }}")
        return out

    def _sparql(self, node: Node, targets: str, shape: Node) -> Check:
        select = str(self.one(node, SH.select))
        prefixes = "".join(
            f"PREFIX {self.one(d, SH.prefix)}: <{self.one(d, SH.namespace)}>\n"
            for decl in self.g.objects(node, SH.prefixes)
            for d in self.g.objects(decl, SH.declare)
        )
        # $this is pre-bound in SHACL-SPARQL: put the targets first in the WHERE clause.
        inner = re.sub(r"WHERE\s*\{", lambda _: "WHERE { " + targets + " ", select, count=1)
        query = prefixes + inner.replace("$this", "?this")
        message = str(self.one(node, SH.message) or "SPARQL constraint")
        return Check(query, None, message, str(shape), self.severity(node, self.severity(shape)))


def _screen(body: str) -> str | None:
    """The body of a check as a test of one bound ``?this`` (None: a grouped count).

    >>> _screen("FILTER NOT EXISTS { ?this <p> ?v }")
    'NOT EXISTS { ?this <p> ?v }'
    >>> _screen("?this <p> ?value FILTER(!(isIRI(?value)))")
    'EXISTS { ?this <p> ?value FILTER(!(isIRI(?value))) }'
    """
    if "TARGETS" in body:
        return None
    if body.startswith("FILTER NOT EXISTS {") and body.endswith("}"):
        return body.removeprefix("FILTER ")
    if body.startswith("FILTER(") and body.count("FILTER(") == 1:
        return body.removeprefix("FILTER")
    return f"EXISTS {{ {body} }}"


_NUMERIC = {t.value for t in XSD_NUMERIC}


def _well_formed(datatype: str, v: str) -> str:
    """The extra test that a literal is a value of its datatype (as pySHACL checks).

    >>> _well_formed("http://www.w3.org/2001/XMLSchema#integer", "?v")
    ' && isNumeric(?v)'
    """
    if datatype in _NUMERIC:
        return f" && isNumeric({v})"
    if datatype == XSD.boolean.value:
        return f" && ({v} = true || {v} = false)"
    return ""


def _int(node: Node) -> int:
    """An integer-valued SHACL parameter (sh:minCount 1 …)."""
    return int(str(node))
