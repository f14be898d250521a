"""The browser UI's routes: home at ``/``, everything else a sub-application mounted at
``/ui`` (questions, one question, search, the SPARQL editor, places for maps, names
for charts, static files), and ``/favicon.ico``. Handlers gather what a page shows (the
catalogue, the build's choices) and hand it to :mod:`kg.html.ui` with a view.

>>> sorted(r.path for r in routes())[:4]
['/labels.json', '/places.json', '/queries', '/queries/{name}']
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from kg.errors import NotFoundError
from kg.html import ui
from kg.html.shell import VERSION
from kg.html.view import View
from kg.http import graphdata
from kg.http.respond import catalogue, ok, snapshot, stored_query
from kg.rdf import formats


def view(request: Request) -> View:
    """The page's view (503 before the first build): UI links always carry the language."""
    url = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return View.of(request.query_params.get("lang"), url, build=snapshot(request).build_id,
                   query=request.query_params.get("q", ""), always=True,
                   accept=request.headers.get("accept-language"))


def respond(request: Request, v: View, body: bytes) -> Response:
    """An HTML page with an ETag for this build, URL and language (304 when unchanged)."""
    return ok(body, formats.HTML, snapshot(request), ("web", v.url, v.lang), request)


async def home(request: Request) -> Response:
    """GET /: what the graph holds and the ways into it."""
    v = view(request)
    return respond(request, v, ui.home(v, catalogue(request), await graphdata.choices(request)))


async def questions(request: Request) -> Response:
    """GET /ui/queries: every packaged question."""
    v = view(request)
    return respond(request, v, ui.questions(v, catalogue(request)))


async def question(request: Request) -> Response:
    """GET /ui/queries/NAME: the question's form, and its results drawn in its view."""
    v, cat = view(request), catalogue(request)
    try:
        query = stored_query(request)
    except NotFoundError as exc:
        return Response(ui.not_found(v, str(exc), cat), 404, media_type=formats.HTML)
    found = await graphdata.choices(request)
    raw = dict(request.query_params)
    for param in query.params:  # a list's drop-downs each send a value: joined
        if param.many:
            raw[param.name] = ",".join(v for v in request.query_params.getlist(param.name) if v)
    return respond(request, v, ui.question(v, query, raw, found))


async def search(request: Request) -> Response:
    """GET /ui/search?q=TEXT: names in either language."""
    v = view(request)
    return respond(request, v, ui.search(v, catalogue(request)))


async def editor(request: Request) -> Response:
    """GET /ui/sparql: YASGUI on /sparql, with the packaged queries as examples."""
    v = view(request)
    return respond(request, v, ui.editor(v, catalogue(request)))


async def places(request: Request) -> Response:
    """GET /ui/places.json: coordinates for the map view."""
    data = await graphdata.places(request)
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return ok(body, "application/json", snapshot(request), ("web-places",), request)


async def labels(request: Request) -> Response:
    """GET /ui/labels.json: names of the graph's regions, sectors and plans, and the sector
    hierarchy, for the charts and tables."""
    data = await graphdata.labels(request)
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return ok(body, "application/json", snapshot(request), ("web-labels",), request)


def static_path(name: str) -> str:
    """The path of a static file of the pages."""
    return str(resources.files("kg.html").joinpath("static", name))


async def favicon(_request: Request) -> Response:
    """GET /favicon.ico: the site's icon (browsers ask for it on every page)."""
    return FileResponse(static_path("favicon.svg"), media_type="image/svg+xml",
                        headers={"Cache-Control": "max-age=86400"})


class Versioned(StaticFiles):
    """Static files under their version (:data:`kg.html.shell.VERSION`): a changed file is a
    new URL, so every answer may be kept for a year without asking again."""

    def file_response(self, *args: Any, **kwargs: Any) -> Response:
        response = super().file_response(*args, **kwargs)
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response


def routes() -> list[BaseRoute]:
    """The UI's routes, relative to where it is mounted (``/ui``)."""
    return [
        Route("/queries", questions, name="questions"),
        Route("/queries/{name}", question, name="question"),
        Route("/search", search, name="search"),
        Route("/sparql", editor, name="editor"),
        Route("/places.json", places, name="places"),
        Route("/labels.json", labels, name="labels"),
        Mount(f"/static/{VERSION}", Versioned(directory=static_path("")), name="versioned"),
        Mount("/static", StaticFiles(directory=static_path("")), name="static"),
    ]
