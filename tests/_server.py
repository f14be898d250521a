"""Helpers for the server tests: the real `kg serve` in a subprocess on a free loopback port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


class Server:
    """`kg serve` running on a location; stop() ends it."""

    def __init__(self, location: Path, *args: str, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        cmd = [sys.executable, "-m", "kg", "serve", "--location", str(location),
               "--bind", f"{HOST}:{self.port}", *args]
        self.log = location.parent / f"serve-{self.port}.log"
        self._log = self.log.open("wb")
        self.proc = subprocess.Popen(cmd, stdout=self._log, stderr=subprocess.STDOUT,
                                     env={**os.environ, **(env or {})})
        self._wait()

    def _wait(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"kg serve exited: {self.log.read_text()}")
            try:
                httpx.get(self.url + "/health", timeout=1.0)
                return
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError(f"kg serve did not start: {self.log.read_text()}")

    def client(self, **kwargs: object) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30.0, **kwargs)  # type: ignore[arg-type]

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._log.close()


def serve_fixtures(
    *args: str, location: str = "curated_location", env: dict[str, str] | None = None
) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """Module-scoped ``server`` and ``client`` fixtures: `kg serve` with these options on the
    location the fixture named ``location`` gives. In a test module::

        server, client = serve_fixtures("--workers", "2")
    """

    @pytest.fixture(scope="module")
    def server(request: pytest.FixtureRequest) -> Iterator[Server]:
        srv = Server(request.getfixturevalue(location), *args, env=env)
        yield srv
        srv.stop()

    @pytest.fixture(scope="module")
    def client(server: Server) -> Iterator[httpx.Client]:
        with server.client() as c:
            yield c

    return server, client


def select(client: httpx.Client, query: str, **params: str) -> list[dict[str, str]]:
    """A SELECT over HTTP, as rows of plain values."""
    r = client.get("/sparql", params={"query": query, **params},
                   headers={"Accept": "application/sparql-results+json"})
    r.raise_for_status()
    return [{k: v["value"] for k, v in b.items()} for b in r.json()["results"]["bindings"]]
