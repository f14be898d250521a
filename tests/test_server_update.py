"""Writes through `kg serve` with an update token: SPARQL Update and the Graph Store Protocol."""

from __future__ import annotations

import httpx

from _server import select, serve_fixtures

TOKEN = "test-token-123"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
GRAPH = "https://w3id.org/future-industries/graph/scratch"
ASK = "ASK { <http://e/a> <http://e/p> ?o }"


# on the module's own location (tests/conftest.py), which the tests write to
server, client = serve_fixtures("--workers", "2", location="location",
                                env={"KG_UPDATE_TOKEN": TOKEN})


def ask(client: httpx.Client) -> bool:
    return bool(client.get("/sparql", params={"query": ASK}).json()["boolean"])


def test_update_needs_the_token(client: httpx.Client) -> None:
    r = client.post("/update", data={"update": "INSERT DATA { <http://e/a> <http://e/p> 1 }"})
    assert r.status_code == 403
    wrong = client.post("/update", data={"update": "INSERT DATA { <http://e/a> <http://e/p> 1 }"},
                        headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 403
    assert not ask(client)


def test_update_applies_and_changes_the_etag(client: httpx.Client) -> None:
    before = client.get("/sparql", params={"query": ASK})
    assert before.json()["boolean"] is False
    text = f"INSERT DATA {{ GRAPH <{GRAPH}> {{ <http://e/a> <http://e/p> 1 }} }}"
    r = client.post("/update", content=text.encode(),
                    headers={**AUTH, "Content-Type": "application/sparql-update"})
    assert r.status_code == 204, r.text
    after = client.get("/sparql", params={"query": ASK},
                       headers={"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200 and after.json()["boolean"] is True
    assert after.headers["etag"] != before.headers["etag"]
    assert client.get("/health").json()["revision"] >= 1


def test_update_errors(client: httpx.Client) -> None:
    bad = client.post("/update", data={"update": "INSERT DATA { oops"}, headers=AUTH)
    assert bad.status_code == 400 and "line 1, column 15" in bad.text
    load = client.post("/update", data={"update": "LOAD <http://127.0.0.1:1/x.ttl>"},
                       headers=AUTH)
    assert load.status_code == 400 and "LOAD" in load.text
    via_sparql = client.post("/sparql", data={"update": "CLEAR SILENT GRAPH <http://e/none>"},
                             headers=AUTH)
    assert via_sparql.status_code == 204


def test_graph_store_writes(client: httpx.Client) -> None:
    g = "http://e/gsp"
    nt = b"<http://e/x> <http://e/y> <http://e/z> .\n"
    assert client.put("/store", params={"graph": g}, content=nt,
                      headers={"Content-Type": "application/n-triples"}).status_code == 403
    put = client.put("/store", params={"graph": g}, content=nt,
                     headers={**AUTH, "Content-Type": "application/n-triples"})
    assert put.status_code == 201
    got = client.get("/store", params={"graph": g}, headers={"Accept": "application/n-triples"})
    assert got.text == nt.decode()
    more = b"<http://e/x> <http://e/y> <http://e/w> .\n"
    post = client.post("/store", params={"graph": g}, content=more,
                       headers={**AUTH, "Content-Type": "application/n-triples"})
    assert post.status_code == 204
    rows = select(client, f"SELECT ?o WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }} }}")
    assert {r["o"] for r in rows} == {"http://e/z", "http://e/w"}
    bad = client.put("/store", params={"graph": g}, content=b"x",
                     headers={**AUTH, "Content-Type": "image/png"})
    assert bad.status_code == 415
    assert client.delete("/store", params={"graph": g}, headers=AUTH).status_code == 204
    assert client.get("/store", params={"graph": g}).status_code == 404


def test_service_description_says_update(client: httpx.Client) -> None:
    r = client.get("/sparql", headers={"Accept": "application/n-triples"})
    assert "SPARQL11Update" in r.text
