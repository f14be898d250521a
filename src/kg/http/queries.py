"""Packaged queries over HTTP: GET /queries and GET /queries/NAME?param=….

Everything goes through :mod:`kg.catalogue`: names, parameter checking and
binding (in the worker, against the build's graph), so an unknown name is a
404 listing the names and a bad value a 400 listing what is allowed.

A SELECT answer comes a page at a time (``limit``, default 100, or ``all`` for every
row up to the row cap; ``offset``): when more rows follow, the response says
``X-KG-Truncated: true`` and links the next page (``Link: <…>; rel="next"``). A question
paged by key (``# paging: key``) links it with ``after=TOKEN`` (also in the ``X-KG-After``
header) instead of an offset: that page starts where this one ends without the rows
before it being evaluated again.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from kg import settings
from kg.catalogue import Catalogue, Page, StoredQuery
from kg.engine.engines import Engine
from kg.http import negotiate
from kg.http.respond import (
    AFTER_HEADER,
    HttpError,
    catalogue,
    engine,
    media_type,
    ok,
    per_build,
    requested_timeout,
    serve_read,
    served,
    snapshot,
    stored_query,
)

RESERVED = ("format", "timeout", "limit", "offset", "after", "evidence")  # options, unless declared


def digest(cat: Catalogue) -> str:
    """A short digest of the catalogue (part of ETags of catalogue-derived documents)."""
    text = json.dumps(cat.to_json(), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


async def choices(request: Request) -> dict[str, list[str]]:
    """The region and sector values of the request's build, looked up once per build."""
    found: dict[str, list[str]] = await per_build(request, "choices")
    return found


async def listing(request: Request) -> Response:
    """GET /queries: the catalogue as JSON."""
    cat = catalogue(request)
    body = json.dumps(cat.to_json(), ensure_ascii=False, indent=1).encode("utf-8")
    variant = ("queries", served(request).catalogue_digest)
    return ok(body, "application/json", snapshot(request), variant, request)


def _raw_params(request: Request, declared: set[str],
                lists: frozenset[str] = frozenset()) -> dict[str, str]:
    """The parameters of the URL; a list parameter may be given more than once (its
    values joined with commas: ``sectors=a&sectors=b`` is ``sectors=a,b``)."""
    raw: dict[str, str] = {}
    for key, value in request.query_params.multi_items():
        if key in RESERVED and key not in declared:
            continue
        if key in raw and key not in lists:
            raise HttpError(400, f"parameter {key!r} given more than once")
        raw[key] = ",".join(v for v in (raw.get(key, ""), value) if v)
    return raw


def _media(request: Request, form: str, declared: set[str]) -> str:
    offers = negotiate.RESULTS if form in ("select", "ask") else negotiate.GRAPH
    name = request.query_params.get("format") if "format" not in declared else None
    return media_type(request, offers, name)


async def run(request: Request) -> Response:
    """GET /queries/NAME: the query's results, content-negotiated or ``?format=``."""
    query = stored_query(request)
    declared = {p.name for p in query.params}
    raw = _raw_params(request, declared, frozenset(p.name for p in query.params if p.many))
    media = _media(request, query.form, declared)
    rt = engine(request)
    page = _page(request, query, declared, rt.config.row_cap)
    args: dict[str, Any] = {"name": query.name, "params": raw, "row_cap": rt.config.row_cap,
                            "context": str(request.url_for("context")),
                            "page": page.to_json() if page else None,
                            "evidence": _evidence(request, query, declared)}
    variant: tuple[Any, ...] = ("stored", query.name, tuple(sorted(raw.items())),
                                args["context"], served(request).catalogue_digest,
                                page and tuple(page.to_json()), args["evidence"])
    timeout = requested_timeout(request) if "timeout" not in declared else None
    if query.federated:  # part of the answer comes from elsewhere: see federated()
        args |= federated(rt, rt.timeout(timeout))
        variant += (rt.window(),)
    response = await serve_read(request, variant, "stored", args, media, timeout=timeout)
    if page is not None and response.headers.get("X-KG-Truncated") == "true":
        after = response.headers.get(AFTER_HEADER)
        response.headers["Link"] = f'<{next_page(request, page, after)}>; rel="next"'
    return response


def _evidence(request: Request, query: StoredQuery, declared: set[str]) -> bool:
    """Whether the rows should carry their evidence (``evidence=1``; ``0`` or empty: not).

    A question that declares no evidence answers as it would without the option."""
    if "evidence" in declared:
        return False
    asked = request.query_params.get("evidence", "")
    if asked not in ("", "0", "1"):
        raise HttpError(400, f"evidence must be 1 or 0, not {asked!r}")
    return asked == "1" and bool(query.evidence)


def _page(request: Request, query: StoredQuery, declared: set[str], row_cap: int) -> Page | None:
    """The page asked for (``limit``, ``offset``, ``after``); None for every row up to the
    row cap.

    Federated questions and graph answers are not paged."""
    if query.federated or query.form != "select":
        return None
    option = {k: request.query_params.get(k) for k in ("limit", "offset", "after")
              if k not in declared}
    page = Page.parse(option.get("limit"), option.get("offset"), option.get("after"))
    return page.capped(row_cap) if page else None


def next_page(request: Request, page: Page, after: str | None = None) -> str:
    """The URL (path and query) of the page after ``page``, the request's other values kept:
    by its ``after`` token when the answer gave one, else by offset.

    >>> from starlette.requests import Request
    >>> scope = {"type": "http", "path": "/queries/x", "query_string": b"lang=zh&offset=5",
    ...          "headers": []}
    >>> next_page(Request(scope), Page(10, 5))
    '/queries/x?lang=zh&offset=15&limit=10'
    >>> next_page(Request(scope), Page(10, 5), "TOKEN")
    '/queries/x?lang=zh&limit=10&after=TOKEN'
    """
    if after:
        url = request.url.remove_query_params("offset").include_query_params(
            limit=page.size, after=after)
    else:
        url = request.url.remove_query_params("after").include_query_params(
            offset=page.next().offset, limit=page.size)
    return f"{url.path}?{url.query}"


def federated(rt: Engine, limit: float) -> dict[str, Any]:
    """The arguments of a federated question: the server's allow-list (never the request's)
    and a remote timeout inside the request's limit, so a silent SERVICE is a clear 502.

    Its answer is reused for ``remote_ttl_s`` at most (the window in its cache key).
    """
    return {"services": sorted(rt.config.allowed_services),
            "remote_timeout": min(settings.REMOTE_TIMEOUT_S, settings.FEDERATED_SHARE * limit)}
