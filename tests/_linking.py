"""Helpers for the linked-data tests: real `oxigraph serve`, silent sockets, cloned locations."""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from pyoxigraph import CanonicalizationAlgorithm, Dataset, Quad, Store, Triple

from kg.store import Location

OXIGRAPH = Path(__file__).resolve().parent.parent / ".venv" / "bin" / "oxigraph"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def oxigraph_server(location: Path, union: bool = True) -> Iterator[str]:
    """A real `oxigraph serve` on 127.0.0.1; yields its base URL (…/query, …/store)."""
    port = free_port()
    cmd = [str(OXIGRAPH), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"]
    if union:
        cmd.append("--union-default-graph")
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(base, proc)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _wait(base: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            err = proc.stderr.read() if proc.stderr else b""
            raise RuntimeError(f"oxigraph serve exited: {err!r}")
        try:
            httpx.get(base + "/query", params={"query": "ASK {}"}, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError("oxigraph serve did not start")


@contextmanager
def silent_server() -> Iterator[str]:
    """A TCP listener on 127.0.0.1 that accepts connections and never answers."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(16)
    conns: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        srv.settimeout(0.2)
        while not stop.is_set():
            try:
                conns.append(srv.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{srv.getsockname()[1]}/sparql"
    finally:
        stop.set()
        thread.join(timeout=2)
        for c in conns:
            c.close()
        srv.close()


def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens."""
    return f"http://127.0.0.1:{free_port()}/sparql"


def clone_location(source: Path, target: Path) -> Path:
    """A copy of a location's current build, published in a new location (tests may modify it)."""
    build = Location(source).require_current()
    loc = Location(target)
    loc.builds.mkdir(parents=True)
    shutil.copytree(build.path, loc.builds / build.id)
    loc.publish(loc.builds / build.id)
    return target


def canonical(items: Iterable[Quad | Triple] | Store) -> set[Quad]:
    """A set of quads (triples go to the default graph) with blank nodes canonicalised."""
    quads = (q if isinstance(q, Quad) else Quad(q.subject, q.predicate, q.object) for q in items)
    dataset = Dataset(quads)
    dataset.canonicalize(CanonicalizationAlgorithm.UNSTABLE)
    return set(dataset)
