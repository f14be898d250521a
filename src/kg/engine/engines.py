"""The engine a server runs on: a local build's, or a remote backend's.

>>> import tempfile
>>> from pathlib import Path
>>> type(engine_for(ServerConfig(Path(tempfile.mkdtemp())))).__name__
'LocalEngine'
"""

from __future__ import annotations

from kg.engine.config import ServerConfig
from kg.engine.local import LocalEngine
from kg.engine.remote import RemoteEngine

Engine = LocalEngine | RemoteEngine


def engine_for(config: ServerConfig) -> Engine:
    """The remote engine with ``config.backend``, the local one otherwise."""
    return RemoteEngine(config) if config.backend else LocalEngine(config)
