"""`kg serve` goes on serving while `kg build` publishes a new build, and switches to it."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from _server import Server
from kg.build import build
from kg.store import Location

BUILD_ID = """SELECT ?id WHERE { GRAPH <https://w3id.org/future-industries/graph/build> {
  ?b <https://w3id.org/future-industries/build#id> ?id } }"""


def test_switch_to_a_new_build_while_serving(location: Path) -> None:
    first = Location(location).require_current().id  # the module's own (tests/conftest.py)
    server = Server(location, "--workers", "2")
    seen: list[tuple[int, str, str]] = []
    stop = threading.Event()

    def poll() -> None:
        with server.client() as client:
            while not stop.is_set():
                r = client.get("/sparql", params={"query": BUILD_ID},
                               headers={"Accept": "text/csv"})
                body_id = r.text.split()[-1] if r.status_code == 200 else ""
                seen.append((r.status_code, r.headers.get("x-kg-build", ""), body_id))
                page = client.get("/id/region/beijing")
                seen.append((page.status_code, page.headers.get("x-kg-build", ""), ""))

    threads = [threading.Thread(target=poll) for _ in range(2)]
    try:
        for t in threads:
            t.start()
        time.sleep(0.5)
        second = build(location).build_id
        deadline = time.monotonic() + 60  # waits for the switch; only a busy machine is slow
        while time.monotonic() < deadline and not any(b == second for _, b, _ in seen[-10:]):
            time.sleep(0.1)
        time.sleep(0.3)
    finally:
        stop.set()
        for t in threads:
            t.join()
        server.stop()
    assert second != first
    assert [s for s in seen if s[0] != 200] == []
    builds = {b for _, b, _ in seen}
    assert builds == {first, second}
    # each answer comes from exactly the build its header names
    assert all(body == header for _, header, body in seen if body)
    last = [b for _, b, _ in seen[-4:]]
    assert set(last) == {second}
