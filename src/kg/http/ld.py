"""Linked data: every IRI the project mints under ``https://w3id.org/future-industries/``
is answered at its path.

- ``/id/…`` (entities) and ``/division/…`` (the imported administrative divisions): the
  entity's triples (and its hash IRIs', ``…#geo``) with the document's licence, as HTML,
  Turtle, JSON-LD (compacted with the published context, ``/context.jsonld``, named by
  its stable IRI; expanded when asked for with the ``…/json-ld#expanded`` profile),
  N-Triples or RDF/XML, by ``Accept`` or ``?format=``;
- ``/ontology`` and its ``owl:versionIRI`` ``/ontology/VERSION``;
- ``/graph/NAME``: the named graph's content (like a Graph Store Protocol GET) or a page;
- ``/build`` and ``/build/ID``: the record of the current build (its hash IRIs too).
"""

from __future__ import annotations

import json
import re
from collections.abc import Hashable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from kg import settings
from kg.errors import NotFoundError
from kg.html import pages
from kg.html.shell import Alternate
from kg.html.view import View
from kg.http import described, negotiate
from kg.http.meta import stats
from kg.http.respond import media_type, ok, serve_read, snapshot
from kg.rdf import export, formats, jsonld
from kg.vocab import BASE, BUILD_BASE, CONTEXT_IRI, DIVISION_BASE, GRAPH_BASE, ID_BASE

NO_ENTITY = ("no entity at this path: an entity's path is /id/ and segments of letters, digits "
             "and . _ ~ % - separated by /")
_PATH = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~%-]*(?:/[A-Za-z0-9._~%-]+)*$")


def _media(request: Request) -> str:
    return media_type(request, negotiate.PAGE, request.query_params.get("format"))


def _view(request: Request) -> View:
    """The page's language (``?lang=``) and URL: part of the cache key of HTML pages."""
    return described.view(request)


def _alternates(path: str) -> list[Alternate]:
    return described.alternates(path)


def _rdf_args(request: Request, media: str) -> dict[str, Any]:
    """How RDF is written: JSON-LD with the published context, or expanded when asked."""
    return {"context": CONTEXT_IRI,
            "expanded": negotiate.expanded(request.headers.get("accept"), media)}


def _checked(path: str, base: str) -> str:
    """The IRI a path names under a base; 404 when it cannot be one of ours."""
    if not _PATH.match(path) or ".." in path or len(base + path) > settings.MAX_IRI_CHARS:
        raise NotFoundError(NO_ENTITY)  # the path is not repeated: it may be anything
    return base + path


async def entity(request: Request) -> Response:
    """GET /id/{path}: one entity, content-negotiated; unknown entity → 404."""
    return await _describe(request, _checked(request.path_params["path"], ID_BASE))


async def division(request: Request) -> Response:
    """GET /division/{path}: one administrative division (or the division dataset)."""
    return await _describe(request, _checked(request.path_params["path"], DIVISION_BASE))


async def build(request: Request) -> Response:
    """GET /build/{id}: the build record (GET /build: the current build's)."""
    build_id = request.path_params.get("build_id") or snapshot(request).build_id
    return await _describe(request, _checked(build_id, BUILD_BASE), record=True)


async def _describe(request: Request, iri: str, record: bool = False) -> Response:
    media = _media(request)
    snap = snapshot(request)
    alternates = _alternates(request.url.path)
    view = _view(request)
    document = str(request.url.replace(query="", fragment=""))  # this document's URL
    args = {"iri": iri, "document": document, "record": record, "lang": view.lang,
            **_rdf_args(request, media)}

    def render(data: object) -> bytes:
        assert isinstance(data, dict)
        return pages.entity_page(data, snap.build_id, alternates, view)

    variant: tuple[Hashable, ...] = ("id", iri, document, args["expanded"], view)
    return await serve_read(request, variant, "describe", args, media,
                            render=render if media == formats.HTML else None)


async def ontology(request: Request) -> Response:
    """GET /ontology (or its version IRI, /ontology/VERSION): the ontology graph, or a page
    listing its classes and properties."""
    media = _media(request)
    snap = snapshot(request)
    version = request.path_params.get("version")
    view = _view(request)
    alternates = _alternates(request.url.path)
    args = {"version": _checked(version, f"{BASE}ontology/") if version else None,
            **_rdf_args(request, media)}

    def render(data: object) -> bytes:
        assert isinstance(data, dict)
        return pages.ontology_page(data, snap.build_id, alternates, view)

    variant = ("ontology", version, args["expanded"], view)
    return await serve_read(request, variant, "ontology", args, media,
                            render=render if media == formats.HTML else None)


async def graph(request: Request) -> Response:
    """GET /graph/{name}: the named graph's triples (as the Graph Store Protocol's GET
    ``/store?graph=IRI`` answers them), or a page with its size, formats and dumps."""
    name = request.path_params["name"]
    iri = _checked(name, GRAPH_BASE)
    media = _media(request)
    if media == formats.HTML:
        found = {g: n for g, n in (await stats(request))["graphs"]}
        if iri not in found:
            raise NotFoundError("no such graph in this build; see /.well-known/void")
        dumps = [export.filename(fmt, name) for fmt in ("ttl", "nt")]
        body = pages.graph_page(iri, found[iri], dumps, snapshot(request).build_id,
                                _alternates(request.url.path), _view(request))
        return ok(body, media, snapshot(request), ("graph", iri, _view(request)), request)
    args = {"graph": iri, **_rdf_args(request, media)}
    return await serve_read(request, ("graph", iri, args["expanded"]), "graph_get", args,
                            media)


async def context(request: Request) -> Response:
    """GET /context.jsonld: the published JSON-LD context (the project's prefixes)."""
    body = json.dumps(jsonld.context(), indent=1).encode("utf-8")
    return ok(body, "application/ld+json", snapshot(request), ("context",), request)
