"""HTTP plumbing shared by the handlers: errors, ETags, caching, bodies, time limits.

>>> etag_for("20260101T000000.000000-abc", ("sparql", "ASK {}"), "text/csv")[:28]
'"20260101T000000.000000-abc-'
>>> matches('W/"x", "y"', '"y"'), matches("*", '"z"'), matches('"x"', '"y"')
(True, True, False)
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import logging
import re
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from kg import settings
from kg.catalogue import Catalogue, StoredQuery
from kg.engine.base import Snapshot
from kg.engine.cache import Entry
from kg.engine.engines import Engine
from kg.engine.job import ADHOC, PACKAGED, Lane
from kg.errors import ExitCode, KgError, NotFoundError, UsageError
from kg.http import negotiate
from kg.rdf import formats

LOG = logging.getLogger("uvicorn.error")  # the server's log (its level: kg serve --log-level)
TIMEOUT_HEADER = "x-kg-timeout"
AFTER_HEADER = "X-KG-After"  # the next page's token (kg.catalogue.paging.Key)
_NUMBER = re.compile(r"^\+?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$")
Render = Callable[[Any], bytes]


class HttpError(KgError):
    """A protocol-level failure with its own status (403, 405, 406, 413, 415, 503…)."""

    exit_code = ExitCode.USAGE

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.http_status = status


def error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """A plain-text error response."""
    return Response(message.rstrip() + "\n", status, headers, "text/plain; charset=utf-8")


@dataclass(frozen=True)
class Served:
    """What the application serves, fixed at start (the lifespan state ``kg``)."""

    engine: Engine
    catalogue: Catalogue
    catalogue_digest: str  # part of the ETags of documents made from the catalogue


def stored_query(request: Request) -> StoredQuery:
    """The packaged question the path names; 404 listing the names (not repeating the one
    asked for: a path may hold anything)."""
    cat = catalogue(request)
    try:
        return cat.get(request.path_params["name"])
    except NotFoundError:
        raise NotFoundError(f"no packaged query of that name; available: "
                            f"{', '.join(cat.names())}") from None


LANE = "kg.lane"  # the scope key naming the lane of a request's work (kg.engine.job.Lane)
Handler = Callable[[Request], Awaitable[Response]]


def adhoc(handler: Handler) -> Handler:
    """A route whose work the client sizes (``/sparql``, ``/store``): what it runs in a
    worker goes in the ad-hoc lane, which may not hold the workers kept for packaged work
    (:mod:`kg.engine.pool`). Routes are packaged otherwise."""

    @functools.wraps(handler)
    async def in_adhoc_lane(request: Request) -> Response:
        request.scope[LANE] = ADHOC
        return await handler(request)

    return in_adhoc_lane


def lane(request: Request) -> Lane:
    """The lane of this request's work (set by :func:`adhoc` in the route table)."""
    found: Lane = request.scope.get(LANE, PACKAGED)
    return found


def served(request: Request) -> Served:
    found: Served = request.state.kg
    return found


def engine(request: Request) -> Engine:
    """The engine answering this server's requests."""
    return served(request).engine


def catalogue(request: Request) -> Catalogue:
    """The catalogue loaded when the server started."""
    return served(request).catalogue


def snapshot(request: Request) -> Snapshot:
    """The build this request was given on arrival; 503 before the first build."""
    snap: Snapshot | None = request.scope.get("kg.snapshot")
    if snap is None:
        raise HttpError(503, "no graph built yet: run `kg build`")
    return snap


async def per_build(request: Request, task: str) -> Any:
    """A task's answer for the request's build and revision, run once and remembered
    (the VoID figures, the parameter choices)."""
    rt, snap = engine(request), snapshot(request)
    key = (task, snap.tag)
    if key not in rt.memo:
        reply = await rt.run(snap, task, {}, rt.timeout(None))
        if not reply.ok:
            raise HttpError(reply.status, reply.message)
        rt.remember(key, reply.data)
    return rt.memo[key]


def etag_for(build_tag: str, variant: Hashable, media_type: str) -> str:
    """A strong ETag: the build (and revision) plus a digest of the request's variant."""
    digest = hashlib.sha256(repr((variant, media_type)).encode("utf-8")).hexdigest()[:16]
    return f'"{build_tag}-{digest}"'


def matches(if_none_match: str | None, etag: str) -> bool:
    """True when an If-None-Match header names this ETag (weak comparison) or ``*``."""
    if not if_none_match:
        return False
    tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
    return "*" in tags or etag in tags


def headers_for(etag: str | None, truncated: bool, vary: str = "Accept",
                media: str = "", after: str | None = None) -> dict[str, str]:
    """The headers of a read: caching, vary by Accept (and, for an HTML page, whose language
    may come from the browser's, by Accept-Language), ``X-KG-Truncated`` when more rows
    follow, and ``X-KG-After`` (:data:`AFTER_HEADER`), the ``after`` token of the next page
    when the answer is paged by key."""
    if media == formats.HTML:
        vary = f"{vary}, Accept-Language"
    out = {"Cache-Control": "no-cache", "Vary": vary}
    if etag:
        out["ETag"] = etag
    if truncated:
        out["X-KG-Truncated"] = "true"
    if after:
        out[AFTER_HEADER] = after
    return out


def requested_timeout(request: Request, params: dict[str, list[str]] | None = None) -> float | None:
    """A lower time limit asked for by ``timeout=`` (seconds) or the X-KG-Timeout header."""
    raw = (params or {}).get("timeout", [None])[-1] or request.query_params.get("timeout")
    raw = raw or request.headers.get(TIMEOUT_HEADER)
    if raw is None:
        return None
    value = float(raw) if _NUMBER.match(raw) else -1.0
    if not 0 < value < settings.MAX_REQUESTED_TIMEOUT:
        raise UsageError(f"timeout must be a positive number of seconds, not {raw!r}")
    return value


class ClientGone(KgError):
    """The client closed its connection before its request was read: nobody to answer."""

    exit_code = ExitCode.USAGE
    http_status = 400


async def read_body(request: Request, cap: int) -> bytes:
    """The request body, refused with 413 past the cap (checked before and while reading)
    and 408 when it has not all come within ``--body-timeout`` seconds. A client that
    drops the connection mid-body is one line in the server's log (:class:`ClientGone`)."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > cap:
        raise HttpError(413, f"request body larger than {cap} bytes")
    chunks: list[bytes] = []
    size = 0
    deadline = engine(request).config.body_timeout_s
    try:
        async with asyncio.timeout(deadline):
            async for chunk in request.stream():
                size += len(chunk)
                if size > cap:
                    raise HttpError(413, f"request body larger than {cap} bytes")
                chunks.append(chunk)
    except ClientDisconnect:
        client = request.client
        LOG.warning("%s dropped the connection after %d of %s body bytes (%s %s)",
                    f"{client.host}:{client.port}" if client else "a client", size,
                    length or "?", request.method, request.url.path)
        raise ClientGone("the client closed the connection while sending its body") from None
    except TimeoutError:
        raise HttpError(408, f"the request body did not arrive within {deadline:g} s") from None
    return b"".join(chunks)


async def serve_read(
    request: Request,
    variant: tuple[Hashable, ...],
    task: str,
    args: dict[str, Any],
    media_type: str,
    render: Render | None = None,
    timeout: float | None = None,
) -> Response:
    """The common read path: ETag/304, the LRU cache, else a worker; then cache the body."""
    rt, snap = engine(request), snapshot(request)
    etag = etag_for(snap.tag, variant, media_type)
    if request.method in ("GET", "HEAD") and matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers_for(etag, False, media=media_type))
    key = (snap.tag, variant, media_type)
    entry = rt.cache.get(key) if rt.config.cache_entries else None
    if entry is None:
        limit = rt.timeout(timeout if timeout is not None else requested_timeout(request))
        reply = await rt.run(snap, task, {**args, "format": media_type}, limit, lane(request))
        if not reply.ok:
            raise HttpError(reply.status, reply.message)
        body = render(reply.data) if render else reply.body
        entry = Entry(body, reply.media_type or media_type, reply.truncated, reply.after)
        rt.cache.put(key, entry)
    return Response(entry.body, 200, headers_for(etag, entry.truncated, media=media_type,
                                                 after=entry.after),
                    entry.media_type)


def ok(body: bytes, media_type: str, snap: Snapshot, variant: Hashable,
       request: Request) -> Response:
    """A response built in the server process (no worker), with ETag and 304."""
    etag = etag_for(snap.tag, variant, media_type)
    if request.method in ("GET", "HEAD") and matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers_for(etag, False, media=media_type))
    return Response(body, 200, headers_for(etag, False, media=media_type), media_type)


def media_type(request: Request, offers: Sequence[str], name: str | None) -> str:
    """The media type to answer in: the ``format`` parameter ``name`` when given, else the
    best match of the Accept header among ``offers``; 406 listing them when none fits."""
    if name:
        return negotiate.by_name(name, offers)
    chosen = negotiate.choose(request.headers.get("accept"), offers)
    if chosen is None:
        accept = request.headers.get("accept")
        raise HttpError(406, f"cannot answer in {accept}; available: {', '.join(offers)}")
    return chosen
