"""The web interface: what a person sees in a browser at ``kg serve``'s address.

Home (``/``), the question catalogue with a form per packaged query
(``/ui/queries/NAME``), search (``/ui/search``), the SPARQL editor
(``/ui/sparql``, YASGUI served from ``static/vendor/yasgui``: nothing comes
from another site), and the static files (``/ui/static/…``). The server
registers :func:`routes` once; the pages use its runtime (workers, cache).

>>> sorted(r.path for r in routes())  # doctest: +NORMALIZE_WHITESPACE
['/favicon.ico', '/ui/places.json', '/ui/queries', '/ui/queries/{name}', '/ui/search',
 '/ui/sparql', '/ui/static']
"""

from __future__ import annotations

from importlib import resources

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from kg.http.ui import editor, home, places, question, questions, search


def static_path(name: str) -> str:
    """The path of a static file of the web interface."""
    return str(resources.files("kg.html").joinpath("static", name))


async def favicon(_request: Request) -> Response:
    """GET /favicon.ico: the site's icon (browsers ask for it on every page)."""
    return FileResponse(static_path("favicon.svg"), media_type="image/svg+xml",
                        headers={"Cache-Control": "max-age=86400"})


def routes() -> list[BaseRoute]:
    """The UI's routes (the home page is registered by the server as ``/``)."""
    static = StaticFiles(directory=static_path(""))
    return [
        Route("/favicon.ico", favicon, name="favicon"),
        Route("/ui/queries", questions, name="ui-questions"),
        Route("/ui/queries/{name}", question, name="ui-question"),
        Route("/ui/search", search, name="ui-search"),
        Route("/ui/sparql", editor, name="ui-editor"),
        Route("/ui/places.json", places, name="ui-places"),
        Mount("/ui/static", static, name="ui-static"),
    ]


__all__ = ["home", "routes"]
