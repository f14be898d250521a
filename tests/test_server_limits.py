"""Time limits, worker replacement, body caps and read-only refusals of `kg serve`."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from _server import Server, serve_fixtures

# Seven-way cartesian product of every triple: never finishes on any store.
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { " + " ".join(
    f"?s{i} ?p{i} ?o{i} ." for i in range(7)) + " }"


server, client = serve_fixtures("--workers", "2", "--timeout", "20")


def test_runaway_query_stopped_at_its_timeout(client: httpx.Client) -> None:
    before = client.get("/health").json()
    start = time.monotonic()
    r = client.get("/sparql", params={"query": RUNAWAY, "timeout": "1"})
    took = time.monotonic() - start
    assert r.status_code == 503, r.text
    assert "time limit" in r.text and took < 5
    ok = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
    assert ok.status_code == 200 and "true" in ok.text
    for _ in range(50):  # the killed worker is replaced in the background
        after = client.get("/health").json()
        if after["workers"] == 2:
            break
        time.sleep(0.1)
    assert after["workers_replaced"] == before["workers_replaced"] + 1
    assert after["workers"] == 2


def test_timeout_header(client: httpx.Client) -> None:
    start = time.monotonic()
    r = client.post("/sparql", data={"query": RUNAWAY}, headers={"X-KG-Timeout": "0.5"})
    assert r.status_code == 503 and time.monotonic() - start < 5


def test_timeout_can_only_be_lowered(client: httpx.Client) -> None:
    r = client.get("/sparql", params={"query": "ASK {}", "timeout": "9999"})
    assert r.status_code == 200


def test_others_served_while_a_runaway_runs(client: httpx.Client, server: Server) -> None:
    def runaway() -> None:
        with server.client() as c:
            c.get("/sparql", params={"query": RUNAWAY, "timeout": "4"})

    thread = threading.Thread(target=runaway)
    thread.start()
    time.sleep(0.3)
    for i in range(20):
        r = client.get("/sparql", params={"query": f"SELECT ({i} AS ?x) {{}}"})
        assert r.status_code == 200 and r.elapsed.total_seconds() < 2
    thread.join()


def test_body_cap_by_length_and_by_stream(client: httpx.Client) -> None:
    big = b"x" * 1_000_001
    r = client.post("/sparql", content=big, headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while reading
        for _ in range(11):
            yield b"#" * 100_000

    r = client.post("/sparql", content=chunks(),
                    headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 413


@pytest.mark.parametrize(("method", "path", "kwargs"), [
    ("POST", "/update", {"data": {"update": "CLEAR ALL"}}),
    ("POST", "/update", {"content": b"CLEAR ALL",
                         "headers": {"Content-Type": "application/sparql-update",
                                     "Authorization": "Bearer guess"}}),
    ("PUT", "/store?default", {"content": b"<http://e/a> <http://e/b> <http://e/c> .",
                               "headers": {"Content-Type": "application/n-triples"}}),
    ("DELETE", "/store?graph=https://w3id.org/future-industries/graph/ontology", {}),
])
def test_read_only_without_token(client: httpx.Client, method: str, path: str,
                                 kwargs: dict) -> None:
    r = client.request(method, path, **kwargs)
    assert r.status_code == 403
    assert client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).json()["boolean"]


def test_update_get_is_405(client: httpx.Client) -> None:
    assert client.get("/update").status_code == 405
