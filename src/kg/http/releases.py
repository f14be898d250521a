"""The releases of the served location and what changed between two builds.

- ``GET /releases``: every release (``kg release``), as a page, as JSON
  (``{"releases": [{version, build, time, previous, iri}]}``) or as DCAT 3 versions of
  the dataset in RDF;
- ``GET /release/VERSION``: one release, the ``owl:versionIRI``
  ``https://w3id.org/future-industries/release/VERSION`` resolves here (RDF or a page);
- ``GET /releases/diff?from=A&to=B``: facts added, removed and changed from A to B
  (release versions, build ids or ``current``), as a page, as Markdown
  (``text/markdown``) or as a patch in TriG or N-Quads (graphs ``diff:added`` and
  ``diff:removed``), by Accept or ``format=`` (html, md, trig, nq).

A diff is computed in a worker (within ``settings.DIFF_TIMEOUT_S`` and the workers' memory
cap, like any ad-hoc work), one at a time, and kept (builds never change).
"""

from __future__ import annotations

import asyncio
import weakref
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from kg import settings
from kg.engine.describe import term
from kg.engine.job import ADHOC
from kg.errors import NotFoundError, Unavailable, UsageError
from kg.html.releases import diff_page, releases_page
from kg.http import described, negotiate
from kg.http.respond import HttpError, engine, media_type, ok, snapshot
from kg.rdf import diff, formats
from kg.rdf.dcat import release_iri, release_triples
from kg.store import Location, Release

LIST_OFFERS = [formats.HTML, formats.JSON, *negotiate.GRAPH]
DIFF_OFFERS = [formats.HTML, formats.MARKDOWN, *negotiate.DATASET]
PAGE = {"title": {"en": "Release", "zh": "发布版本"},
        "links": [("/releases", "/releases"), ("DCAT", "/catalog")]}

_DIFFING: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
    weakref.WeakKeyDictionary())  # one diff computed at a time, per event loop


def _location(request: Request) -> Location:
    if engine(request).files(snapshot(request)) is None:
        raise Unavailable.needs_local("releases")
    return Location(engine(request).config.location)


def _listed(release: Release) -> dict[str, Any]:
    return release.as_json() | {"iri": release_iri(release.version).value}


async def listing(request: Request) -> Response:
    """GET /releases."""
    found = _location(request).releases()
    name = request.query_params.get("format")
    media = formats.JSON if name == "json" else media_type(request, LIST_OFFERS, name)
    snap = snapshot(request)
    variant = ("releases", tuple(r.version for r in found))
    if media == formats.JSON:
        return JSONResponse({"releases": [_listed(r) for r in found]},
                            headers={"Cache-Control": "no-cache"})
    if media == formats.HTML:
        body = releases_page([_listed(r) for r in found], snap.build_id,
                             described.view(request))
        return ok(body, media, snap, (variant, request.url.query), request)
    return described.answer(request, release_triples(found), media, variant, PAGE,
                            release_iri("").value)


async def release(request: Request) -> Response:
    """GET /release/VERSION: the release as a version of the dataset."""
    version = request.path_params["version"]
    found = _location(request).releases()
    if version not in {r.version for r in found}:
        names = ", ".join(r.version for r in found) or "none yet"
        raise NotFoundError(f"no such release (releases: {names}); see /releases")
    media = media_type(request, negotiate.PAGE, request.query_params.get("format"))
    iri = release_iri(version)
    triples = [t for t in release_triples(found) if t.subject == iri or t.object == iri]
    return described.answer(request, triples, media, ("release", version), PAGE, iri.value)


def _diff_media(request: Request) -> str:
    name = request.query_params.get("format")
    if name in ("md", "markdown"):
        return formats.MARKDOWN
    return media_type(request, DIFF_OFFERS, name)


async def compared(request: Request) -> Response:
    """GET /releases/diff?from=A&to=B."""
    old, new = request.query_params.get("from"), request.query_params.get("to")
    if not old or not new:
        raise UsageError("give from=A and to=B: release versions, build ids or current")
    media = _diff_media(request)
    found = await _comparison(request, old, new)
    snap = snapshot(request)
    variant = ("diff", found.old_build, found.new_build, old, new)
    if media == formats.HTML:
        body = diff_page(_page_data(found), snap.build_id, _alternates(old, new),
                         described.view(request))
        return ok(body, media, snap, (variant, request.url.query), request)
    body = diff.render(found, formats.MARKDOWN if media == formats.MARKDOWN else
                       formats.rdf_format(media).file_extension)
    return ok(body, media, snap, variant, request)


def _query(old: str, new: str) -> str:
    return urlencode({"from": old, "to": new})


def _alternates(old: str, new: str) -> list[tuple[str, str, str]]:
    here = f"/releases/diff?{_query(old, new)}"
    return [("Markdown", f"{here}&format=md", formats.MARKDOWN),
            ("TriG", f"{here}&format=trig", "application/trig"),
            ("N-Quads", f"{here}&format=nq", "application/n-quads")]


async def _comparison(request: Request, old: str, new: str) -> diff.Comparison:
    loc, rt = _location(request), engine(request)
    ids = tuple(_build_id(loc, ref) for ref in (old, new))
    key = ("diff", *ids, old, new)
    async with _DIFFING.setdefault(asyncio.get_running_loop(), asyncio.Lock()):
        if key not in rt.memo:
            args = {"location": str(loc.root), "old": ids[0], "new": ids[1]}
            reply = await rt.run(snapshot(request), "diff", args, settings.DIFF_TIMEOUT_S,
                                 ADHOC)
            if not reply.ok:
                raise HttpError(reply.status, reply.message)
            rt.remember(key, reply.data)
    found: diff.Comparison = rt.memo[key]
    return diff.Comparison(old, new, found.old_build, found.new_build, found.diff,
                           found.entities)


def _build_id(loc: Location, ref: str) -> str:
    """The build a reference names; the error says which references there are, not where
    the server keeps its builds."""
    if ref == "current":
        return loc.require_current().id
    try:
        return loc.resolve(ref).id
    except NotFoundError:
        names = ", ".join(r.version for r in loc.releases()) or "none yet"
        raise NotFoundError(f"{ref!r} is neither a release nor a build (releases: {names}); "
                            "see /releases") from None


def _page_data(found: diff.Comparison) -> dict[str, Any]:
    """The comparison as a page's plain data (the first settings.DIFF_PAGE_ENTITIES)."""
    shown = found.entities[:settings.DIFF_PAGE_ENTITIES]
    old, new = found.heading
    return {
        "old": old, "new": new, "counts": diff.counts(found.entities),
        "cut": len(found.entities) - len(shown),
        "entities": [{"subject": term(e.subject), "labels": e.labels,
                      "added": [(p.value, term(o)) for p, o in e.added],
                      "removed": [(p.value, term(o)) for p, o in e.removed],
                      "changed": [(p.value, [term(o) for o in was], [term(o) for o in now])
                                  for p, was, now in e.changed]}
                     for e in shown],
    }
