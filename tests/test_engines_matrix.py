"""Conformance matrix: every packaged question, on the local build and on real SPARQL engines.

For each question of the catalogue (queries/*.rq) with its default parameters, with its
declared examples, with the golden cases of tests/catalogue and with Chinese parameters, the
answer of the local build (:func:`kg.catalogue.answer` on the build) is the reference;
each engine (`oxigraph serve`, Virtuoso) gets the same question through the remote path that
`kg query --endpoint` and `kg serve --backend` use (:func:`kg.catalogue.answer` on a
:class:`~kg.remote.endpoint.RemoteEndpoint`), and one
test case per (question, parameters, engine) checks:

* the same rows, compared by meaning: a multiset of rows, each a dict variable -> term, with
  blank nodes as "some blank node", numbers by value (Virtuoso says xsd:int where Oxigraph
  says xsd:integer) and language tags case-insensitively. A GROUP_CONCAT column means the
  set of its parts: their order is left open by SPARQL, and neither its language tag nor the
  difference between "" and unbound counts. pyoxigraph 0.5 keeps the language tag that all
  the parts share and leaves a group with no parts unbound; Virtuoso returns a plain string
  and "". The W3C has since ruled that GROUP_CONCAT never carries a language tag
  (w3c/rdf-tests#280), which later Oxigraph releases follow;
* the same order, where the question has ORDER BY on its outermost query: the sequence of
  the rows' sort keys must be the same (rows that tie may come in any order). Sort keys that
  are not result columns are read from the local build, by running the question there with
  them projected as well.

Federated questions (SERVICE to Wikidata) need the network and are not in the matrix: see
tests/test_federation.py.
"""

from __future__ import annotations

import dataclasses
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

import httpx
import pytest
from pyoxigraph import BlankNode, Literal, NamedNode, QuerySolutions, Store
from rdflib import Graph
from rdflib.namespace import DCTERMS, VOID

import _engines
from catalogue._golden import SEPARATORS, joined_columns
from catalogue.test_catalogue_queries import EXTRA_CASES
from kg.catalogue import Catalogue, StoredQuery, answer
from kg.remote.endpoint import RemoteEndpoint
from kg.sparql import Result, syntax
from kg.store import Build

CATALOGUE = Catalogue.load()
QUESTIONS = {q.name: q for q in CATALOGUE.queries() if not q.federated}
ENGINES = ("oxigraph", "virtuoso")

# Parameter sets beyond each question's defaults and declared examples: Chinese text and
# labels (the remote path sends them inside the query, where an engine may mangle them).
CHINESE_CASES: list[tuple[str, dict[str, str]]] = [
    ("search-labels", {"text": "量子", "lang": "zh"}),
    ("search-labels", {"text": "人工智能", "lang": "zh"}),
    ("sector-regions", {"sector": "metaverse", "lang": "zh"}),
    ("national-directions", {"lang": "zh"}),
    ("region-sectors", {"region": "zhejiang", "lang": "zh"}),
]

XSD = "http://www.w3.org/2001/XMLSchema#"
NUMERIC = {XSD + t for t in (
    "integer", "decimal", "float", "double", "int", "long", "short", "byte",
    "nonNegativeInteger", "positiveInteger", "nonPositiveInteger", "negativeInteger",
    "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte")}


def parameter_sets(query: StoredQuery) -> Iterator[dict[str, str]]:
    """Its defaults, its declared examples, the golden and Chinese cases (no duplicates)."""
    sets: list[dict[str, str]] = [{}]
    sets.append({p.name: p.example for p in query.params if p.example})
    sets += [params for name, params in EXTRA_CASES.values() if name == query.name]
    sets += [params for name, params in CHINESE_CASES if name == query.name]
    seen: set[tuple[tuple[str, str], ...]] = set()
    for params in sets:
        key = tuple(sorted(params.items()))
        if key not in seen:
            seen.add(key)
            yield params


def label(params: Mapping[str, str]) -> str:
    return ",".join(f"{k}={v}" for k, v in params.items()) or "defaults"


CELLS = [
    pytest.param(name, params, engine, id=f"{name}[{label(params)}]@{engine}")
    for name, query in sorted(QUESTIONS.items())
    for params in parameter_sets(query)
    for engine in ENGINES
]


# --- comparing answers ---------------------------------------------------------------------

Key = tuple[Any, ...]
Row = frozenset[tuple[str, Key]]


def term_key(term: Any, joined: bool = False) -> Key:
    """A term as what it means: blank nodes alike, numbers by value, joined parts as a set."""
    if isinstance(term, BlankNode):
        return ("blank",)
    if isinstance(term, NamedNode):
        return ("iri", term.value)
    if isinstance(term, Literal):
        datatype = term.datatype.value
        if datatype in NUMERIC:
            try:
                return ("number", Decimal(term.value))
            except InvalidOperation:
                return ("number", term.value)
        value = term.value
        if joined:  # the set of its parts
            sep = next((s for s in SEPARATORS if s in value), None)
            return ("parts", frozenset(value.split(sep) if sep else [value] if value else []))
        if term.language:
            return ("literal", value, "@" + term.language.lower())
        return ("literal", value, datatype)
    return ("other", str(term))


def rows_of(result: Result, joined: set[str]) -> tuple[list[str], list[Row]]:
    """A SELECT answer's variables and rows (in the order given), each row by meaning."""
    assert isinstance(result.value, QuerySolutions), f"not a SELECT answer: {result.kind}"
    names = [v.value for v in result.value.variables]
    rows = [frozenset((n, term_key(r[n], n in joined)) for n in names
                      if r[n] is not None and (n not in joined or r[n].value != ""))
            for r in result.value]
    return names, rows


def show(row: Row) -> str:
    """A row for a failure message: literals with their language tag or datatype."""
    def term(key: Key) -> str:
        if key[0] == "literal":
            suffix = key[2] if key[2].startswith("@") else "^^" + key[2].rsplit("#", 1)[-1]
            return f'"{key[1]}"{suffix}'
        if key[0] == "parts":
            return "{" + " + ".join(f'"{p}"' for p in sorted(key[1])) + "}"
        return " ".join(map(str, key))
    return "{" + ", ".join(f"{k}: {term(v)}" for k, v in sorted(row)) + "}"


# --- the order a question promises ----------------------------------------------------------

def outer_order_by(text: str) -> list[str]:
    """The variables of the ORDER BY that follows the outermost WHERE group (empty: none).

    >>> outer_order_by("SELECT * WHERE { { SELECT ?x { } ORDER BY ?x } } ORDER BY DESC(?y) ?z")
    ['y', 'z']
    >>> outer_order_by("SELECT * WHERE { { SELECT ?x { } ORDER BY ?x } }")
    []
    """
    depth, found, reading = 0, [], False
    for tok in syntax.tokenize(text):
        depth += {"{": 1, "}": -1}.get(tok.sym, 0)
        if depth == 0 and tok.sym == "ORDER":
            reading = True
        elif reading and tok.sym in ("LIMIT", "OFFSET", "VALUES"):
            break
        elif reading and tok.sym == "var":
            found.append(tok.text[1:])
    return found


def with_projected(text: str, extra: list[str]) -> str:
    """The query with more variables in its outermost SELECT clause."""
    tokens = syntax.tokenize(text)
    select = next(i for i, tok in enumerate(tokens) if tok.sym == "SELECT")
    at = next(tok.start for tok in tokens[select:] if tok.sym in ("WHERE", "{"))
    return text[:at] + " " + " ".join("?" + v for v in extra) + "\n" + text[at:]


# --- the local reference, computed once per (question, parameters) --------------------------

@dataclasses.dataclass(frozen=True)
class Reference:
    names: list[str]
    rows: list[Row]
    order: list[str]              # outermost ORDER BY variables, empty when no order promised
    keys: dict[Row, set[Key]]     # row -> its sort keys (several when ties cannot be told)


@pytest.fixture(scope="module")
def local_store(curated_build: Build) -> Store:
    return curated_build.open()


@pytest.fixture(scope="module")
def reference(local_store: Store) -> Any:
    @cache
    def compute(name: str, frozen: tuple[tuple[str, str], ...]) -> Reference:
        query, params = QUESTIONS[name], dict(frozen)
        joined = joined_columns(query.text)
        names, rows = rows_of(answer(local_store, query, params), joined)
        order = outer_order_by(query.text)
        keys: dict[Row, set[Key]] = {}
        hidden = [v for v in order if v not in names]
        source = rows
        if hidden:  # sort keys that are not columns: project them too, locally
            wider = dataclasses.replace(query, text=with_projected(query.text, hidden))
            _, source = rows_of(answer(local_store, wider, params), joined)
        for row in source:
            cells = dict(row)
            key = tuple(cells.get(v, ("unbound",)) for v in order)
            keys.setdefault(frozenset((n, k) for n, k in row if n in names), set()).add(key)
        return Reference(names, rows, order, keys)

    return compute


ENDPOINTS = {"oxigraph": "oxigraph_endpoint", "virtuoso": "virtuoso_endpoint"}


@pytest.fixture(scope="module")
def timer() -> Iterator[dict[str, float]]:
    clock: dict[str, float] = {"start": time.monotonic()}
    yield clock
    _engines.TIMINGS["matrix total (engines started, every cell)"] = (
        time.monotonic() - clock["start"])
    for engine in ENGINES:
        if engine in clock:
            _engines.TIMINGS[f"matrix {engine} cells"] = clock[engine]


@pytest.mark.parametrize("name,params,engine", CELLS)
def test_same_answer(name: str, params: dict[str, str], engine: str, reference: Any,
                     timer: dict[str, float], request: pytest.FixtureRequest) -> None:
    query = QUESTIONS[name]
    expected: Reference = reference(name, tuple(sorted(params.items())))
    endpoint = RemoteEndpoint(request.getfixturevalue(ENDPOINTS[engine]), timeout=60)
    started = time.monotonic()
    try:
        result = answer(endpoint, query, params)
    finally:
        timer[engine] = timer.get(engine, 0.0) + time.monotonic() - started
    names, rows = rows_of(result, joined_columns(query.text))

    assert names == expected.names, "not the same columns"
    got, want = Counter(rows), Counter(expected.rows)
    missing, extra = want - got, got - want
    assert not missing and not extra, (
        f"{len(rows)} rows instead of {len(expected.rows)}; "
        f"missing {[show(r) for r in list(missing)[:5]]}, "
        f"extra {[show(r) for r in list(extra)[:5]]}")

    if expected.order:
        want_keys = [expected.keys[r] for r in expected.rows]
        got_keys = [expected.keys[r] for r in rows]
        for i, (w, g) in enumerate(zip(want_keys, got_keys, strict=True)):
            assert w & g, (f"row {i} out of order (ORDER BY {' '.join(expected.order)}): "
                           f"{show(rows[i])} where the local build has "
                           f"{show(expected.rows[i])}")


def test_bug_void_on_a_backend_counted_the_engines_own_graphs(
        virtuoso_client: httpx.Client, local_client: httpx.Client) -> None:
    """VoID through `kg serve --backend` over Virtuoso counted Virtuoso's system graphs
    (10,884 triples for our 8,385) and named a graph after the engine's own address."""
    def figures(client: httpx.Client) -> tuple[set[str], set[tuple[str, str]]]:
        graph = Graph().parse(data=client.get("/.well-known/void", headers={
            "Accept": "text/turtle"}).text, format="turtle")
        named = {str(o) for o in graph.objects(None, DCTERMS.source)}
        counts = {(str(s), str(o)) for s, o in graph.subject_objects(VOID.triples)
                  if str(s) == "https://w3id.org/future-industries/dataset"}
        return named, counts
    names, counts = figures(virtuoso_client)
    local_names, local_counts = figures(local_client)
    assert names and all(n.startswith("https://w3id.org/future-industries/") for n in names)
    assert names == local_names and counts == local_counts


def test_bug_blank_nodes_from_virtuoso_were_a_500(virtuoso_client: httpx.Client) -> None:
    """Virtuoso labels blank nodes `nodeID://b10209`, which pyoxigraph refused to read: /sparql
    and /ontology answered 500 ("Invalid bnode value")."""
    r = virtuoso_client.get("/sparql", params={
        "query": "SELECT ?b WHERE { ?s ?p ?b FILTER(isBlank(?b)) } LIMIT 5", "format": "json"})
    assert r.status_code == 200, r.text
    cells = [b["b"] for b in r.json()["results"]["bindings"]]
    assert cells and all(c["type"] == "bnode" for c in cells)
    assert virtuoso_client.get("/ontology", headers={"Accept": "text/html"}).status_code == 200


@pytest.mark.parametrize("name,ranked", [("count-targets", "fi:count 7000000000000000"),
                                         ("monetary-targets", "fi:amount [ qudt:numericValue "
                                                              "7000000000000000 ]")])
def test_bug_ties_at_the_hundredth_row_picked_other_targets_in_other_stores(
        local_store: Store, tmp_path: Any, name: str, ranked: str) -> None:
    """count-targets and monetary-targets rank the targets and keep the first 100: where the
    100th ties with the 101st, which were kept was the store's choice (at 1M triples Oxigraph
    in memory and on disk kept others). 150 targets of one size, larger than any curated
    one: the first 100 by IRI are kept, in every store."""
    data = "".join(f"<https://example.org/plan> fi:hasTarget <https://example.org/t{i:03}> .\n"
                   f"<https://example.org/t{i:03}> {ranked} .\n"
                   for i in (7 * j % 150 for j in range(150)))  # not in IRI order
    update = ("PREFIX fi: <https://w3id.org/future-industries/ontology#> "
              "PREFIX qudt: <http://qudt.org/schema/qudt/> "
              f"INSERT DATA {{ GRAPH <https://example.org/ties> {{ {data} }} }}")
    memory, disk = Store(), Store(str(tmp_path / "store"))
    for store in (memory, disk):
        store.extend(local_store)
        store.update(update)
    picked = [{str(row["target"].value) for row in answer(store, name, {}).value}
              for store in (memory, disk)]
    assert picked[0] == picked[1] == {f"https://example.org/t{i:03}" for i in range(100)}
