"""Packaged queries over HTTP: GET /queries and GET /queries/NAME?param=….

Everything goes through :mod:`kg.catalogue`: names, parameter checking and
binding (in the worker, against the build's graph), so an unknown name is a
404 listing the names and a bad value a 400 listing what is allowed.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from kg import sparql as service
from kg.catalogue import Catalogue
from kg.server import negotiate
from kg.server.respond import HttpError, ok, requested_timeout, runtime, serve_read, snapshot

RESERVED = ("format", "timeout")  # request options, unless a query declares them


def catalogue(request: Request) -> Catalogue:
    """The catalogue loaded when the server started."""
    cat: Catalogue = request.app.state.catalogue
    return cat


def digest(cat: Catalogue) -> str:
    """A short digest of the catalogue (part of ETags of catalogue-derived documents)."""
    text = json.dumps(cat.to_json(), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


async def listing(request: Request) -> Response:
    """GET /queries: the catalogue as JSON."""
    cat = catalogue(request)
    body = json.dumps(cat.to_json(), ensure_ascii=False, indent=1).encode("utf-8")
    variant = ("queries", request.app.state.catalogue_digest)
    return ok(body, "application/json", snapshot(request), variant, request)


def _raw_params(request: Request, declared: set[str]) -> dict[str, str]:
    raw: dict[str, str] = {}
    for key, value in request.query_params.multi_items():
        if key in RESERVED and key not in declared:
            continue
        if key in raw:
            raise HttpError(400, f"parameter {key!r} given more than once")
        raw[key] = value
    return raw


def _media(request: Request, form: str, declared: set[str]) -> str:
    offers = negotiate.RESULTS if form in ("select", "ask") else negotiate.GRAPH
    name = request.query_params.get("format") if "format" not in declared else None
    if name:
        return negotiate.by_name(name, offers)
    chosen = negotiate.choose(request.headers.get("accept"), offers)
    if chosen is None:
        raise HttpError(406, f"cannot answer in {request.headers.get('accept')}; "
                        f"available: {', '.join(offers)}")
    return chosen


async def run(request: Request) -> Response:
    """GET /queries/NAME: the query's results, content-negotiated or ``?format=``."""
    query = catalogue(request).get(request.path_params["name"])
    declared = {p.name for p in query.params}
    raw = _raw_params(request, declared)
    media = _media(request, service.guard(query.text), declared)
    args: dict[str, Any] = {"name": query.name, "params": raw,
                            "row_cap": runtime(request).config.row_cap,
                            "context": str(request.url_for("context"))}
    variant = ("stored", query.name, tuple(sorted(raw.items())), args["context"],
               request.app.state.catalogue_digest)
    timeout = requested_timeout(request) if "timeout" not in declared else None
    return await serve_read(request, variant, "stored", args, media, timeout=timeout)
