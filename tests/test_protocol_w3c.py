"""The W3C SPARQL 1.1 Protocol test suite, every entry of its manifest, against `kg serve`.

The manifest and its data are W3C's own (tests/fixtures/w3c-protocol/, copied unchanged): each
entry is one test here, its requests sent in order as written (the path prefix ``/sparql/``
becomes this server's ``/sparql``, which takes queries and updates), each response checked
for what the manifest expects: the status class, the kind of format, the boolean.

The server runs with an update token on the module's own copy of the curated build
(``location``, tests/conftest.py): some of the tests CLEAR or DROP ALL. The data a test names
(``ut:graphData``) is put into its named graphs with INSERT DATA first, and every graph the
test leaves behind is dropped afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from rdflib import RDF, RDFS, Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from _server import serve_fixtures

MANIFEST = Path(__file__).parent / "fixtures" / "w3c-protocol" / "manifest.ttl"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
TOKEN = "w3c-protocol-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
# What the manifest's expected formats accept (its comments: XML, JSON, CSV, TSV for tables;
# RDF/XML, Turtle, N-Triples, RDFa for graphs).
FORMATS = {
    "boolean": {"application/sparql-results+xml", "application/sparql-results+json"},
    "tabular": {"application/sparql-results+xml", "application/sparql-results+json",
                "text/csv", "text/tab-separated-values"},
    "RDF": {"application/rdf+xml", "text/turtle", "application/n-triples"},
}
@dataclass(frozen=True)
class Exchange:
    """One request of a test and what its response must be."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    status: frozenset[int]  # status classes: 2 for 2xx…
    fmt: str | None  # boolean | tabular | RDF
    boolean: bool | None


@dataclass(frozen=True)
class ProtocolTest:
    name: str  # the entry's local name, e.g. query_post_form
    title: str
    data: tuple[tuple[str, Path], ...]  # (named graph, N-Triples file)
    exchanges: tuple[Exchange, ...]


def _items(graph: Graph, head: Node | None) -> list[Node]:
    return list(Collection(graph, head)) if head is not None else []


def _exchange(graph: Graph, req: Node) -> Exchange:
    headers = {str(graph.value(h, HT.fieldName)): str(graph.value(h, HT.fieldValue))
               for h in _items(graph, graph.value(req, HT.headers))}
    body_node = graph.value(req, HT.body)
    body = None
    if body_node is not None:
        encoding = str(graph.value(body_node, CNT.characterEncoding) or "UTF-8")
        body = str(graph.value(body_node, CNT.chars)).encode(encoding)
    resp = graph.value(req, HT.resp)
    statuses = {str(s).rsplit("StatusCode", 1)[1] for s in graph.objects(resp, MF.expectedStatus)}
    boolean = graph.value(resp, MF.expectedBoolean)
    fmt = graph.value(resp, MF.expectedFormat)
    return Exchange(str(graph.value(req, HT.methodName)), str(graph.value(req, HT.absolutePath)),
                    headers, body, frozenset(int(s[0]) for s in statuses),
                    str(fmt) if fmt is not None else None,
                    bool(boolean.toPython()) if boolean is not None else None)


def load_manifest(path: Path = MANIFEST) -> list[ProtocolTest]:
    """Every entry of the manifest, in its order."""
    graph = Graph().parse(path, format="turtle")
    manifest = next(graph.subjects(RDF.type, MF.Manifest))
    out = []
    for entry in _items(graph, graph.value(manifest, MF.entries)):
        data = tuple((str(graph.value(d, RDFS.label)), Path(str(graph.value(d, UT.graph))
                                                             .removeprefix("file://")))
                     for d in graph.objects(entry, UT.graphData))
        action = graph.value(entry, MF.action)
        exchanges = tuple(_exchange(graph, r)
                          for r in _items(graph, graph.value(action, HT.requests)))
        assert isinstance(entry, URIRef)
        out.append(ProtocolTest(str(entry).rsplit("#", 1)[1], str(graph.value(entry, MF.name)),
                                tuple(sorted(data)), exchanges))
    return out


TESTS = load_manifest()

server, client = serve_fixtures("--workers", "2", location="location",
                                env={"KG_UPDATE_TOKEN": TOKEN})


def update(client: httpx.Client, text: str) -> None:
    r = client.post("/update", content=text.encode(),
                    headers={**AUTH, "Content-Type": "application/sparql-update"})
    assert r.status_code == 204, r.text


def named_graphs(client: httpx.Client) -> set[str]:
    r = client.get("/sparql", params={"query": "SELECT DISTINCT ?g { GRAPH ?g { } }"},
                   headers={"Accept": "application/sparql-results+json"})
    return {b["g"]["value"] for b in r.json()["results"]["bindings"]}


@pytest.fixture
def data(client: httpx.Client, request: pytest.FixtureRequest) -> Iterator[None]:
    """The test's graphs loaded with INSERT DATA; afterwards every graph it added dropped."""
    test: ProtocolTest = request.node.callspec.params["test"]
    before = named_graphs(client)
    for graph, path in test.data:
        update(client, f"INSERT DATA {{ GRAPH <{graph}> {{ {path.read_text()} }} }}")
    yield
    left = (named_graphs(client) - before) | {graph for graph, _ in test.data}
    if left:
        update(client, " ; ".join(f"DROP SILENT GRAPH <{g}>" for g in sorted(left)))


def check(response: httpx.Response, want: Exchange) -> None:
    """The response is what the manifest expects."""
    assert response.status_code // 100 in want.status, (response.status_code, response.text)
    if want.fmt is None:
        return
    media = response.headers["content-type"].split(";")[0].strip()
    assert media in FORMATS[want.fmt], media
    if want.fmt == "RDF":
        list(ox.parse(response.content, format=ox.RdfFormat.from_media_type(media)))
        return
    if media == "text/csv":  # pyoxigraph does not read CSV results back
        return
    parsed = ox.parse_query_results(response.content,
                                    format=ox.QueryResultsFormat.from_media_type(media))
    if want.fmt == "boolean":
        assert isinstance(parsed, ox.QueryBoolean)
        assert want.boolean is None or bool(parsed) == want.boolean
    else:
        assert isinstance(parsed, ox.QuerySolutions)


def test_manifest_is_whole() -> None:
    """Every entry of the manifest is read, each with its requests."""
    names = [t.name for t in TESTS]
    assert len(names) == len(set(names)) == 34
    assert all(t.exchanges for t in TESTS)


@pytest.mark.parametrize("test", [pytest.param(t, id=t.name) for t in TESTS])
@pytest.mark.usefixtures("data")
def test_w3c_protocol(client: httpx.Client, test: ProtocolTest) -> None:
    for want in test.exchanges:
        path = want.path.replace("/sparql/", "/sparql", 1)
        r = client.request(want.method, path, content=want.body, headers={**want.headers, **AUTH})
        check(r, want)
