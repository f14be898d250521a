"""`kg serve --backend` relays an engine's SPARQL JSON as it came, but only once checked.

The engine here is a real HTTP server on loopback that answers each query with a fixed
answer chosen by the query's variable (an engine that sends Virtuoso's old
``typed-literal``, broken JSON, rows of the wrong shape, an error status, too many rows),
and the server in front of it is the real `kg serve --backend`. Also
:class:`kg.remote.connections.Pool` against an engine that closes every connection after
its answer without saying so (the next request must get through on a new connection) and
an answer larger than the cap.
"""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from _server import HOST, Server
from kg.errors import RemoteError
from kg.remote.connections import Pool

JSON = "application/sparql-results+json"
ROW = {"x": {"type": "uri", "value": "http://e/a"}}
ANSWERS: dict[str, tuple[int, bytes]] = {  # a variable of the query -> status, body
    "ok": (200, json.dumps({"head": {"vars": ["ok"]}, "results": {"bindings": [
        {"ok": {"type": "literal", "value": "量子", "xml:lang": "zh"}}]}}).encode()),
    "typed": (200, json.dumps({"head": {"vars": ["typed", "b"]}, "results": {"bindings": [
        {"typed": {"type": "typed-literal", "value": "7",
                   "datatype": "http://www.w3.org/2001/XMLSchema#integer"},
         "b": {"type": "bnode", "value": "nodeID://b10209"}}]}}).encode()),
    "broken": (200, b'{"head": {"vars": ["broken"]}, "results": {"bindings": [{"br'),
    "shape": (200, b'{"head": {"vars": ["shape"]}, "results": {"bindings": [1, 2]}}'),
    "kind": (200, b'{"head": {"vars": ["kind"]}, "results": {"bindings": '
                  b'[{"kind": {"type": "mystery", "value": "1"}}]}}'),
    "fail": (500, b"Virtuoso 42000 Error SR171: Transaction timed out"),
    "rows": (200, json.dumps({"head": {"vars": ["x"]},
                              "results": {"bindings": [ROW] * 5}}).encode()),
    "big": (200, b'{"head": {"vars": ["big"]}, "results": {"bindings": []}}' + b" " * 5000),
}
ASK = (200, b'{"head": {}, "boolean": true}')


class Engine(http.server.ThreadingHTTPServer):
    """The fixed-answer engine; ``hang_up``: close every connection after its answer
    (without ``Connection: close``, as an engine that drops idle connections does)."""

    def __init__(self, hang_up: bool = False) -> None:
        super().__init__((HOST, 0), _Handler)
        self.hang_up = hang_up
        self.peers: set[tuple[str, int]] = set()
        self.url = f"http://{HOST}:{self.server_address[1]}/sparql"


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Engine

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length", "0"))
        form = parse_qs(self.rfile.read(length).decode("utf-8"))
        text = form.get("query", [""])[0]
        self.server.peers.add(self.client_address)
        status, body = next((a for v, a in ANSWERS.items() if f"?{v}" in text), ASK)
        self.send_response(status)
        self.send_header("Content-Type", JSON if status == 200 else "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.close_connection = self.server.hang_up

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def engine(hang_up: bool = False) -> Iterator[Engine]:
    server = Engine(hang_up)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def relay(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("relay")
    with engine() as found, Server(tmp / "unused", "--backend", found.url, "--backend-ttl",
                                   "0", "--row-cap", "3") as kg:
        yield kg.url


def ask(base: str, variable: str, accept: str = JSON) -> tuple[int, str, dict[str, str]]:
    import httpx

    r = httpx.get(f"{base}/sparql", params={"query": f"SELECT ?{variable} WHERE {{}}"},
                  headers={"Accept": accept}, timeout=30)
    return r.status_code, r.text, dict(r.headers)


def test_a_checked_answer_is_served_as_the_engine_sent_it(relay: str) -> None:
    status, text, _ = ask(relay, "ok")
    assert status == 200 and text.encode() == ANSWERS["ok"][1]


def test_non_standard_cells_are_made_standard(relay: str) -> None:
    """Virtuoso's typed-literal and nodeID:// labels: standard JSON, readable as CSV."""
    status, text, _ = ask(relay, "typed")
    assert status == 200
    row = json.loads(text)["results"]["bindings"][0]
    assert row["typed"] == {"type": "literal", "value": "7",
                            "datatype": "http://www.w3.org/2001/XMLSchema#integer"}
    assert row["b"]["type"] == "bnode" and "/" not in row["b"]["value"]
    status, text, _ = ask(relay, "typed", "text/csv")
    assert status == 200 and text.splitlines()[1].startswith("7,_:")


@pytest.mark.parametrize("variable, said", [
    ("broken", "unreadable SPARQL results"), ("shape", "a row is not an object"),
    ("kind", "unknown kind of value 'mystery'"), ("fail", "HTTP 500: Virtuoso 42000")])
def test_an_engine_error_is_502_with_its_message(relay: str, variable: str, said: str) -> None:
    for accept in (JSON, "text/csv"):
        status, text, _ = ask(relay, variable, accept)
        assert status == 502 and said in text, (accept, text)


def test_the_row_cap_holds_on_a_relayed_answer(relay: str) -> None:
    status, text, headers = ask(relay, "rows")
    assert status == 200 and headers.get("x-kg-truncated") == "true"
    assert json.loads(text)["results"]["bindings"] == [ROW] * 3


def test_the_pool_sends_again_on_a_connection_the_engine_dropped() -> None:
    with engine(hang_up=True) as found:
        pool = Pool(found.url)
        for _ in range(3):
            answer = pool.post(b"query=SELECT%20%3Fok%20%7B%7D", {}, timeout=5)
            assert answer.status == 200 and answer.body == ANSWERS["ok"][1]
        assert len(found.peers) == 3  # one connection each: the dropped ones not reused


def test_the_pool_keeps_connections_and_caps_answers() -> None:
    with engine() as found:
        pool = Pool(found.url)
        for _ in range(3):
            assert pool.post(b"query=ASK%7B%7D", {}, timeout=5).body == ASK[1]
        assert len(found.peers) == 1
        with pytest.raises(RemoteError, match="answer larger than 1000 bytes"):
            pool.post(b"query=SELECT%20%3Fbig%20%7B%7D", {}, timeout=5, max_bytes=1000)
        assert pool.post(b"query=ASK%7B%7D", {}, timeout=5).body == ASK[1]
        pool.close()


def test_userinfo_in_the_url_is_sent_as_basic_and_not_kept_in_it(tmp_path: Path) -> None:
    pool = Pool("http://u%40x:p%3Aw@127.0.0.1:9/sparql")
    assert pool.url == "http://127.0.0.1:9/sparql"
    with pytest.raises(RemoteError) as caught:
        pool.post(b"", {}, timeout=2)
    assert "p:w" not in str(caught.value) and "u@x" not in str(caught.value)
