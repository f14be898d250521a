"""The web interface: what a person sees in a browser at ``kg serve``'s address.

Home (``/``), the question catalogue with a form per packaged query
(``/ui/queries/NAME``), search (``/ui/search``), the SPARQL editor
(``/ui/sparql``, YASGUI served from ``static/vendor/yasgui``: nothing comes
from another site), and the static files (``/ui/static/…``). The server
registers :func:`routes` once; the pages use its runtime (workers, cache).

>>> sorted(r.path for r in routes())
['/ui/places.json', '/ui/queries', '/ui/queries/{name}', '/ui/search', '/ui/sparql', '/ui/static']
"""

from __future__ import annotations

from importlib import resources

from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from kg.web.handlers import editor, home, places, question, questions, search


def routes() -> list[BaseRoute]:
    """The UI's routes (the home page is registered by the server as ``/``)."""
    static = StaticFiles(directory=str(resources.files("kg.web").joinpath("static")))
    return [
        Route("/ui/queries", questions, name="ui-questions"),
        Route("/ui/queries/{name}", question, name="ui-question"),
        Route("/ui/search", search, name="ui-search"),
        Route("/ui/sparql", editor, name="ui-editor"),
        Route("/ui/places.json", places, name="ui-places"),
        Mount("/ui/static", static, name="ui-static"),
    ]


__all__ = ["home", "routes"]
