"""The running server's state: which build is current, the worker pool, the cache.

Each request takes one :class:`Snapshot` when it arrives (``Location.current()``
is one readlink) and everything it answers comes from that build, so a
``kg build`` that publishes a new build mid-request never mixes two builds.

>>> import tempfile
>>> rt = Runtime(ServerConfig(Path(tempfile.mkdtemp())))
>>> rt.snapshot() is None
True
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.engine.cache import LruCache
from kg.engine.config import ServerConfig
from kg.engine.pool import Job, Pool, Reply
from kg.engine.tasks import JOURNAL
from kg.store import Build, Location

MEMO_ENTRIES = 64


@dataclass(frozen=True)
class Snapshot:
    """One build as a request sees it: the build and the writes applied to it."""

    build: Build
    revision: int

    @property
    def tag(self) -> str:
        """The build id, with the revision when writes were applied (``id+3``)."""
        return self.build.id if not self.revision else f"{self.build.id}+{self.revision}"


class Runtime:
    """Shared by every request of one server process."""

    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        self.location = Location(config.location)
        self.pool = Pool(config.workers, config.queries, config.query_memory_mb << 20)
        self.cache = LruCache(config.cache_entries, config.cache_bytes)
        self.started = time.time()
        self._revisions: dict[str, int] = {}
        self._manifests: dict[str, dict[str, Any]] = {}
        self.memo: dict[Hashable, Any] = {}  # small per-build facts (VoID figures)
        self._unique = itertools.count(-1, -1)  # windows that never repeat (remote_ttl_s 0)

    async def start(self) -> None:
        """Start the worker processes (when the server starts)."""
        await self.pool.start()

    async def close(self) -> None:
        """Stop them (when the server stops)."""
        await self.pool.close()

    def snapshot(self) -> Snapshot | None:
        """The current build now (None before the first build)."""
        build = self.location.current()
        if build is None:
            return None
        revision = self._revisions.get(build.id)
        if revision is None:
            revision = self._revisions[build.id] = _journal_lines(build.path / JOURNAL)
        return Snapshot(build, revision)

    def manifest(self, snap: Snapshot) -> dict[str, Any]:
        """The build's manifest, read once per build."""
        if snap.build.id not in self._manifests:
            self._manifests[snap.build.id] = snap.build.manifest()
        return self._manifests[snap.build.id]

    def files(self, snap: Snapshot) -> Path:
        """The build's folder, for files kept with it (dumps)."""
        return snap.build.path

    def window(self) -> int:
        """Which ``remote_ttl_s`` period it is: part of the cache key of answers that come
        from elsewhere (SERVICE), so they are reused for that long at most (never with 0)."""
        ttl = self.config.remote_ttl_s
        if ttl <= 0:
            return next(self._unique)
        return int(time.time() // ttl)

    def remember(self, key: Hashable, value: Any) -> None:
        """Keep a small per-build fact; old ones go once there are many."""
        if len(self.memo) >= MEMO_ENTRIES:
            self.memo.clear()
        self.memo[key] = value

    def bumped(self, snap: Snapshot) -> None:
        """Record one more write applied to a build (readers then re-open it)."""
        current = self._revisions.get(snap.build.id, snap.revision)
        self._revisions[snap.build.id] = max(current, snap.revision) + 1

    def timeout(self, requested: float | None) -> float:
        """The time limit: the server's, or a lower one the request asked for."""
        limit = self.config.timeout_s
        return min(requested, limit) if requested else limit

    async def run(self, snap: Snapshot, task: str, args: dict[str, Any], timeout: float) -> Reply:
        """Run a read task on the snapshot's build in a worker."""
        job = Job(task, str(snap.build.path), snap.revision, args)
        return await self.pool.run(job, timeout)

    async def write(self, snap: Snapshot, task: str, args: dict[str, Any], timeout: float) -> Reply:
        """Run a write task in the writer; the revision goes up whatever happened."""
        path = str(snap.build.path)
        job = Job(task, path, snap.revision, {**args, "build": path})
        try:
            return await self.pool.write(job, timeout)
        finally:
            self.bumped(snap)

    async def status(self) -> dict[str, Any]:
        """What /health reports (``status`` is ``ok`` when the server can answer)."""
        return self.health()

    def health(self) -> dict[str, Any]:
        """What /health reports."""
        snap = self.snapshot()
        return {
            "status": "ok" if snap else "no-build",
            "build": snap.build.id if snap else None,
            "revision": snap.revision if snap else None,
            "uptime_s": round(time.time() - self.started, 3),
            "workers": len(self.pool.pids()),
            "workers_replaced": self.pool.replaced,
            "writable": self.config.writable,
            "cache": self.cache.stats(),
        }


def _journal_lines(path: Path) -> int:
    try:
        with path.open("rb") as fh:
            return sum(1 for _ in fh)
    except FileNotFoundError:
        return 0
