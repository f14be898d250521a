"""Which variables a SPARQL query leaves to its caller, from rdflib's algebra.

A variable is *bound* by the query when a triple pattern, BIND, VALUES, GRAPH or
aggregate gives it a value; it is *used* when it appears anywhere in the WHERE
clause (FILTER, EXISTS, ORDER BY, …). Variables used but never bound are inputs:
they only have a value when the caller binds them (pyoxigraph substitutions).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rdflib.paths import Path
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import Variable


@dataclass
class Scan:
    bound: set[str] = field(default_factory=set)
    used: set[str] = field(default_factory=set)
    renames: dict[str, str] = field(default_factory=dict)  # __agg_n__ -> grouped variable


def inputs(query: str) -> set[str]:
    """Variables the query uses but never binds."""
    scan = analyse(query)
    return scan.used - scan.bound


def used(query: str) -> set[str]:
    """Variables the WHERE clause mentions."""
    return analyse(query).used


def analyse(query: str) -> Scan:
    algebra = prepareQuery(query).algebra
    scan = Scan()
    _collect_renames(algebra, scan)
    _walk(algebra["p"], scan, top=True)
    scan.used = {v for v in scan.used if not v.startswith("__")}
    return scan


def _collect_renames(node: Any, scan: Scan) -> None:
    if isinstance(node, CompValue):
        if node.name == "Aggregate_Sample" and isinstance(node.vars, Variable):
            scan.renames[str(node.res)] = str(node.vars)
        for key, value in node.items():
            if key != "_vars":
                _collect_renames(value, scan)
    elif isinstance(node, list | tuple):
        for item in node:
            _collect_renames(item, scan)


def _walk(node: Any, scan: Scan, top: bool = False) -> None:
    if isinstance(node, Variable):
        scan.used.add(str(node))
    elif isinstance(node, CompValue):
        _walk_comp(node, scan, top)
    elif isinstance(node, dict):
        for key, value in node.items():
            if isinstance(key, Variable):
                scan.bound.add(str(key))
            _walk(value, scan)
    elif isinstance(node, list | tuple | set):
        for item in node:
            _walk(item, scan)
    elif isinstance(node, Path):
        return


def _walk_comp(node: CompValue, scan: Scan, top: bool) -> None:
    if node.name in ("BGP", "TriplesBlock"):
        for triple in node.triples:
            for term in triple:
                if isinstance(term, Variable):
                    scan.bound.add(str(term))
                    scan.used.add(str(term))
    elif node.name == "Extend":
        expr = node.expr
        renamed = isinstance(expr, Variable) and scan.renames.get(str(expr)) == str(node.var)
        if not renamed:
            scan.bound.add(str(node.var))
    elif node.name.startswith("Aggregate_"):
        scan.bound.add(str(node.res))
    elif node.name == "Graph" and isinstance(node.term, Variable):
        scan.bound.add(str(node.term))
    for key, value in node.items():
        if key == "_vars" or (key == "PV" and top) or key == "var":
            continue
        if node.name == "Aggregate_Sample" and str(node.res) in scan.renames:
            continue
        _walk(value, scan, top=top and node.name in ("Project", "Distinct", "Reduced",
                                                      "Slice", "OrderBy", "Extend",
                                                      "AggregateJoin", "ToMultiSet"))
