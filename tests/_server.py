"""The one way the tests (and bench/) run servers: a free loopback port, a subprocess started
and waited for until it answers, stopped afterwards.

- :class:`Server`: the real `kg serve` (the session-wide ones are in tests/conftest.py);
- :func:`oxigraph_server`: a real `oxigraph serve`, as a remote endpoint or a backend;
- :class:`Listener` / :func:`silent_server`: a socket that accepts and never answers;
- :func:`closed_port_url`: a URL where nothing listens.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from kg import settings

HOST = "127.0.0.1"
CORS_ORIGIN = "http://allowed.example"  # the origin the session's local server allows
OXIGRAPH = Path(sys.executable).parent / "oxigraph"  # the PyPI package's CLI, beside Python
START_S = 60.0  # how long a server may take to answer its first request (a busy machine)


def free_port() -> int:
    """A TCP port nothing listens on now, on the loopback interface."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def closed_port_url() -> str:
    """A SPARQL URL on the loopback interface where nothing listens."""
    return f"http://{HOST}:{free_port()}/sparql"


def start(cmd: list[str], url: str, log: Path, env: dict[str, str] | None = None,
          timeout: float = START_S, cwd: Path | None = None,
          ready: Callable[[httpx.Response], bool] = lambda _: True) -> subprocess.Popen[bytes]:
    """Run ``cmd`` (its output into ``log``) until GET ``url`` gets an answer that is
    ``ready`` (any HTTP answer, unless told otherwise); RuntimeError with the log's end if
    it exits or does not answer within ``timeout`` seconds (then it is stopped)."""
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=cwd,
                                env={**os.environ, **(env or {})})
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{cmd[0]} exited ({proc.returncode}): {_tail(log)}")
        try:
            if ready(httpx.get(url, timeout=2.0)):
                return proc
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    stop(proc)
    raise RuntimeError(f"{cmd[0]} did not answer within {timeout:g} s: {_tail(log)}")


def _tail(log: Path) -> str:
    return log.read_text("utf-8", "replace")[-2000:]


def stop(proc: subprocess.Popen[bytes], grace: float = 10.0) -> None:
    """SIGTERM, then SIGKILL if it has not ended within ``grace`` seconds."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


class Server:
    """`kg serve` on a location with these options; a context manager, or stop() ends it.
    Its output goes to ``log`` (by default serve-PORT.log beside the location); it runs in
    ``cwd`` (the project it serves) if given."""

    def __init__(self, location: Path, *args: str, env: dict[str, str] | None = None,
                 log: Path | None = None, cwd: Path | None = None) -> None:
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.log = log or location.parent / f"serve-{self.port}.log"
        cmd = [sys.executable, "-m", "kg", "serve", "--location", str(location),
               "--bind", f"{HOST}:{self.port}", *args]
        self.proc = start(cmd, self.url + "/health", self.log, env, cwd=cwd)

    def client(self, **kwargs: Any) -> httpx.Client:
        """A client with a generous read timeout: on a busy machine the first /catalog makes
        every dump of the build (seen past 30 s with both cores taken by other work). It
        drops an idle connection before the server does (settings.KEEP_ALIVE_S): at the same
        age a request can meet a connection the server is closing."""
        kwargs.setdefault("limits", httpx.Limits(keepalive_expiry=settings.KEEP_ALIVE_S / 2))
        return httpx.Client(base_url=self.url, timeout=httpx.Timeout(30.0, read=300.0),
                            **kwargs)

    def stop(self) -> None:
        stop(self.proc)

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()


@dataclass(frozen=True)
class Served:
    """One of the servers a test runs against: ``kind`` is "local" (a build) or "backend"
    (`kg serve --backend`); ``build`` is the X-KG-Build its answers carry."""

    kind: str
    server: Server
    client: httpx.Client
    build: str


def serve_fixtures(
    *args: str, location: str = "curated_location", env: dict[str, str] | None = None
) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """Module-scoped ``server`` and ``client`` fixtures: `kg serve` with these options on the
    location the fixture named ``location`` gives, for a module whose server differs from the
    session's (tests/conftest.py). In a test module::

        server, client = serve_fixtures("--workers", "2", "--timeout", "20")
    """

    @pytest.fixture(scope="module")
    def server(request: pytest.FixtureRequest) -> Iterator[Server]:
        with Server(request.getfixturevalue(location), *args, env=env) as srv:
            yield srv

    @pytest.fixture(scope="module")
    def client(server: Server) -> Iterator[httpx.Client]:
        with server.client() as c:
            yield c

    return server, client


@contextmanager
def oxigraph_server(location: Path, union: bool = True, read_only: bool = False,
                    timeout: float = START_S) -> Iterator[str]:
    """A real `oxigraph serve` (or ``serve-read-only``) on the store at ``location`` (a new
    one if there is none); yields its base URL (…/query, …/store). ``union``: the default
    graph is the union of the named graphs."""
    port = free_port()
    base = f"http://{HOST}:{port}"
    cmd = [str(OXIGRAPH), "serve-read-only" if read_only else "serve",
           "--location", str(location), "--bind", f"{HOST}:{port}",
           *(["--union-default-graph"] if union else [])]
    proc = start(cmd, base + "/query?query=ASK%7B%7D", location.parent / f"oxigraph-{port}.log",
                 timeout=timeout)
    try:
        yield base
    finally:
        stop(proc)


class Listener:
    """A socket on the loopback interface that accepts connections and counts them
    (``contacts``): proof that nothing connected, or a SPARQL endpoint that fails. A
    ``silent`` one keeps each connection open and never answers; otherwise each is closed
    at once, once counted."""

    def __init__(self, silent: bool = True) -> None:
        self.silent = silent
        self.sock = socket.socket()
        self.sock.bind((HOST, 0))
        self.sock.listen(64)
        self.sock.settimeout(0.2)
        self.port = int(self.sock.getsockname()[1])
        self.url = f"http://{HOST}:{self.port}/sparql"
        self.contacts = 0
        self.connections: list[socket.socket] = []  # the silent one's, open
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn = self.sock.accept()[0]
            except OSError:
                continue
            self.contacts += 1
            if self.silent:
                self.connections.append(conn)
            else:
                conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        for conn in self.connections:
            conn.close()
        self.sock.close()

    def __enter__(self) -> Listener:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


@contextmanager
def silent_server() -> Iterator[str]:
    """A :class:`Listener`'s SPARQL URL: connections are accepted and never answered."""
    with Listener() as listener:
        yield listener.url


def select(client: httpx.Client, query: str, **params: str) -> list[dict[str, str]]:
    """A SELECT over HTTP, as rows of plain values."""
    r = client.get("/sparql", params={"query": query, **params},
                   headers={"Accept": "application/sparql-results+json"})
    r.raise_for_status()
    return [{k: v["value"] for k, v in b.items()} for b in r.json()["results"]["bindings"]]


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (Linux /proc). A `kg serve`'s query workers are
    its children's children (those of its fork server)."""
    return [int(child) for task in Path(f"/proc/{pid}/task").iterdir()
            for child in (task / "children").read_text().split()]


def wait_for_workers(client: httpx.Client, workers: int = 2, within: float = 60.0) -> dict:
    """/health once the server has ``workers`` workers again (one stopped at a limit is
    replaced in the background), or after ``within`` seconds; the last /health."""
    deadline = time.monotonic() + within
    health: dict = client.get("/health").json()
    while health["workers"] < workers and time.monotonic() < deadline:
        time.sleep(0.1)
        health = client.get("/health").json()
    return health
