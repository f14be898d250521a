"""Time limits, worker replacement and read-only refusals of `kg serve` (its body caps: in
tests/test_security_input.py)."""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from _server import Served, Server, serve_fixtures

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


@pytest.mark.parametrize(("method", "path", "kwargs"), [
    ("POST", "/update", {"data": {"update": "CLEAR ALL"}}),
    ("POST", "/update", {"content": b"CLEAR ALL",
                         "headers": {"Content-Type": "application/sparql-update",
                                     "Authorization": "Bearer guess"}}),
    ("PUT", "/store?default", {"content": b"<http://e/a> <http://e/b> <http://e/c> .",
                               "headers": {"Content-Type": "application/n-triples"}}),
    ("DELETE", "/store?graph=https://w3id.org/future-industries/graph/ontology", {}),
])
def test_read_only_without_token(served: Served, method: str, path: str, kwargs: dict) -> None:
    """Without --update-token (and always with --backend)."""
    r = served.client.request(method, path, **kwargs)
    assert r.status_code == 403
    assert served.client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).json()["boolean"]


def test_update_get_is_405(client: httpx.Client) -> None:
    assert client.get("/update").status_code == 405
