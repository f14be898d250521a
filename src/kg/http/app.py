"""The ASGI application: the route table, and what wraps every request.

Every request is given the current build on arrival (one readlink) and every
response carries ``X-KG-Build``; handlers raise :class:`kg.errors.KgError`
and one handler turns those into plain-text answers with their status.

>>> import tempfile
>>> from pathlib import Path
>>> app = create_app(ServerConfig(Path(tempfile.mkdtemp())))
>>> sorted(r.path for r in app.routes)[:3]
['/', '/.well-known/void', '/build']
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from importlib import resources
from typing import Any
from urllib.parse import unquote_to_bytes

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kg import __version__
from kg.catalogue import Catalogue
from kg.engine.config import ServerConfig
from kg.engine.engines import engine_for
from kg.errors import KgError
from kg.http import gsp, ld, meta, openapi, protocol, queries, releases, ui
from kg.http.respond import Served, adhoc, catalogue, engine, error, ok, served, snapshot
from kg.rdf import export
from kg.vocab import GRAPH_BASE

EXPOSED = ["ETag", "Link", "X-KG-After", "X-KG-Build", "X-KG-Truncated"]  # Link: the next page


Headers = list[tuple[bytes, bytes]]
Editor = Callable[[Scope], Callable[[Headers], Headers]]  # per request: how to edit headers


class ResponseHeaders:
    """A pure-ASGI middleware that edits the headers of every HTTP response; ``edit`` is
    called once per request (it may look at the scope, or add to it) and gives the edit."""

    def __init__(self, app: ASGIApp, edit: Editor) -> None:
        self.app, self.edit = app, edit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        edit = self.edit(scope)

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = edit(list(message.get("headers", [])))
            await send(message)

        await self.app(scope, receive, sending)


def pin_build(scope: Scope) -> Callable[[Headers], Headers]:
    """Pin the current build to the request (``scope["kg.snapshot"]``) and name it in
    ``X-KG-Build``."""
    kg: Served = scope["state"]["kg"]
    snap = kg.engine.snapshot()
    scope["kg.snapshot"] = snap
    header = [(b"x-kg-build", snap.build_id.encode())] if snap else []
    return lambda headers: [*headers, *header]


def security(_scope: Scope) -> Callable[[Headers], Headers]:
    """``X-Content-Type-Options: nosniff`` on every response (a browser never takes plain
    text or JSON for a page or a script), and on every HTML page a Content-Security-Policy
    (:data:`CSP`): scripts, styles, images and requests from this server only; no inline
    script or style, no plugins, no ``<base>``, forms to this server, no framing."""
    return secured


# The one inline style any page needs: the <style> element YASGUI's results table (its
# column-resize plugin) adds, allowed by its hash only (tests/test_ui_browser.py fails on any
# other inline style or script: a CSP violation is a console error).
YASGUI_STYLE = "'sha256-zCK2EVMoPc04mRF/g5CotUvxbJPWS+8V0b+s9ptqQIk='"
CSP = (f"default-src 'self'; style-src 'self' {YASGUI_STYLE}; object-src 'none'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


def secured(headers: Headers) -> Headers:
    """A response's headers with nosniff, and the CSP when it is HTML.

    >>> [k for k, _ in secured([(b"content-type", b"text/html; charset=utf-8")])]
    [b'content-type', b'x-content-type-options', b'content-security-policy']
    >>> secured([(b"content-type", b"text/plain")])[1:]
    [(b'x-content-type-options', b'nosniff')]
    """
    names = {name.lower(): value for name, value in headers}
    out = list(headers)
    if b"x-content-type-options" not in names:
        out.append((b"x-content-type-options", b"nosniff"))
    kind = names.get(b"content-type", b"").split(b";")[0].strip().lower()
    if kind == b"text/html" and b"content-security-policy" not in names:
        out.append((b"content-security-policy", CSP.encode()))
    return out


def encoded(_scope: Scope) -> Callable[[Headers], Headers]:
    """A compressed answer's ETag made weak (``W/``): its bytes are not the identity
    body's, which has the same tag (If-None-Match compares them weakly: 304 either way)."""
    return weak_when_encoded


def weak_when_encoded(headers: Headers) -> Headers:
    """Headers with the ETag weak when a Content-Encoding is set.

    >>> weak_when_encoded([(b"etag", b'"x"'), (b"content-encoding", b"gzip")])[0]
    (b'etag', b'W/"x"')
    >>> weak_when_encoded([(b"etag", b'"x"')])
    [(b'etag', b'"x"')]
    """
    if not any(name.lower() == b"content-encoding" for name, _ in headers):
        return headers
    return [(name, b"W/" + value if name.lower() == b"etag" and not value.startswith(b"W/")
             else value) for name, value in headers]


# Compressed when asked (gzip), except what is compressed already or streamed as events.
UNCOMPRESSED = ("text/event-stream", "application/gzip", "application/x-gzip",
                "application/zip", "image/png", "image/jpeg")
GZIP_LEVEL = 6  # zlib's default: most of level 9's gain at a fraction of its time


class Utf8Urls:
    """A query string that is not UTF-8 once percent-decoded is a 400 before any handler
    (Starlette would decode it with replacement characters and run something else)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not utf8_url(scope.get("query_string", b"")):
            response = error(400, "the URL's query string is not UTF-8 (percent-encode the "
                                  "UTF-8 bytes of each character)")
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


_HIGH_ESCAPE = re.compile(rb"%[89a-fA-F]")  # an escaped byte past ASCII


def utf8_url(raw: bytes) -> bool:
    """True when a raw query string decodes as UTF-8.

    >>> utf8_url(b"q=%E9%87%8F"), utf8_url(b"q=%FF"), utf8_url(b"q=caf%E9")
    (True, False, False)
    >>> utf8_url(b"query=SELECT%20%2A%20%7B%7D")  # ASCII escapes only: no decoding needed
    True
    """
    if raw.isascii() and not _HIGH_ESCAPE.search(raw):
        return True
    try:
        unquote_to_bytes(raw).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


async def openapi_json(request: Request) -> Response:
    """GET /openapi.json: from the catalogue, the build's regions and sectors, the allow-list."""
    cat = catalogue(request)
    services = sorted(engine(request).config.allowed_services)
    graphs = [g.removeprefix(GRAPH_BASE) for g, _n in (await meta.stats(request))["graphs"]
              if g.startswith(GRAPH_BASE)]
    dumps = [export.filename(*job) for job in export.dump_jobs(graphs)] + [export.CHECKSUMS]
    found = {**await queries.choices(request), "service": services, "graph": graphs,
             "dump": dumps, "build": [snapshot(request).build_id]}
    doc = openapi.document([cat.get(n) for n in cat.names()], __version__, found)
    body = json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")
    variant = ("openapi", served(request).catalogue_digest)
    return ok(body, "application/json", snapshot(request), variant, request)


async def on_error(_request: Request, exc: Exception) -> Response:
    """Every KgError as plain text with its HTTP status."""
    assert isinstance(exc, KgError)
    headers = {"Retry-After": "1"} if exc.http_status == 503 else None
    return error(exc.http_status, str(exc), headers)


def routes() -> list[Any]:
    """The route table: one small handler per route; the UI mounted at ``/ui``. Routes
    whose work the client sizes are marked :func:`~kg.http.respond.adhoc` (their worker
    lane); the others' work is packaged and may use the workers kept for it."""
    static = StaticFiles(directory=str(resources.files("kg.html").joinpath("static")))
    return [
        Route("/", ui.home, name="home"),
        Route("/favicon.ico", ui.favicon, name="favicon"),
        Mount("/ui", routes=ui.routes(), name="ui"),
        Route("/sparql", adhoc(protocol.query), methods=["GET", "POST"], name="sparql"),
        Route("/query", adhoc(protocol.query), methods=["GET", "POST"], name="query"),
        Route("/update", protocol.update, methods=["POST"], name="update"),
        Route("/store", adhoc(gsp.store), methods=["GET", "PUT", "POST", "DELETE"],
              name="store"),
        Route("/queries", queries.listing, name="queries"),
        Route("/queries/{name}", queries.run, name="stored"),
        Route("/openapi.json", openapi_json, name="openapi"),
        Route("/id/{path:path}", ld.entity, name="entity"),
        Route("/division/{path:path}", ld.division, name="division"),
        Route("/ontology", ld.ontology, name="ontology"),
        Route("/ontology/{version}", ld.ontology, name="ontology_version"),
        Route("/graph/{name:path}", ld.graph, name="graph"),
        Route("/build", ld.build, name="builds"),
        Route("/build/{build_id}", ld.build, name="build"),
        Route("/context.jsonld", ld.context, name="context"),
        Route("/releases", releases.listing, name="releases"),
        Route("/releases/diff", releases.compared, name="releases_diff"),
        Route("/release/{version}", releases.release, name="release"),
        Route("/dataset", meta.dataset, name="dataset"),
        Route("/dataset/{rest:path}", meta.dataset, name="dataset_part"),
        Route("/.well-known/void", meta.void, name="void"),
        Route("/catalog", meta.dcat_catalogue, name="catalog"),
        Route("/dumps/", meta.dumps_index, name="dumps"),
        Route("/dumps/{filename}", meta.dump, name="dump"),
        Route("/health", meta.health, name="health"),
        Mount("/static", static, name="static"),
    ]


def create_app(config: ServerConfig) -> Starlette:
    """The application for one location and configuration."""
    cat = Catalogue.load(config.queries)
    kg = Served(engine_for(config), cat, queries.digest(cat))

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[dict[str, Served]]:
        await kg.engine.start()
        try:
            yield {"kg": kg}
        finally:
            await kg.engine.close()

    middleware = [Middleware(ResponseHeaders, edit=security),
                  Middleware(ResponseHeaders, edit=encoded),
                  Middleware(GZipMiddleware, compresslevel=GZIP_LEVEL,
                             exclude_content_types=UNCOMPRESSED),
                  Middleware(Utf8Urls), Middleware(ResponseHeaders, edit=pin_build)]
    if config.cors_origins:
        middleware.append(Middleware(
            CORSMiddleware, allow_origins=list(config.cors_origins),
            allow_methods=["GET", "POST", "HEAD", "OPTIONS"],
            allow_headers=["Accept", "Content-Type", "Authorization", "X-KG-Timeout",
                           "If-None-Match"],
            expose_headers=EXPOSED, max_age=600))
    return Starlette(routes=routes(), middleware=middleware, lifespan=lifespan,
                     exception_handlers={KgError: on_error})


__all__ = ["ServerConfig", "create_app"]
