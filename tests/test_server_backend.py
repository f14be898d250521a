"""`kg serve --backend URL`: the server in front of a real `oxigraph serve` holding our graphs
(and, for the linked-data documents, in front of Virtuoso too).

Answers are compared with the local server's on the same curated build (as sets, graphs
isomorphic); a closed port and a silent socket stand for a dead backend. Both servers are the
session's (tests/conftest.py). What must hold for both alike is one test over both (the
``served`` fixture), in the module of its topic: bad parameters, SERVICE and nesting guards
and body caps in test_security_input, row cap and syntax errors in test_server_protocol,
pages in test_server_queries, unknown entities in test_server_ld, read-only refusals in
test_server_limits.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from pyoxigraph import RdfFormat, parse

from _linking import canonical
from _server import Server, closed_port_url, silent_server
from kg.cli import main

JSON = {"Accept": "application/sparql-results+json"}
PER_GRAPH = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
SCRATCH = "https://example.org/kg-backend-test"


def rows(response: httpx.Response) -> set[frozenset[tuple[str, str]]]:
    """SPARQL JSON results as a set of rows, each a set of (variable, term) pairs."""
    assert response.status_code == 200, response.text
    return {frozenset((k, repr(sorted(v.items()))) for k, v in b.items())
            for b in response.json()["results"]["bindings"]}


def data_of(quads: set[Any], client: httpx.Client) -> set[Any]:
    """The quads that are not about the serving server's own documents."""
    return {q for q in quads if not q.subject.value.startswith(str(client.base_url))}


def graph(response: httpx.Response) -> set[Any]:
    assert response.status_code == 200, response.text
    return canonical(parse(response.content, format=RdfFormat.N_TRIPLES))


@pytest.mark.parametrize("query", [
    PER_GRAPH,
    "SELECT ?plan ?label WHERE { ?plan a <https://w3id.org/future-industries/ontology#Plan> ;"
    " <http://www.w3.org/2000/01/rdf-schema#label> ?label }",
    "ASK { ?s a <https://w3id.org/future-industries/ontology#Province> }",
])
def test_sparql_is_forwarded_with_the_same_answers(local_client: httpx.Client,
                                                   backend_client: httpx.Client,
                                                   query: str) -> None:
    there = backend_client.get("/sparql", params={"query": query}, headers=JSON)
    here = local_client.get("/sparql", params={"query": query}, headers=JSON)
    if "boolean" in here.json():
        assert there.json()["boolean"] is here.json()["boolean"] is True
    else:
        assert rows(there) == rows(here) and rows(here)
    assert there.headers["x-kg-build"] == "remote"


def test_construct_and_post_forms(local_client: httpx.Client,
                                  backend_client: httpx.Client) -> None:
    query = ("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <https://w3id.org/future-industries/graph/"
             "links> { ?s ?p ?o } }")
    accept = {"Accept": "application/n-triples"}
    there = backend_client.post("/sparql", content=query,
                                headers={**accept, "Content-Type": "application/sparql-query"})
    assert graph(there) == graph(local_client.post("/sparql", data={"query": query},
                                                   headers=accept))
    named = backend_client.get("/sparql", headers=JSON, params={
        "query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
        "named-graph-uri": "https://w3id.org/future-industries/graph/links"})
    links = backend_client.get("/sparql", headers=JSON, params={"query": PER_GRAPH}).json()
    expected = next(b["n"]["value"] for b in links["results"]["bindings"]
                    if b["g"]["value"].endswith("/graph/links"))
    assert named.json()["results"]["bindings"][0]["n"]["value"] == expected  # protocol dataset


@pytest.mark.parametrize("name,params", [
    ("region-sectors", {"region": "shandong"}),
    ("regions-map", {"lang": "zh"}),
    ("plans-timeline", {"lang": "zh"}),
    ("targets-by-year", {"year": "2035"}),
    ("region-sector-matrix", {"limit": "all"}),  # every page of the largest answer
])
def test_packaged_questions_answer_as_locally(local_client: httpx.Client,
                                              backend_client: httpx.Client,
                                              name: str, params: dict[str, str]) -> None:
    there = backend_client.get(f"/queries/{name}", params=params, headers=JSON)
    here = local_client.get(f"/queries/{name}", params=params, headers=JSON)
    assert rows(there) == rows(here) and rows(here)


@pytest.mark.parametrize("remote", ["backend_client", "virtuoso_client"])
def test_linked_data_pages_come_from_the_backend(local_client: httpx.Client, remote: str,
                                                 request: pytest.FixtureRequest) -> None:
    backend_client: httpx.Client = request.getfixturevalue(remote)
    # a division's #geo and an evidence annotation's #target, #quote and #position: the
    # document's hash IRIs, their triples on the page (the backend's once lacked them)
    for path in ("/id/region/beijing", "/id/sector/6g", "/ontology", "/division/110000",
                 "/id/evidence/0b4bf7f751f20c53"):
        there = graph(backend_client.get(path, params={"format": "nt"}))
        here = graph(local_client.get(path, params={"format": "nt"}))
        assert data_of(there, backend_client) == data_of(here, local_client), path
        # the rest is what the document says of itself (its licence), at each server's URL
        assert {(q.predicate, q.object) for q in there - data_of(there, backend_client)} == \
            {(q.predicate, q.object) for q in here - data_of(here, local_client)}, path
    page = backend_client.get("/id/region/beijing")
    assert page.status_code == 200 and "北京市" in page.text and "<code>remote</code>" in page.text
    # the page names its neighbours as the local one does (their labels come with it)
    named = re.compile(r'<a href="[^"]*/id/sector/[^"]*"[^>]*>([^<]*)</a>')
    here_names = set(named.findall(local_client.get("/id/region/beijing").text))
    assert {"6G", "元宇宙"} <= here_names == set(named.findall(page.text))


def test_health_names_the_backend(backend_client: httpx.Client, oxigraph_backend: str) -> None:
    r = backend_client.get("/health")
    data = r.json()
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    assert data["backend"] == oxigraph_backend + "/query" and data["backend_answers"] is True
    assert data["build"] == "remote" and data["writable"] is False


def test_what_needs_a_local_build_is_501(backend_client: httpx.Client) -> None:
    for path in ("/dumps/all.nq", "/catalog", "/store?default"):
        r = backend_client.get(path)
        assert r.status_code == 501 and "remote backend" in r.text, path
    assert backend_client.get("/.well-known/void", params={"format": "ttl"}).status_code == 200
    assert backend_client.get("/sparql", params={"format": "ttl"}).status_code == 200  # description


def _count(client: httpx.Client, **headers: str) -> httpx.Response:
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{SCRATCH}> {{ ?s ?p ?o }} }}"
    return client.get("/sparql", params={"query": query}, headers={**JSON, **headers})


def test_answers_are_reused_within_the_ttl_only(oxigraph_backend: str,
                                                backend_client: httpx.Client,
                                                tmp_path: Path) -> None:
    def n(r: httpx.Response) -> str:
        return str(r.json()["results"]["bindings"][0]["n"]["value"])

    with Server(tmp_path / "unused", "--backend", oxigraph_backend + "/query",
                "--backend-ttl", "0") as fresh, fresh.client() as uncached:
        first = _count(backend_client)
        assert n(first) == n(_count(uncached)) == "0"
        assert first.headers["etag"].startswith('"remote-')
        assert _count(backend_client,
                      **{"If-None-Match": first.headers["etag"]}).status_code == 304
        data = b'<http://e/a> <http://e/p> "1" .\n<http://e/a> <http://e/p> "2" .\n'
        httpx.put(oxigraph_backend + "/store", params={"graph": SCRATCH}, content=data,
                  headers={"Content-Type": "application/n-triples"}).raise_for_status()
        try:
            assert n(_count(uncached)) == "2"  # --backend-ttl 0: always asks the backend
            assert n(_count(backend_client)) == "0"  # the same period: the cached answer
            again = _count(uncached, **{"If-None-Match": _count(uncached).headers["etag"]})
            assert again.status_code == 200  # no ETag repeats without a TTL
        finally:
            httpx.delete(oxigraph_backend + "/store", params={"graph": SCRATCH})


def test_dead_backend_fails_with_502_or_504(tmp_path: Path) -> None:
    """A closed port: 502 naming the connection error. A silent backend: 504 naming the
    request's time limit (the backend client's own timeout is longer by design, so which
    fires first does not depend on the machine's load). The server goes on answering."""
    with Server(tmp_path / "unused", "--backend", closed_port_url()) as dead, \
            dead.client() as client:
        r = client.get("/sparql", params={"query": "ASK {}"})
        assert r.status_code == 502 and "ConnectError" in r.text
        assert client.get("/queries/region-sectors").status_code == 502
        health = client.get("/health")
        assert health.status_code == 503 and health.json()["backend_answers"] is False
    with silent_server() as url, \
            Server(tmp_path / "unused2", "--backend", url, "--timeout", "0.5") as silent, \
            silent.client() as client:
        r = client.get("/sparql", params={"query": "ASK {}"})
        assert r.status_code == 504 and "did not answer within the 0.5 s time limit" in r.text
        r = client.get("/queries/plans-timeline", headers={"X-KG-Timeout": "0.2"})
        assert r.status_code == 504 and "within the 0.2 s time limit" in r.text
        assert client.get("/queries").status_code == 200  # the catalogue: no backend needed
        assert client.get("/health").json()["backend_answers"] is False


@pytest.mark.parametrize("argv,message", [
    (["--backend", "ftp://127.0.0.1/sparql"], "http(s) SPARQL query URL"),
    (["--backend", "http://127.0.0.1:9/query", "--update-token", "t"], "read-only"),
    (["--backend", "http://127.0.0.1:9/query", "--backend-ttl", "-1"], "--backend-ttl"),
])
def test_serve_options_are_checked(argv: list[str], message: str,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", *argv]) == 2
    assert message in capsys.readouterr().err
