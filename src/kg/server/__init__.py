"""``kg serve``: the SPARQL endpoint and linked-data server (Starlette + uvicorn).

>>> from kg.server import ServerConfig
>>> ServerConfig.__name__
'ServerConfig'
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kg.server.app import create_app
    from kg.server.config import ServerConfig

__all__ = ["ServerConfig", "create_app"]


def __getattr__(name: str) -> Any:
    """Import the application only when asked (other commands import kg.server.config)."""
    if name == "create_app":
        from kg.server.app import create_app

        return create_app
    if name == "ServerConfig":
        from kg.server.config import ServerConfig

        return ServerConfig
    raise AttributeError(name)
