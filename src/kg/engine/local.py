"""The engine of a local build: worker processes over the location's current build.

Each request takes one :class:`~kg.engine.base.Snapshot` when it arrives
(``Location.current()`` is one readlink) and everything it answers comes from that
build, so a ``kg build`` that publishes a new build mid-request never mixes two builds.

The workers have no network (:mod:`kg.engine.worker`, where the OS allows: the server's log
and /health's ``workers_network`` say whether it does), so a federated question's SERVICE
blocks are answered here, in the server process, from the allow-listed endpoints only
(:func:`kg.engine.tasks.answer_services`), and its worker runs the rest on their answers.

>>> import tempfile
>>> engine = LocalEngine(ServerConfig(Path(tempfile.mkdtemp())))
>>> engine.snapshot() is None
True
"""

from __future__ import annotations

import asyncio
import functools
import logging
from pathlib import Path
from typing import Any

from kg.catalogue import Catalogue
from kg.engine.base import EngineBase, Snapshot
from kg.engine.config import ServerConfig
from kg.engine.job import PACKAGED, Job, Lane, Reply
from kg.engine.journal import revision
from kg.engine.pool import Pool
from kg.engine.tasks import answer_services
from kg.engine.worker import serve
from kg.errors import QueryTimeout
from kg.store import Build, Location

LOG = logging.getLogger("uvicorn.error")  # the server's log (kg serve --log-level)


class LocalEngine(EngineBase):
    """Reader workers and one writer over the builds of a location."""

    def __init__(self, config: ServerConfig) -> None:
        super().__init__(config)
        self.location = Location(config.location)
        self.pool = Pool(config.workers, functools.partial(serve, queries=config.queries,
                                                           isolate=config.isolate_workers),
                         [serve.__module__], config.query_memory_mb << 20,
                         config.reserved_workers, config.long_queries)
        self._revisions: dict[str, int] = {}
        self._manifests: dict[str, dict[str, Any]] = {}
        self._catalogue: Catalogue | None = None  # for federated questions (see module doc)

    async def start(self) -> None:
        """Start the worker processes (when the server starts) and say in the log whether
        they have a network."""
        await self.pool.start()
        network = self.pool.network()
        if network == "none":
            LOG.info("query workers: no network (each in a network namespace of its own)")
        elif self.config.isolate_workers:
            LOG.warning("query workers: NOT isolated from the network (network %s: the OS "
                        "refused a network namespace; docs/server.md, \"Never a relay\")",
                        network)
        else:
            LOG.warning("query workers: network allowed (--worker-network)")

    async def close(self) -> None:
        """Stop them (when the server stops)."""
        await self.pool.close()

    def snapshot(self) -> Snapshot | None:
        """The current build now (None before the first build)."""
        build = self.location.current()
        if build is None:
            return None
        rev = self._revisions.get(build.id)
        if rev is None:
            rev = self._revisions[build.id] = revision(build.path)
        return Snapshot(build.id, rev, build.path)

    def manifest(self, snap: Snapshot) -> dict[str, Any] | None:
        """The build's manifest, read once per build."""
        if snap.path is None:
            return None
        if snap.build_id not in self._manifests:
            self._manifests[snap.build_id] = Build(snap.path).manifest()
        return self._manifests[snap.build_id]

    def files(self, snap: Snapshot) -> Path | None:
        """The build's folder, for files kept with it (dumps)."""
        return snap.path

    def bumped(self, snap: Snapshot) -> None:
        """Record one more write applied to a build (readers then re-open it)."""
        current = self._revisions.get(snap.build_id, snap.revision)
        self._revisions[snap.build_id] = max(current, snap.revision) + 1

    async def run(self, snap: Snapshot, task: str, args: dict[str, Any], timeout: float,
                  lane: Lane = PACKAGED) -> Reply:
        """Run a read task on the snapshot's build in a worker its lane may use (a
        federated question's SERVICE blocks answered here first)."""
        if args.get("services") is not None:
            loop = asyncio.get_running_loop()
            start = loop.time()
            prepared = await self._answer_services(args, timeout)
            if isinstance(prepared, Reply):
                return prepared
            args, timeout = prepared, timeout - (loop.time() - start)
        job = Job(task, str(snap.path), snap.revision, args)
        return await self.pool.run(job, timeout, lane)

    async def _answer_services(self, args: dict[str, Any], timeout: float
                               ) -> dict[str, Any] | Reply:
        """:func:`~kg.engine.tasks.answer_services` in a thread, within ``timeout``."""
        if self._catalogue is None:
            self._catalogue = Catalogue.load(self.config.queries)
        call = functools.partial(answer_services, args, self._catalogue)
        try:
            async with asyncio.timeout(timeout):
                return await asyncio.get_running_loop().run_in_executor(None, call)
        except TimeoutError:
            raise QueryTimeout(f"query stopped at its {timeout:g} s time limit (asking the "
                               "SERVICE endpoints)") from None

    async def write(self, snap: Snapshot, task: str, args: dict[str, Any], timeout: float) -> Reply:
        """Run a write task in the writer; the revision goes up whatever happened."""
        path = str(snap.path)
        job = Job(task, path, snap.revision, {**args, "build": path})
        try:
            return await self.pool.write(job, timeout)
        finally:
            self.bumped(snap)

    async def status(self) -> dict[str, Any]:
        """What /health reports (``status`` is ``ok`` when the server can answer)."""
        snap = self.snapshot()
        return {
            "status": "ok" if snap else "no-build",
            "build": snap.build_id if snap else None,
            "revision": snap.revision if snap else None,
            "uptime_s": self.uptime(),
            "workers": len(self.pool.pids()),
            "workers_replaced": self.pool.replaced,
            "lanes": self.pool.status(),
            "workers_network": self.pool.network(),
            "writable": self.config.writable,
            "cache": self.cache.stats(),
        }
