"""The build record (graph …/graph/build) publishes no local path and only defined terms
(PROV-O, Dublin Core, SPDX, VoID, RDFS, OWL), and /build and /build/ID answer it.

Before, it held 17 ``build#path "/…/data/shenzhen.ttl"`` triples (the machine's own paths)
and terms of an undefined ``…/build#`` namespace."""

from __future__ import annotations

import hashlib
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from _server import Server
from kg import settings
from kg.build.manifest import published_path
from kg.store import Build
from kg.vocab import BASE, BUILD_BASE, DCTERMS, GRAPH, PROV, RDF, SPDX, VOID, graph_for

DEFINED = ("http://www.w3.org/ns/prov#", "http://purl.org/dc/terms/",
           "http://spdx.org/rdf/terms#", "http://rdfs.org/ns/void#",
           "http://www.w3.org/2000/01/rdf-schema#", "http://www.w3.org/2002/07/owl#",
           "http://www.w3.org/1999/02/22-rdf-syntax-ns#")


@pytest.fixture(scope="module")
def record(curated_build: Build) -> list[ox.Quad]:
    return list(curated_build.open().quads_for_pattern(None, None, None, graph_for("build")))


def test_no_local_path_is_published(record: list[ox.Quad], curated_build: Build) -> None:
    literals = [q.object.value for q in record if isinstance(q.object, ox.Literal)]
    root = str(settings.resources().root)
    assert literals
    assert not [v for v in literals if v.startswith("/") or root in v
                or str(curated_build.path) in v]


def test_only_defined_terms(record: list[ox.Quad]) -> None:
    predicates = {q.predicate.value for q in record}
    classes = {q.object.value for q in record if q.predicate == RDF.type}
    assert not [t for t in predicates | classes if not t.startswith(DEFINED)]
    assert not [q for q in record for t in (q.subject, q.predicate, q.object)
                if isinstance(t, ox.NamedNode) and t.value.startswith(BASE + "build#")]


def test_sources_by_relative_path_and_checksum(record: list[ox.Quad],
                                               curated_build: Build) -> None:
    build = ox.NamedNode(BUILD_BASE + curated_build.id)
    sources = [q.object for q in record if q.subject == build and q.predicate == PROV.used]
    manifest = curated_build.manifest()
    assert len(sources) == len(manifest["sources"]) > 10

    def value(node: ox.NamedNode | ox.BlankNode, prop: ox.NamedNode) -> str:
        return next(q.object.value for q in record if q.subject == node and q.predicate == prop)

    root = settings.resources().root
    for node in sources:
        assert node.value.startswith(build.value + "#")  # answered by /build/ID
        path = value(node, DCTERMS.identifier)
        assert not Path(path).is_absolute() and (root / path).is_file(), path
        digest = value(ox.NamedNode(value(node, SPDX.checksum)), SPDX.checksumValue)
        assert digest == hashlib.sha256((root / path).read_bytes()).hexdigest()
        assert int(value(node, VOID.triples)) > 0
    derived = {q.object for q in record if q.predicate == PROV.wasDerivedFrom}
    assert derived == set(sources)  # each graph from its sources
    assert ox.Quad(build, PROV.generated, GRAPH.links, graph_for("build")) in record


def test_published_path() -> None:
    root = Path("/srv/kg")
    assert published_path("/srv/kg/data/shenzhen.ttl", root) == "data/shenzhen.ttl"
    assert published_path("/home/someone/mine.ttl", root) == "mine.ttl"
    assert published_path("https://example.org/x.nt", root) == "https://example.org/x.nt"


@pytest.mark.parametrize("path", ["/build", "/build/{id}"])
def test_build_record_resolves(client: httpx.Client, server: Server, curated_build: Build,
                               record: list[ox.Quad], path: str) -> None:
    url = path.format(id=curated_build.id)
    ttl = client.get(url, headers={"Accept": "text/turtle"})
    assert ttl.status_code == 200
    got = {q.triple for q in ox.parse(ttl.content, format=ox.RdfFormat.TURTLE)}
    doc = ox.NamedNode(server.url + url)
    assert ox.Triple(doc, DCTERMS.license, ox.NamedNode(
        "https://creativecommons.org/licenses/by/4.0/")) in got
    assert {q.triple for q in record} <= got  # the whole record
    html = client.get(url, headers={"Accept": "text/html"})
    assert html.status_code == 200 and curated_build.id in html.text
    assert 'id="source-0"' in html.text and "data/beijing.ttl" in html.text
    assert client.get("/build/19700101T000000.000000-000000").status_code == 404
