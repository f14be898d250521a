"""Linked data: entity IRIs served at /id/…, the ontology at /ontology.

``https://w3id.org/future-industries/id/region/beijing`` is answered at
``/id/region/beijing`` as HTML, Turtle, JSON-LD (with the published context,
``/context.jsonld``), N-Triples or RDF/XML, by ``Accept`` or ``?format=``.
"""

from __future__ import annotations

import json
import re

from starlette.requests import Request
from starlette.responses import Response

from kg import settings
from kg.errors import NotFoundError
from kg.html import pages
from kg.html.shell import Alternate
from kg.html.view import View
from kg.http import negotiate
from kg.http.respond import media_type, ok, serve_read, snapshot
from kg.rdf import formats, jsonld
from kg.vocab import ID_BASE

NO_ENTITY = ("no entity at this path: an entity's path is /id/ and segments of letters, digits "
             "and . _ ~ % - separated by /")
_PATH = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~%-]*(?:/[A-Za-z0-9._~%-]+)*$")


def _media(request: Request) -> str:
    return media_type(request, negotiate.PAGE, request.query_params.get("format"))


def _view(request: Request) -> View:
    """The page's language (``?lang=``) and URL: part of the cache key of HTML pages."""
    url = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return View.of(request.query_params.get("lang"), url)


def _alternates(path: str) -> list[Alternate]:
    return [(label, f"{path}?format={ext}", negotiate.by_name(ext, negotiate.GRAPH))
            for label, ext in formats.ALTERNATES]


async def entity(request: Request) -> Response:
    """GET /id/{path}: one entity, content-negotiated; unknown entity → 404."""
    path = request.path_params["path"]
    if not _PATH.match(path) or ".." in path or len(ID_BASE + path) > settings.MAX_IRI_CHARS:
        raise NotFoundError(NO_ENTITY)  # the path is not repeated: it may be anything
    media = _media(request)
    iri = ID_BASE + path
    context = str(request.url_for("context"))
    snap = snapshot(request)
    alternates = _alternates(f"/id/{path}")
    view = _view(request)

    def render(data: object) -> bytes:
        assert isinstance(data, dict)
        return pages.entity_page(data, snap.build_id, alternates, view)

    return await serve_read(request, ("id", iri, context, view), "describe",
                            {"iri": iri, "context": context, "format": media}, media,
                            render=render if media == formats.HTML else None)


async def ontology(request: Request) -> Response:
    """GET /ontology: the ontology graph, or a page listing its classes and properties."""
    media = _media(request)
    context = str(request.url_for("context"))
    snap = snapshot(request)

    view = _view(request)

    def render(data: object) -> bytes:
        assert isinstance(data, dict)
        return pages.ontology_page(data, snap.build_id, _alternates("/ontology"), view)

    return await serve_read(request, ("ontology", context, view), "ontology",
                            {"context": context}, media,
                            render=render if media == formats.HTML else None)


async def context(request: Request) -> Response:
    """GET /context.jsonld: the published JSON-LD context (the project's prefixes)."""
    body = json.dumps(jsonld.context(), indent=1).encode("utf-8")
    return ok(body, "application/ld+json", snapshot(request), ("context",), request)
