"""What every engine shares: the snapshot a request is given, the response cache, small
per-build facts, time limits.

>>> Snapshot("20260101-abc", 0).tag, Snapshot("20260101-abc", 3).tag
('20260101-abc', '20260101-abc+3')
>>> Snapshot("remote", 0, period=7).tag
'remote-7'
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg import settings
from kg.engine.cache import LruCache
from kg.engine.config import ServerConfig


@dataclass(frozen=True)
class Snapshot:
    """What a request answers from: a build (and the writes applied to it), or a backend
    during one period of ``remote_ttl_s``."""

    build_id: str
    revision: int
    path: Path | None = None  # the build's folder (None: a remote backend)
    period: int | None = None  # the backend's reuse period (None: a local build)

    @property
    def tag(self) -> str:
        """What ETags and the cache key on: the build id (``id+3`` after writes), or
        ``remote-<period>``."""
        if self.period is not None:
            return f"{self.build_id}-{self.period}"
        return self.build_id if not self.revision else f"{self.build_id}+{self.revision}"


class EngineBase:
    """State shared by every request of one server process, whatever answers them."""

    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        self.cache = LruCache(config.cache_entries, config.cache_bytes)
        self.started = time.time()
        self.memo: dict[Hashable, Any] = {}  # small per-build facts (VoID figures)
        self._unique = itertools.count(-1, -1)  # windows that never repeat (remote_ttl_s 0)

    def window(self) -> int:
        """Which ``remote_ttl_s`` period it is: part of the cache key of answers that come
        from elsewhere (SERVICE, a backend), so they are reused for that long at most
        (never with 0)."""
        ttl = self.config.remote_ttl_s
        if ttl <= 0:
            return next(self._unique)
        return int(time.time() // ttl)

    def remember(self, key: Hashable, value: Any) -> None:
        """Keep a small per-build fact; old ones go once there are many."""
        if len(self.memo) >= settings.MEMO_ENTRIES:
            self.memo.clear()
        self.memo[key] = value

    def timeout(self, requested: float | None) -> float:
        """The time limit: the server's, or a lower one the request asked for."""
        limit = self.config.timeout_s
        return min(requested, limit) if requested else limit

    def uptime(self) -> float:
        return round(time.time() - self.started, 3)
