"""Writes through `kg serve` with an update token: SPARQL Update and the Graph Store Protocol."""

from __future__ import annotations

import re

import httpx

from _server import Server, select, serve_fixtures

TOKEN = "test-token-123"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
GRAPH = "https://w3id.org/future-industries/graph/scratch"
ASK = "ASK { <http://e/a> <http://e/p> ?o }"


# on the module's own location (tests/conftest.py), which the tests write to
server, client = serve_fixtures("--workers", "2", location="location",
                                env={"KG_UPDATE_TOKEN": TOKEN})


def ask(client: httpx.Client) -> bool:
    r = client.get("/sparql", params={"query": ASK})
    assert r.status_code == 200, r.text
    return bool(r.json()["boolean"])


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


def post_update(client: httpx.Client, text: str, url: str = "/sparql", **params: str
                ) -> httpx.Response:
    return client.post(url, params=params, content=text.encode(),
                       headers={**AUTH, "Content-Type": "application/sparql-update"})


def holds(client: httpx.Client, graph: str) -> bool:
    r = client.get("/sparql", params={"query": f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"})
    assert r.status_code == 200, r.text
    return bool(r.json()["boolean"])


def test_update_relative_iris_resolve_against_the_endpoint(server: Server,
                                                            client: httpx.Client) -> None:
    """Regression: INSERT DATA { <s> <p> <test> } was a 400; the base is the URL the
    update was sent to (W3C protocol test update_base_uri)."""
    g = "http://e/relative"
    for url in ("/sparql", "/update"):
        assert post_update(client, f"INSERT DATA {{ GRAPH <{g}> {{ <s> <p> <test> }} }}",
                           url).status_code == 204
        rows = select(client, f"SELECT * WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }} }}")
        assert rows == [{"s": f"{server.url}/s", "p": f"{server.url}/p",
                         "o": f"{server.url}/test"}]
        assert post_update(client, f"DROP GRAPH <{g}>").status_code == 204


def test_query_and_update_together_are_refused(client: httpx.Client) -> None:
    """Regression: a form with query= and update= answered 204 and ran the update; a
    direct POST with a second update in its URL ran the body's."""
    g = "http://e/both"
    insert = f"INSERT DATA {{ GRAPH <{g}> {{ <http://e/a> <http://e/p> 1 }} }}"
    both = client.post("/sparql", data={"query": "ASK {}", "update": insert}, headers=AUTH)
    assert both.status_code == 400 and "not both" in both.text
    on_update = client.post("/update", data={"query": "ASK {}", "update": insert},
                            headers=AUTH)
    assert on_update.status_code == 400
    url_too = post_update(client, insert, update=insert.replace("1", "2"))
    assert url_too.status_code == 400 and "URL" in url_too.text
    assert not holds(client, g)


def test_using_graph_uri_is_not_ignored(client: httpx.Client) -> None:
    """Regression: using-graph-uri / using-named-graph-uri were ignored (204, and the WHERE
    read the store's own default graph). They are the update's dataset now (written in as
    USING / USING NAMED where the grammar puts them); with USING or WITH in the update they
    are an error."""
    src, out, other = "http://e/using-src", "http://e/using-out", "http://e/using-other"
    data = (f"INSERT DATA {{ GRAPH <{src}> {{ <http://e/a> <http://e/p> 1 }} "
            f"GRAPH <{other}> {{ <http://e/b> <http://e/p> 2 }} }}")
    assert post_update(client, data).status_code == 204
    copy = f"INSERT {{ GRAPH <{out}> {{ ?s ?p ?o }} }} WHERE {{ ?s ?p ?o }}"
    assert post_update(client, copy, **{"using-graph-uri": src}).status_code == 204
    got = client.get("/sparql", params={"query": f"SELECT ?s {{ GRAPH <{out}> {{ ?s ?p ?o }} }}",
                                        "format": "json"}).json()["results"]["bindings"]
    assert [b["s"]["value"] for b in got] == ["http://e/a"]  # src only: the dataset held
    named = f"INSERT {{ GRAPH <{out}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    assert post_update(client, named, **{"using-named-graph-uri": other}).status_code == 204
    got = client.get("/sparql", params={"query": f"SELECT ?s {{ GRAPH <{out}> {{ ?s ?p ?o }} }}",
                                        "format": "json"}).json()["results"]["bindings"]
    assert sorted(b["s"]["value"] for b in got) == ["http://e/a", "http://e/b"]
    with_ = f"WITH <{src}> DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}"
    r = post_update(client, with_, **{"using-named-graph-uri": src})
    assert r.status_code == 400 and "WITH" in r.text
    using = f"INSERT {{ GRAPH <{out}> {{ ?s ?p ?o }} }} USING <{src}> WHERE {{ ?s ?p ?o }}"
    r = post_update(client, using, **{"using-graph-uri": src})
    assert r.status_code == 400 and "USING" in r.text
    r = post_update(client, copy, **{"default-graph-uri": src})
    assert r.status_code == 400 and "using-graph-uri" in r.text
    r = post_update(client, "DELETE WHERE { ?s ?p ?o }", **{"using-graph-uri": src})
    assert r.status_code == 400 and "DELETE WHERE takes no dataset" in r.text
    assert holds(client, src)
    drop = f"DROP GRAPH <{src}> ; DROP GRAPH <{out}> ; DROP GRAPH <{other}>"
    assert post_update(client, drop).status_code == 204


def test_update_syntax_error_position_is_the_senders(client: httpx.Client) -> None:
    r = post_update(client, "INSERT DATA {\n  <http://e/a> <http://e/p> }")
    assert r.status_code == 400
    assert re.search(r"\b(line 2, column 29|2:29)\b", r.text), r.text
