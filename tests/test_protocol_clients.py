"""SPARQL clients against `kg serve` (the session's local server): SPARQLWrapper, rdflib's
SPARQLStore and the Comunica command line (tests/clients/, installed by scripts/setup.sh).

Each answer is compared by meaning with what the curated build's store answers itself: SELECT
rows as sets of RDF terms, ASK as a boolean, graphs up to isomorphism.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, JSONLD, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

from _server import Server
from kg.store import Build

PREFIXES = """PREFIX fi: <https://w3id.org/future-industries/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
PATTERN = "?plan a fi:Plan ; fi:forRegion ?region ; rdfs:label ?title"
SELECT = PREFIXES + f"SELECT ?plan ?region ?title WHERE {{ {PATTERN} }}"
CONSTRUCT = PREFIXES + (f"CONSTRUCT {{ ?plan fi:forRegion ?region ; rdfs:label ?title }} "
                        f"WHERE {{ {PATTERN} }}")
DESCRIBE = "DESCRIBE <https://w3id.org/future-industries/id/region/beijing>"
ASK = PREFIXES + "ASK { ?plan a fi:Plan }"
CLIENTS = Path(__file__).parent / "clients"
COMUNICA = CLIENTS / "node_modules" / ".bin" / "comunica-sparql"
Rows = set[tuple[Any, ...]]


def local(build: Build, query: str) -> Any:
    """What the build's own store answers (the union of its graphs as the default graph)."""
    return build.open().query(query, use_default_graph_as_union=True)


def rows(solutions: Any) -> Rows:
    assert isinstance(solutions, ox.QuerySolutions)
    names = solutions.variables
    return {tuple(row[v] for v in names) for row in solutions}


def parsed_rows(data: bytes, fmt: ox.QueryResultsFormat) -> Rows:
    return rows(ox.parse_query_results(data, format=fmt))


def rdflib_graph(triples: Iterable[Any]) -> Graph:
    """pyoxigraph triples as an rdflib graph (through N-Triples)."""
    data = ox.serialize(list(triples), format=ox.RdfFormat.N_TRIPLES) or b""
    return Graph().parse(data=data.decode(), format="nt")


def as_graph(found: Any) -> Graph:
    """A client's graph (rdflib, any kind) as a plain rdflib graph of its triples."""
    out = Graph()
    for triple in found.triples((None, None, None)):
        out.add(triple)
    return out


@pytest.fixture(scope="module")
def expected_rows(curated_build: Build) -> Rows:
    found = rows(local(curated_build, SELECT))
    assert len(found) > 5
    return found


@pytest.fixture(scope="module")
def expected_graph(curated_build: Build) -> Graph:
    found = rdflib_graph(local(curated_build, CONSTRUCT))
    assert len(found) > 5
    return found


def wrapper(server: Server, query: str, fmt: str) -> Any:
    """SPARQLWrapper's converted answer to a query in a return format."""
    client = SPARQLWrapper(server.url + "/sparql")
    client.setQuery(query)
    client.setReturnFormat(fmt)
    return client.query().convert()


def test_sparqlwrapper_select_json(server: Server, expected_rows: Rows) -> None:
    answer = wrapper(server, SELECT, JSON)
    data = json.dumps(answer).encode()
    assert parsed_rows(data, ox.QueryResultsFormat.JSON) == expected_rows


@pytest.mark.parametrize(("fmt", "results"), [(TSV, ox.QueryResultsFormat.TSV),
                                              (XML, ox.QueryResultsFormat.XML)])
def test_sparqlwrapper_select_tsv_and_xml(server: Server, expected_rows: Rows, fmt: str,
                                          results: ox.QueryResultsFormat) -> None:
    """TSV: SPARQLWrapper sends format=tsv&format=text/tab-separated-values (a repeat that
    names one format)."""
    answer = wrapper(server, SELECT, fmt)
    data = answer if isinstance(answer, bytes) else answer.toxml("utf-8")
    assert parsed_rows(data, results) == expected_rows


def test_sparqlwrapper_select_csv(server: Server, curated_build: Build) -> None:
    answer = wrapper(server, SELECT, CSV)
    header, *lines = answer.decode().splitlines()
    assert header.split(",") == ["plan", "region", "title"]
    assert len(lines) == len(rows(local(curated_build, SELECT)))


@pytest.mark.parametrize("fmt", [JSON, XML])
def test_sparqlwrapper_ask(server: Server, curated_build: Build, fmt: str) -> None:
    answer = wrapper(server, ASK, fmt)
    data = json.dumps(answer).encode() if fmt == JSON else answer.toxml("utf-8")
    kind = ox.QueryResultsFormat.JSON if fmt == JSON else ox.QueryResultsFormat.XML
    assert bool(ox.parse_query_results(data, format=kind)) is bool(local(curated_build, ASK))
    assert bool(local(curated_build, ASK))


@pytest.mark.parametrize("fmt", [RDFXML, JSONLD, XML])
def test_sparqlwrapper_construct(server: Server, expected_graph: Graph, fmt: str) -> None:
    """RDF/XML (format=rdf+xml and its media type), JSON-LD (format=json-ld and a list of
    media types) and XML, which for a graph means RDF/XML."""
    assert isomorphic(as_graph(wrapper(server, CONSTRUCT, fmt)), expected_graph)


@pytest.mark.parametrize("fmt", [TURTLE, RDFXML])
def test_sparqlwrapper_describe(server: Server, curated_build: Build, fmt: str) -> None:
    answer = wrapper(server, DESCRIBE, fmt)
    found = Graph().parse(data=answer, format="turtle") if fmt == TURTLE else as_graph(answer)
    want = rdflib_graph(local(curated_build, DESCRIBE))
    assert len(want) > 5 and isomorphic(found, want)


def test_rdflib_sparqlstore(server: Server, expected_rows: Rows, expected_graph: Graph) -> None:
    graph = Graph(store=SPARQLStore(server.url + "/sparql"))
    selected = graph.query(SELECT).serialize(format="json")
    assert selected is not None
    assert parsed_rows(selected, ox.QueryResultsFormat.JSON) == expected_rows
    constructed = graph.query(CONSTRUCT).graph
    assert constructed is not None and isomorphic(as_graph(constructed), expected_graph)
    assert bool(graph.query(ASK))


def comunica(server: Server, query: str, media: str) -> bytes:
    """The Comunica CLI's answer; it finds the endpoint from the service description."""
    if shutil.which("node") is None:
        pytest.skip("node is not installed: the Comunica CLI needs Node.js (scripts/setup.sh "
                    "installs it with npm ci where node exists)")
    assert COMUNICA.exists(), "run scripts/setup.sh (npm ci in tests/clients)"
    done = subprocess.run([str(COMUNICA), server.url + "/sparql", "-q", query, "-t", media],
                          capture_output=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    return done.stdout


def test_comunica_select(server: Server, expected_rows: Rows) -> None:
    answer = json.loads(comunica(server, SELECT, "application/sparql-results+json"))
    answer.pop("metadata", None)  # Comunica's own (the HTTP requests it made)
    assert parsed_rows(json.dumps(answer).encode(), ox.QueryResultsFormat.JSON) == expected_rows


def test_comunica_construct(server: Server, expected_graph: Graph) -> None:
    data = comunica(server, CONSTRUCT, "application/n-triples")
    assert isomorphic(Graph().parse(data=data.decode(), format="nt"), expected_graph)
