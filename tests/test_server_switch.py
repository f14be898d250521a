"""`kg serve` goes on serving while `kg build` publishes a new build, and switches to it."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import NamedTuple

import httpx

from _server import Server
from kg.build import build
from kg.store import Location

BUILD_ID = """SELECT ?id WHERE { GRAPH <https://w3id.org/future-industries/graph/build> {
  ?b a <http://www.w3.org/ns/prov#Activity> ; <http://purl.org/dc/terms/identifier> ?id } }"""


class Answer(NamedTuple):
    sent: float  # when the request was sent, and when its answer came (monotonic clock)
    came: float
    status: int
    build: str  # the build the X-KG-Build header names
    body: str  # the build the answer itself names ("" for a page)


def _ask(client: httpx.Client, path: str, **kwargs: object) -> Answer:
    sent = time.monotonic()
    r = client.get(path, **kwargs)  # type: ignore[arg-type]
    body = r.text.split()[-1] if r.status_code == 200 and path == "/sparql" else ""
    return Answer(sent, time.monotonic(), r.status_code, r.headers.get("x-kg-build", ""), body)


def test_switch_to_a_new_build_while_serving(location: Path) -> None:
    first = Location(location).require_current().id  # the module's own (tests/conftest.py)
    seen: list[Answer] = []
    stop = threading.Event()

    def poll(server: Server) -> None:
        with server.client() as client:
            while not stop.is_set():
                seen.append(_ask(client, "/sparql", params={"query": BUILD_ID},
                                 headers={"Accept": "text/csv"}))
                seen.append(_ask(client, "/id/region/beijing"))

    def after_the_switch(second: str) -> list[Answer]:
        """The answers to requests sent after one was answered from ``second``."""
        switched = min((a.came for a in seen if a.build == second), default=float("inf"))
        return [a for a in seen if a.sent > switched]

    with Server(location, "--workers", "2") as server:
        threads = [threading.Thread(target=poll, args=(server,)) for _ in range(2)]
        try:
            for t in threads:
                t.start()
            time.sleep(0.5)
            second = build(location).build_id
            deadline = time.monotonic() + 60  # waits; only a busy machine makes it long
            while time.monotonic() < deadline and len(after_the_switch(second)) < 4:
                time.sleep(0.1)
        finally:
            stop.set()
            for t in threads:
                t.join()
    assert second != first
    assert [a for a in seen if a.status != 200] == []
    assert {a.build for a in seen} == {first, second}
    # each answer comes from exactly the build its header names
    assert all(a.body == a.build for a in seen if a.body)
    # once an answer came from the new build, every request sent after it is answered from
    # it (answers to requests sent before may still come from the old one, in any order)
    later = after_the_switch(second)
    assert len(later) >= 4 and {a.build for a in later} == {second}
