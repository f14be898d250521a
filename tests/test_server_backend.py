"""`kg serve --backend URL`: the server in front of a real `oxigraph serve` holding our graphs.

Answers are compared with the local server's on the same curated build (as sets, graphs
isomorphic); a closed port and a silent socket stand for a dead backend.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pyoxigraph import RdfFormat, parse

from _linking import canonical
from _server import Server, closed_port_url, oxigraph_server, silent_server
from kg.cli import main
from kg.remote.push import push
from kg.store import Build

JSON = {"Accept": "application/sparql-results+json"}
PER_GRAPH = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
SCRATCH = "https://example.org/kg-backend-test"


@pytest.fixture(scope="module")
def backend(curated_build: Build, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real `oxigraph serve` (union default graph) holding the curated build; its base URL."""
    with oxigraph_server(tmp_path_factory.mktemp("backend")) as base:
        assert push(curated_build.open(), base + "/store")
        yield base


def _serve(location: Path, *args: str) -> Iterator[Server]:
    srv = Server(location, *args)
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="module")
def local(curated_location: Path) -> Iterator[httpx.Client]:
    for srv in _serve(curated_location, "--workers", "2", "--row-cap", "1000"):
        with srv.client() as client:
            yield client


@pytest.fixture(scope="module")
def proxy(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    """`kg serve --backend` whose answers may be reused for ~30 years: one period for the whole module."""
    here = tmp_path_factory.mktemp("proxy") / "unused"
    for srv in _serve(here, "--backend", backend + "/query", "--row-cap", "1000",
                      "--backend-ttl", "1e9"):
        with srv.client() as client:
            yield client


def rows(response: httpx.Response) -> set[frozenset[tuple[str, str]]]:
    """SPARQL JSON results as a set of rows, each a set of (variable, term) pairs."""
    assert response.status_code == 200, response.text
    return {frozenset((k, repr(sorted(v.items()))) for k, v in b.items())
            for b in response.json()["results"]["bindings"]}


def graph(response: httpx.Response) -> set[Any]:
    assert response.status_code == 200, response.text
    return canonical(parse(response.content, format=RdfFormat.N_TRIPLES))


@pytest.mark.parametrize("query", [
    PER_GRAPH,
    "SELECT ?plan ?label WHERE { ?plan a <https://w3id.org/future-industries/ontology#Plan> ;"
    " <http://www.w3.org/2000/01/rdf-schema#label> ?label }",
    "ASK { ?s a <https://w3id.org/future-industries/ontology#Province> }",
])
def test_sparql_is_forwarded_with_the_same_answers(local: httpx.Client, proxy: httpx.Client,
                                                   query: str) -> None:
    there = proxy.get("/sparql", params={"query": query}, headers=JSON)
    here = local.get("/sparql", params={"query": query}, headers=JSON)
    if "boolean" in here.json():
        assert there.json()["boolean"] is here.json()["boolean"] is True
    else:
        assert rows(there) == rows(here) and rows(here)
    assert there.headers["x-kg-build"] == "remote"


def test_construct_and_post_forms(local: httpx.Client, proxy: httpx.Client) -> None:
    query = ("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <https://w3id.org/future-industries/graph/"
             "links> { ?s ?p ?o } }")
    accept = {"Accept": "application/n-triples"}
    there = proxy.post("/sparql", content=query,
                       headers={**accept, "Content-Type": "application/sparql-query"})
    assert graph(there) == graph(local.post("/sparql", data={"query": query}, headers=accept))
    named = proxy.get("/sparql", headers=JSON, params={
        "query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
        "named-graph-uri": "https://w3id.org/future-industries/graph/links"})
    links = proxy.get("/sparql", headers=JSON, params={"query": PER_GRAPH}).json()
    expected = next(b["n"]["value"] for b in links["results"]["bindings"]
                    if b["g"]["value"].endswith("/graph/links"))
    assert named.json()["results"]["bindings"][0]["n"]["value"] == expected  # protocol dataset


def test_row_cap_is_pushed_to_the_backend(proxy: httpx.Client) -> None:
    r = proxy.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"}, headers=JSON)
    assert r.status_code == 200 and r.headers["x-kg-truncated"] == "true"
    assert len(r.json()["results"]["bindings"]) == 1000  # the cap (the graph has ~8,000)
    small = proxy.get("/sparql", params={"query": PER_GRAPH}, headers=JSON)
    assert "x-kg-truncated" not in small.headers


@pytest.mark.parametrize("name,params", [
    ("region-sectors", {"region": "shandong"}),
    ("regions-map", {"lang": "zh"}),
    ("plans-timeline", {"lang": "zh"}),
    ("targets-by-year", {"year": "2035"}),
])
def test_packaged_questions_answer_as_locally(local: httpx.Client, proxy: httpx.Client,
                                              name: str, params: dict[str, str]) -> None:
    there = proxy.get(f"/queries/{name}", params=params, headers=JSON)
    here = local.get(f"/queries/{name}", params=params, headers=JSON)
    assert rows(there) == rows(here) and rows(here)


def test_parameters_are_checked_against_the_backend(proxy: httpx.Client) -> None:
    r = proxy.get("/queries/region-sectors", params={"region": "atlantis"})
    assert r.status_code == 400 and "zhejiang" in r.text
    r = proxy.get("/queries/region-sectors", params={"colour": "red"})
    assert r.status_code == 400 and "declared: region" in r.text


def test_ssrf_guard_applies_before_forwarding(proxy: httpx.Client) -> None:
    query = "SELECT * WHERE { SERVICE <http://10.0.0.1/sparql> { ?s ?p ?o } }"
    r = proxy.get("/sparql", params={"query": query})
    assert r.status_code == 400 and "is not allowed" in r.text
    deep = "SELECT * WHERE " + "{ " * 300 + "?s ?p ?o" + " }" * 300
    r = proxy.post("/sparql", data={"query": deep})
    assert r.status_code == 400 and "nested deeper" in r.text


def test_backend_syntax_error_is_400_with_its_message(proxy: httpx.Client) -> None:
    """Regression: a malformed query came back as 502, as if the backend had failed."""
    r = proxy.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p }"})
    assert r.status_code == 400
    assert "HTTP 400" in r.text and "remote SPARQL endpoint failed" not in r.text


def test_linked_data_pages_come_from_the_backend(local: httpx.Client,
                                                 proxy: httpx.Client) -> None:
    for path in ("/id/region/beijing", "/id/sector/6g", "/ontology"):
        there = proxy.get(path, params={"format": "nt"})
        assert graph(there) == graph(local.get(path, params={"format": "nt"})), path
    page = proxy.get("/id/region/beijing")
    assert page.status_code == 200 and "北京市" in page.text and "<code>remote</code>" in page.text
    assert proxy.get("/id/region/atlantis").status_code == 404


def test_health_names_the_backend(proxy: httpx.Client, backend: str) -> None:
    r = proxy.get("/health")
    data = r.json()
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    assert data["backend"] == backend + "/query" and data["backend_answers"] is True
    assert data["build"] == "remote" and data["writable"] is False


def test_what_needs_a_local_build_is_501_and_writes_403(proxy: httpx.Client) -> None:
    for path in ("/dumps/all.nq", "/catalog", "/store?default"):
        r = proxy.get(path)
        assert r.status_code == 501 and "remote backend" in r.text, path
    assert proxy.post("/update", data={"update": "CLEAR ALL"}).status_code == 403
    assert proxy.get("/.well-known/void", params={"format": "ttl"}).status_code == 200
    assert proxy.get("/sparql", params={"format": "ttl"}).status_code == 200  # description


def _count(client: httpx.Client, **headers: str) -> httpx.Response:
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{SCRATCH}> {{ ?s ?p ?o }} }}"
    return client.get("/sparql", params={"query": query}, headers={**JSON, **headers})


def test_answers_are_reused_within_the_ttl_only(backend: str, proxy: httpx.Client,
                                                tmp_path: Path) -> None:
    def n(r: httpx.Response) -> str:
        return str(r.json()["results"]["bindings"][0]["n"]["value"])

    for fresh in _serve(tmp_path / "unused", "--backend", backend + "/query",
                        "--backend-ttl", "0"):
        with fresh.client() as uncached:
            first = _count(proxy)
            assert n(first) == n(_count(uncached)) == "0"
            assert first.headers["etag"].startswith('"remote-')
            assert _count(proxy, **{"If-None-Match": first.headers["etag"]}).status_code == 304
            data = b'<http://e/a> <http://e/p> "1" .\n<http://e/a> <http://e/p> "2" .\n'
            httpx.put(backend + "/store", params={"graph": SCRATCH}, content=data,
                      headers={"Content-Type": "application/n-triples"}).raise_for_status()
            try:
                assert n(_count(uncached)) == "2"  # --backend-ttl 0: always asks the backend
                assert n(_count(proxy)) == "0"  # the same period: the cached answer
                again = _count(uncached, **{"If-None-Match": _count(uncached).headers["etag"]})
                assert again.status_code == 200  # no ETag repeats without a TTL
            finally:
                httpx.delete(backend + "/store", params={"graph": SCRATCH})


def test_dead_backend_fails_fast_with_502_or_504(tmp_path: Path) -> None:
    for dead in _serve(tmp_path / "unused", "--backend", closed_port_url()):
        with dead.client() as client:
            start = time.monotonic()
            r = client.get("/sparql", params={"query": "ASK {}"})
            assert r.status_code == 502 and "ConnectError" in r.text
            assert client.get("/queries/region-sectors").status_code == 502
            health = client.get("/health")
            assert health.status_code == 503 and health.json()["backend_answers"] is False
            assert time.monotonic() - start < 10  # a bound, not a speed measurement
    with silent_server() as url:
        for silent in _serve(tmp_path / "unused2", "--backend", url, "--timeout", "0.5"):
            with silent.client() as client:
                start = time.monotonic()
                r = client.get("/sparql", params={"query": "ASK {}"})
                assert r.status_code == 504 and "did not answer within" in r.text
                r = client.get("/queries/plans-timeline", headers={"X-KG-Timeout": "0.2"})
                assert r.status_code == 504
                assert time.monotonic() - start < 10


@pytest.mark.parametrize("argv,message", [
    (["--backend", "ftp://127.0.0.1/sparql"], "http(s) SPARQL query URL"),
    (["--backend", "http://127.0.0.1:9/query", "--update-token", "t"], "read-only"),
    (["--backend", "http://127.0.0.1:9/query", "--backend-ttl", "-1"], "--backend-ttl"),
])
def test_serve_options_are_checked(argv: list[str], message: str,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", *argv]) == 2
    assert message in capsys.readouterr().err


def test_pages_are_pushed_to_the_backend(local: httpx.Client, proxy: httpx.Client) -> None:
    whole = proxy.get("/queries/region-sector-matrix", params={"limit": "all"}, headers=JSON)
    first = proxy.get("/queries/region-sector-matrix", params={"limit": "60"}, headers=JSON)
    link = first.headers["link"]
    assert link == '</queries/region-sector-matrix?offset=60&limit=60>; rel="next"'
    rest = proxy.get(link[1:link.index(">")], headers=JSON)
    assert "link" not in rest.headers and len(rows(first)) == 60 and len(rows(rest)) == 47
    assert rows(first) | rows(rest) == rows(whole) == rows(
        local.get("/queries/region-sector-matrix", params={"limit": "all"}, headers=JSON))
