"""``kg serve``: the SPARQL endpoint and linked-data server (Starlette + uvicorn).

>>> from kg.server import ServerConfig
>>> ServerConfig.__name__
'ServerConfig'
"""

from kg.server.app import create_app
from kg.server.config import ServerConfig

__all__ = ["ServerConfig", "create_app"]
