"""SHACL validation with pySHACL, results turned into :class:`Violation` objects.

>>> from rdflib import Graph
>>> shapes = Graph().parse(format="turtle", data='''
...   @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://e/> .
...   ex:S a sh:NodeShape ; sh:targetClass ex:T ;
...     sh:property [ sh:path ex:year ; sh:minCount 1 ; sh:message "needs a year" ] .''')
>>> data = Graph().parse(format="turtle", data="<http://e/t> a <http://e/T> .")
>>> [str(v) for v in validate_graphs(data, shapes)]
['Violation: <http://e/t> <http://e/year>: needs a year']
"""

from __future__ import annotations

from pathlib import Path

from pyoxigraph import NamedNode, RdfFormat, Store
from rdflib import Graph, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from kg.errors import Violation


def store_graph(store: Store, graphs: list[NamedNode]) -> Graph:
    """An rdflib copy of some named graphs of a store (via N-Triples)."""
    out = Graph()
    for graph in graphs:
        data = store.dump(format=RdfFormat.N_TRIPLES, from_graph=graph)
        if data:
            out.parse(data=data.decode("utf-8"), format="nt")
    return out


def validate(store: Store, graphs: list[NamedNode], shapes: Path) -> list[Violation]:
    """Validate the union of some graphs of a store against a shapes file."""
    shapes_graph = Graph().parse(shapes, format="turtle")
    return validate_graphs(store_graph(store, graphs), shapes_graph)


def validate_graphs(data: Graph, shapes: Graph) -> list[Violation]:
    """Validate an rdflib graph; return the results, violations first."""
    import pyshacl  # only kg check and kg build --pyshacl need it: keep it off every build

    _conforms, results, _text = pyshacl.validate(
        data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True
    )
    assert isinstance(results, Graph)
    out = [_violation(results, node) for node in results.subjects(SH.resultSeverity, None)]
    return sorted(out, key=lambda v: (v.severity != "Violation", v.focus, v.path or ""))


def _violation(results: Graph, node: Node) -> Violation:
    def one(pred: URIRef) -> str | None:
        value = results.value(node, pred)
        return None if value is None else str(value)

    severity = one(SH.resultSeverity) or "Violation"
    return Violation(
        focus=one(SH.focusNode) or "?",
        path=one(SH.resultPath),
        message=one(SH.resultMessage) or f"constraint {one(SH.sourceConstraintComponent)}",
        severity=severity.rsplit("#", 1)[-1],
        shape=one(SH.sourceShape),
    )
