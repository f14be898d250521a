"""About the dataset: /health, VoID (/.well-known/void, /dataset), DCAT (/catalog), dumps.

The dumps are the files ``kg export --all-formats`` writes (:func:`kg.rdf.export.write_all`:
the dataset in N-Quads, TriG and JSON-LD, each named graph in Turtle and N-Triples, and
``SHA256SUMS``), made all at once in a worker the first time /catalog or /dumps/ is asked
for, and kept in the build's folder (``dumps/r<revision>/``, deleted with the build).
Dumps are sorted, so they are byte for byte what ``kg export`` writes from the same build.
"""

from __future__ import annotations

import asyncio
import weakref
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response

from kg import settings
from kg.engine.job import ADHOC
from kg.errors import NotFoundError, Unavailable
from kg.html import pages
from kg.http import described, negotiate
from kg.http.respond import (
    HttpError,
    engine,
    etag_for,
    headers_for,
    matches,
    media_type,
    ok,
    per_build,
    snapshot,
)
from kg.rdf import formats
from kg.rdf.dcat import CATALOGUE_DESCRIPTION, CATALOGUE_TITLE, dcat_triples, worded
from kg.rdf.export import CHECKSUMS, DumpInfo
from kg.rdf.void import About, of_project, void_triples
from kg.store import Location

_MAKING_DUMPS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
    weakref.WeakKeyDictionary())  # one set of dumps made at a time, per event loop


def _making_dumps() -> asyncio.Lock:
    return _MAKING_DUMPS.setdefault(asyncio.get_running_loop(), asyncio.Lock())


async def health(request: Request) -> Response:
    """GET /health: build id (or backend), uptime, workers (never cached)."""
    data = await engine(request).status()
    status = 200 if data["status"] == "ok" else 503
    return JSONResponse(data, status, headers={"Cache-Control": "no-store"})


async def stats(request: Request) -> dict[str, Any]:
    """The VoID figures of the request's build, computed once per build and revision."""
    data: dict[str, Any] = await per_build(request, "void")
    return data


def _media(request: Request) -> str:
    """RDF by default, a page when the client prefers HTML (a browser)."""
    return media_type(request, negotiate.DESCRIPTION, request.query_params.get("format"))


def _base(request: Request) -> str:
    return str(request.base_url)


def void_page(about: About) -> dict[str, Any]:
    """The VoID description's page: title, intro, links (label, href)."""
    return {"title": {"en": "VoID description: " + about.name("en"),
                      "zh": "VoID 描述:" + about.name("zh")},
            "intro": about.description,
            "links": [("DCAT", "/catalog"), ("/dumps/", "/dumps/"), ("/sparql", "/sparql")]}


async def void(request: Request) -> Response:
    """GET /.well-known/void: the VoID description, in the negotiated format (or a page)."""
    media, about = _media(request), of_project()
    triples = void_triples(await stats(request), snapshot(request).build_id, _base(request),
                           about)
    return described.answer(request, triples, media, ("void", _base(request)),
                            void_page(about), about.iri)


async def dataset(request: Request) -> Response:
    """GET /dataset (and the IRIs VoID mints under it: /dataset/graph/…, the linksets): the
    dataset's VoID description, whose subject they are; else 404."""
    media = media_type(request, negotiate.PAGE, request.query_params.get("format"))
    rest, about = request.path_params.get("rest", ""), of_project()
    iri = about.iri + (f"/{rest}" if rest else "")
    triples = void_triples(await stats(request), snapshot(request).build_id, _base(request),
                           about)
    if rest and not any(str(t.subject) == f"<{iri}>" for t in triples):
        raise NotFoundError("no such part of the dataset; see /dataset")
    return described.answer(request, triples, media, ("dataset", _base(request)),
                            void_page(about), iri)


def catalogue_page(about: About) -> dict[str, Any]:
    """The catalogue's page: title, intro, links (label, href)."""
    return {"title": worded(CATALOGUE_TITLE, about),
            "intro": worded(CATALOGUE_DESCRIPTION, about),
            "links": [("/dumps/", "/dumps/"), ("VoID", "/.well-known/void"),
                      ("/sparql", "/sparql")]}


async def dcat_catalogue(request: Request) -> Response:
    """GET /catalog: the DCAT catalogue of the dumps (made first, when they are not yet),
    of the SPARQL service and of the releases (``kg release``), in the negotiated format
    (or a page)."""
    media, snap = _media(request), snapshot(request)
    manifest = engine(request).manifest(snap)
    if manifest is None:
        raise Unavailable.needs_local("the build manifest (DCAT catalogue)")
    _folder, made = await dumps_made(request)
    releases = Location(engine(request).config.location).releases()  # local: it has dumps
    about = of_project()
    triples = dcat_triples(_base(request), snap.build_id, manifest, made, releases, about)
    variant = ("catalog", _base(request), tuple(r.version for r in releases))
    return described.answer(request, triples, media, variant, catalogue_page(about),
                            _base(request) + "catalog")


async def dumps_made(request: Request) -> tuple[Path, list[DumpInfo]]:
    """The folder of the build's dumps and what they are, made once per build revision."""
    rt, snap = engine(request), snapshot(request)
    root = rt.files(snap)
    if root is None:
        raise Unavailable.needs_local("dumps")
    folder = root / "dumps" / f"r{snap.revision}"
    key = ("dumps", snap.tag)
    async with _making_dumps():
        if key not in rt.memo:
            reply = await rt.run(snap, "dumps", {"folder": str(folder)}, settings.DUMP_TIMEOUT_S,
                                 ADHOC)  # a whole build: never the workers kept for questions
            if not reply.ok:
                raise HttpError(reply.status, reply.message)
            rt.remember(key, [DumpInfo(**d) for d in reply.data])
        made: list[DumpInfo] = rt.memo[key]
    return folder, made


async def dumps_index(request: Request) -> Response:
    """GET /dumps/: every dump with its size and SHA-256 (a page)."""
    snap = snapshot(request)
    _folder, made = await dumps_made(request)
    body = pages.dumps_page([vars(d) for d in made], snap.build_id, described.view(request))
    return ok(body, formats.HTML, snap, ("dumps", request.url.query), request)


async def dump(request: Request) -> Response:
    """GET /dumps/NAME: one dump (or SHA256SUMS) of the build."""
    snap = snapshot(request)
    filename = request.path_params["filename"]
    folder, made = await dumps_made(request)
    by_name = {d.filename: d.media_type for d in made} | {CHECKSUMS: "text/plain; charset=utf-8"}
    if filename not in by_name:  # without the name asked for: a path may hold anything
        raise NotFoundError(f"no such dump; available: {', '.join(by_name)}")
    media = by_name[filename]
    etag = etag_for(snap.tag, ("dump", filename), media)
    headers = headers_for(etag, False, vary="Accept-Encoding")
    if matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    return FileResponse(folder / filename, headers=headers, media_type=media,
                        filename=filename, content_disposition_type="inline")
