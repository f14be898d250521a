"""``kg serve``: the SPARQL endpoint and linked-data server (Starlette + uvicorn).

>>> from kg.http import ServerConfig
>>> ServerConfig.__name__
'ServerConfig'
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kg.engine.config import ServerConfig
    from kg.http.app import create_app

__all__ = ["ServerConfig", "create_app"]


def __getattr__(name: str) -> Any:
    """Import the application only when asked (other commands import kg.engine.config)."""
    if name == "create_app":
        from kg.http.app import create_app

        return create_app
    if name == "ServerConfig":
        from kg.engine.config import ServerConfig

        return ServerConfig
    raise AttributeError(name)
