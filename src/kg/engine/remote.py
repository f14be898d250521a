"""``kg serve --backend URL``: the engine of a server answering from another SPARQL endpoint.

:class:`RemoteEngine` offers the handlers what :class:`~kg.engine.local.LocalEngine`
offers (``snapshot``, ``run``, ``write``, ``status``…), so no handler knows which
one it talks to. The same tasks (:mod:`kg.engine.tasks`) run in threads of the
server process on a :class:`~kg.engine.backend.RemoteBackend` (timeouts, answer
size cap) over one pool of kept-alive connections (:mod:`kg.remote.connections`); the
tasks that need a local build answer 501, and writes are not forwarded (501). A
request's time limit is enforced here: past it the request gets 504 whatever the
thread is still waiting for (its own HTTP timeout, a little longer, ends it soon
after); a backend that refuses the connection or fails is 502.

**Caching.** A backend has no build id, and anything may change its data, so a
snapshot's tag is ``remote-<period>``, the period being the current
``remote_ttl_s`` slice of time (10 s by default): ETags and the response cache
hold for the rest of that period at most. ``--backend-ttl 0`` turns both off
(every request is a new period). ``X-KG-Build`` is ``remote``.

>>> import tempfile
>>> config = ServerConfig(Path(tempfile.mkdtemp()), backend="http://127.0.0.1:9/query")
>>> engine = RemoteEngine(config)
>>> engine.snapshot().build_id, engine.snapshot().tag.startswith("remote-")
('remote', True)
"""

from __future__ import annotations

import asyncio
import functools
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from kg import settings
from kg.catalogue import Catalogue
from kg.engine.backend import RemoteBackend
from kg.engine.base import EngineBase, Snapshot
from kg.engine.config import ServerConfig
from kg.engine.job import PACKAGED, Lane, Reply
from kg.engine.tasks import handle
from kg.remote.connections import Pool

REMOTE_ID = "remote"


class _Context:
    """What a task asks of the process: the catalogue; no writer here."""

    writer = False

    def __init__(self, catalogue: Catalogue) -> None:
        self._catalogue = catalogue

    def catalogue(self) -> Catalogue:
        return self._catalogue


class RemoteEngine(EngineBase):
    """The engine of ``kg serve --backend URL``: read-only, no worker processes."""

    def __init__(self, config: ServerConfig) -> None:
        super().__init__(config)
        if not config.backend:
            raise ValueError("RemoteEngine needs config.backend")
        self.url = config.backend
        RemoteBackend(self.url)  # refuses a URL that is not http(s) now, not per request
        self.context = _Context(Catalogue.load(config.queries))
        threads = max(4, 4 * config.workers)
        self._threads = ThreadPoolExecutor(threads, "kg-backend")
        self._client = Pool(self.url, threads)  # kept-alive connections, shared by threads

    async def start(self) -> None:
        """Nothing to start: threads come with the first requests."""

    async def close(self) -> None:
        self._threads.shutdown(wait=False, cancel_futures=True)
        self._client.close()

    def snapshot(self) -> Snapshot:
        return Snapshot(REMOTE_ID, 0, period=self.window())

    def manifest(self, snap: Snapshot) -> dict[str, Any] | None:
        """None: a backend has no build manifest."""
        return None

    def files(self, snap: Snapshot) -> Path | None:
        """None: a backend keeps no files here."""
        return None

    async def run(self, snap: Snapshot, task: str, args: dict[str, Any], timeout: float,
                  lane: Lane = PACKAGED) -> Reply:
        """Run a task against the backend in a thread; 504 when the time limit passes.
        Lanes are not kept apart here: the backend's own limits decide."""
        backend = RemoteBackend(self.url, timeout=timeout + settings.BACKEND_GRACE_S,
                                client=self._client)
        call = functools.partial(handle, task, backend, args, self.context)
        loop = asyncio.get_running_loop()
        try:
            return await asyncio.wait_for(loop.run_in_executor(self._threads, call), timeout)
        except TimeoutError:
            return Reply(status=504, message=f"the SPARQL backend {self.url} did not answer "
                                             f"within the {timeout:g} s time limit")

    async def write(self, snap: Snapshot, task: str, args: dict[str, Any],
                    timeout: float) -> Reply:
        """501: with --backend the server is read-only (write to the backend itself)."""
        return Reply(status=501, message="writes are not forwarded: with --backend the "
                                         "server is read-only")

    async def status(self) -> dict[str, Any]:
        """/health: the server's figures, and whether the backend answers ``ASK {}`` now."""
        start = time.monotonic()
        reply = await self.run(self.snapshot(), "ping", {},
                               min(settings.HEALTH_TIMEOUT_S, self.config.timeout_s))
        return {"status": "ok" if reply.ok else "backend-unavailable", "build": REMOTE_ID,
                "backend": self.url, "revision": None, "uptime_s": self.uptime(),
                "workers": 0, "writable": False, "cache": self.cache.stats(),
                "cache_ttl_s": self.config.remote_ttl_s, "backend_answers": reply.ok,
                "backend_ms": round(1000 * (time.monotonic() - start)),
                "backend_error": None if reply.ok else reply.message}
