"""About the dataset: /health, VoID (/.well-known/void), DCAT (/catalog), dumps.

Dumps are made on demand by :func:`kg.rdf.export.dump` in a worker and kept in
the build's folder (``dumps/``, deleted with the build), one file per
revision and format.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response

from kg import settings
from kg.engine.job import ADHOC
from kg.engine.output import rdf_bytes
from kg.errors import NotFoundError, Unavailable
from kg.http import negotiate
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
from kg.rdf.dcat import DUMPS, dcat_triples, dump_for, dump_names
from kg.rdf.void import void_triples


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
    return media_type(request, negotiate.GRAPH, request.query_params.get("format"))


def _base(request: Request) -> str:
    return str(request.base_url)


async def void(request: Request) -> Response:
    """GET /.well-known/void: the VoID description, in the negotiated RDF format."""
    media, snap = _media(request), snapshot(request)
    variant = ("void", _base(request))
    etag = etag_for(snap.tag, variant, media)
    if matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers_for(etag, False))
    triples = void_triples(await stats(request), snap.build_id, _base(request))
    body = rdf_bytes(triples, formats.rdf_format(media), str(request.url_for("context")))
    return ok(body, media, snap, variant, request)


async def dcat_catalogue(request: Request) -> Response:
    """GET /catalog: the DCAT catalogue of the dumps and the SPARQL service."""
    media, snap = _media(request), snapshot(request)
    manifest = engine(request).manifest(snap)
    if manifest is None:
        raise Unavailable.needs_local("the build manifest (DCAT catalogue)")
    triples = dcat_triples(_base(request), snap.build_id, manifest)
    body = rdf_bytes(triples, formats.rdf_format(media), str(request.url_for("context")))
    return ok(body, media, snap, ("catalog", _base(request)), request)


async def dump(request: Request) -> Response:
    """GET /dumps/NAME.EXT: a dump of the build, made once and kept with the build."""
    rt, snap = engine(request), snapshot(request)
    filename = request.path_params["filename"]
    try:
        name, ext = dump_for(filename)
    except NotFoundError:  # without the name asked for: a path may hold anything
        raise NotFoundError(f"no such dump; available: {', '.join(dump_names())}") from None
    media = formats.rdf_format(ext).media_type
    etag = etag_for(snap.tag, ("dump", filename), media)
    headers = headers_for(etag, False, vary="Accept-Encoding")
    if matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    folder = rt.files(snap)
    if folder is None:
        raise Unavailable.needs_local("dumps")
    path = folder / "dumps" / f"r{snap.revision}-{filename}"
    if not path.is_file():
        graph = DUMPS[name][0]
        args = {"graph": graph.value if graph else None}
        reply = await rt.run(snap, "dump", {**args, "format": media}, settings.DUMP_TIMEOUT_S,
                             ADHOC)  # a whole build: never in the workers kept for questions
        if not reply.ok:
            raise HttpError(reply.status, reply.message)
        _write_atomically(path, reply.body)
    return FileResponse(path, headers=headers, media_type=media, filename=filename,
                        content_disposition_type="inline")


def _write_atomically(path: Path, body: bytes) -> None:
    path.parent.mkdir(exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(body)
    tmp.replace(path)
