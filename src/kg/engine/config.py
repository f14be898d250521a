"""The server's settings, fixed when it starts.

>>> cfg = ServerConfig(Path("var/kg"))
>>> cfg.timeout_s == settings.DEFAULT_TIMEOUT_S, cfg.writable
(True, False)
>>> ServerConfig(Path("x"), update_token="s3cret").writable
True
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from kg import settings

ENV_UPDATE_TOKEN = "KG_UPDATE_TOKEN"  # noqa: S105 - the variable's name, not a secret


def default_workers() -> int:
    """Query worker processes: one per core, and never fewer than two.

    >>> default_workers() >= 2
    True
    """
    return max(2, os.cpu_count() or 2)


@dataclass(frozen=True)
class ServerConfig:
    """What ``kg serve`` was started with."""

    location: Path
    timeout_s: float = settings.DEFAULT_TIMEOUT_S
    workers: int = field(default_factory=default_workers)
    update_token: str | None = None
    cors_origins: tuple[str, ...] = ()
    cache_entries: int = settings.CACHE_ENTRIES
    cache_bytes: int = settings.CACHE_BYTES
    row_cap: int = settings.DEFAULT_ROW_CAP
    query_memory_mb: int = settings.QUERY_MEMORY_MB  # per query, above the worker's own size
    reserved_workers: int = settings.RESERVED_WORKERS  # kept for packaged work (kg.engine.pool)
    long_queries: int = settings.MAX_LONG_QUERIES  # long queries moved out of the pool at once
    max_body_bytes: int = settings.MAX_BODY_BYTES
    body_timeout_s: float = settings.BODY_TIMEOUT_S  # to send a whole request body
    queries: Path | None = None  # the packaged-query folder (default: the curated one)
    backend: str | None = None  # a SPARQL endpoint URL to answer from instead of a local build
    allowed_services: frozenset[str] = settings.ALLOWED_SERVICES  # SERVICE targets (federated)
    remote_ttl_s: float = settings.REMOTE_TTL_S  # reuse of answers from elsewhere; 0: never
    isolate_workers: bool = settings.ISOLATE_WORKERS  # workers without network (kg.engine.worker)

    @property
    def writable(self) -> bool:
        """True when updates are possible at all (a token was configured)."""
        return bool(self.update_token)


def token_from_env(explicit: str | None) -> str | None:
    """The update token: the option's value, else ``$KG_UPDATE_TOKEN``, else None.

    >>> token_from_env("abc")
    'abc'
    """
    return explicit or os.environ.get(ENV_UPDATE_TOKEN) or None
