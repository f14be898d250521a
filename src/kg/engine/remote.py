"""``kg serve --backend URL``: the server answering from another SPARQL endpoint.

:class:`BackendRuntime` takes the place of :class:`~kg.engine.local.Runtime`
behind the same interface (``snapshot``, ``run``, ``write``, ``status``…), so
no handler knows which one it talks to. Tasks (:mod:`kg.engine.remote_tasks`)
run in threads of the server process and reach the backend through
:class:`kg.remote.RemoteEndpoint` (timeouts, answer size cap) over one pool
of kept-alive connections. A request's time limit is enforced here: past it
the request gets 504 whatever the thread is still waiting for (its own HTTP
timeout, a little longer, ends it soon after); a backend that refuses the
connection or fails is 502.

**Caching.** A backend has no build id, and anything may change its data, so
a snapshot's tag is ``remote-<period>``, the period being the current
``remote_ttl_s`` slice of time (10 s by default): ETags and the response cache
hold for the rest of that period at most. ``--backend-ttl 0`` turns both off
(every request is a new period). ``X-KG-Build`` is ``remote``.

>>> import tempfile
>>> config = ServerConfig(Path(tempfile.mkdtemp()), backend="http://127.0.0.1:9/query")
>>> rt = BackendRuntime(config)
>>> rt.snapshot().build.id, rt.snapshot().tag.startswith("remote-")
('remote', True)
"""

from __future__ import annotations

import asyncio
import functools
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from pyoxigraph import Store

from kg.catalogue import Catalogue
from kg.engine import remote_tasks as backend_tasks
from kg.engine.config import ServerConfig
from kg.engine.local import Runtime, Snapshot
from kg.engine.pool import Reply
from kg.errors import ExitCode, KgError
from kg.remote.endpoint import RemoteEndpoint
from kg.store import Build

REMOTE_ID = "remote"
GRACE_S = 1.0  # the endpoint's own timeout exceeds the request's, so the limit here decides
HEALTH_TIMEOUT_S = 2.0


class Unavailable(KgError):
    """What a remote backend cannot offer here (HTTP 501)."""

    exit_code = ExitCode.USAGE
    http_status = 501


@dataclass(frozen=True)
class BackendBuild(Build):
    """Where handlers name the build: ``remote``, with no files and no manifest."""

    url: str = ""

    @property
    def id(self) -> str:
        return REMOTE_ID

    def manifest(self) -> dict[str, Any]:
        raise _local_only("the build manifest (DCAT catalogue)")

    def open(self) -> Store:
        raise _local_only("the store")


@dataclass(frozen=True)
class BackendSnapshot(Snapshot):
    """The backend as one request sees it: the period its answers may be reused in."""

    period: int = 0

    @property
    def tag(self) -> str:
        return f"{REMOTE_ID}-{self.period}"


class BackendRuntime(Runtime):
    """The runtime of ``kg serve --backend URL``: read-only, no worker processes."""

    def __init__(self, config: ServerConfig) -> None:
        super().__init__(config)
        if not config.backend:
            raise ValueError("BackendRuntime needs config.backend")
        self.url = config.backend
        RemoteEndpoint(self.url)  # refuses a URL that is not http(s) now, not per request
        self.context = backend_tasks.Context(Catalogue.load(config.queries),
                                             config.allowed_services)
        self._build = BackendBuild(Path(REMOTE_ID), self.url)
        threads = max(4, 4 * config.workers)
        self._threads = ThreadPoolExecutor(threads, "kg-backend")
        limits = httpx.Limits(max_connections=threads, max_keepalive_connections=threads)
        self._client = httpx.Client(limits=limits)  # kept-alive connections, shared by threads

    async def start(self) -> None:
        """Nothing to start: threads come with the first requests."""

    async def close(self) -> None:
        self._threads.shutdown(wait=False, cancel_futures=True)
        self._client.close()

    def snapshot(self) -> Snapshot:
        return BackendSnapshot(self._build, 0, self.window())

    def files(self, snap: Snapshot) -> Path:
        raise _local_only("dumps")

    def manifest(self, snap: Snapshot) -> dict[str, Any]:
        raise _local_only("the build manifest (DCAT catalogue)")

    async def run(self, snap: Snapshot, task: str, args: dict[str, Any], timeout: float) -> Reply:
        """Run a task against the backend in a thread; 504 when the time limit passes."""
        found = backend_tasks.TASKS.get(task)
        if found is None:
            return Reply(status=501, message=str(_local_only(f"this request ({task})")))
        endpoint = RemoteEndpoint(self.url, timeout=timeout + GRACE_S, client=self._client)
        call = functools.partial(backend_tasks.handle, found, endpoint, args, self.context)
        loop = asyncio.get_running_loop()
        try:
            return await asyncio.wait_for(loop.run_in_executor(self._threads, call), timeout)
        except TimeoutError:
            return Reply(status=504, message=f"the SPARQL backend {self.url} did not answer "
                                             f"within the {timeout:g} s time limit")

    async def write(self, snap: Snapshot, task: str, args: dict[str, Any],
                    timeout: float) -> Reply:
        raise Unavailable("writes are not forwarded: with --backend the server is read-only")

    async def status(self) -> dict[str, Any]:
        """/health: the server's figures, and whether the backend answers ``ASK {}`` now."""
        start = time.monotonic()
        snap = self.snapshot()
        reply = await self.run(snap, "ping", {}, min(HEALTH_TIMEOUT_S, self.config.timeout_s))
        return {**self.health(), "status": "ok" if reply.ok else "backend-unavailable",
                "backend_answers": reply.ok, "backend_ms": round(1000 * (time.monotonic() - start)),
                "backend_error": None if reply.ok else reply.message}

    def health(self) -> dict[str, Any]:
        return {"status": "ok", "build": REMOTE_ID, "backend": self.url,
                "revision": None, "uptime_s": round(time.time() - self.started, 3),
                "workers": 0, "writable": False, "cache": self.cache.stats(),
                "cache_ttl_s": self.config.remote_ttl_s}


def _local_only(what: str) -> Unavailable:
    return Unavailable(f"{what} is not available with a remote backend (kg serve --backend): "
                       "it needs a local build; the backend's own server may offer it")
