"""The frame of every UI page: header (navigation, search box, language switch), footer.

>>> ctx = Context(lang="zh", url="/ui/queries?lang=zh", build="b1")
>>> html = render(ctx, "标题", "<p>hi</p>").decode()
>>> 'lang="zh"' in html and 'href="/ui/queries?lang=en"' in html and "<p>hi</p>" in html
True
>>> href(ctx, "/ui/search", q="量子")
'/ui/search?q=%E9%87%8F%E5%AD%90&amp;lang=zh'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from kg.html import i18n
from kg.html.pages import SHELL
from kg.http.respond import ok, snapshot
from kg.rdf import formats

STATIC = "/ui/static/"
_FOOTER = ('<span><a href="/sparql">{endpoint}</a> · <a href="/queries">/queries</a> · '
           '<a href="/openapi.json">OpenAPI</a> · <a href="/catalog">DCAT</a> · '
           '<a href="/.well-known/void">VoID</a></span>')


@dataclass(frozen=True)
class Context:
    """What every page needs to know about its request."""

    lang: str
    url: str  # path and query of this page
    build: str
    query: str = ""  # the search text, when there is one


def context(request: Request) -> Context:
    """The page context of a request (503 before the first build)."""
    url = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return Context(i18n.pick(request.query_params.get("lang")), url,
                   snapshot(request).build.id, request.query_params.get("q", ""))


def href(ctx: Context, path: str, **params: str) -> str:
    """An escaped link to a page of this site, in the page's language."""
    return escape(f"{path}?{urlencode({**params, 'lang': ctx.lang})}")


def script(name: str) -> str:
    """A module script from the static folder.

    >>> script("question.js")
    '<script type="module" src="/ui/static/question.js"></script>'
    """
    return f'<script type="module" src="{STATIC}{escape(name)}"></script>'


def render(ctx: Context, title: str, body: str, *, scripts: Sequence[str] = (),
           head: str = "", body_class: str = "") -> bytes:
    """A whole page; ``title`` is plain text, ``body``, ``head`` and ``scripts`` are HTML."""
    other = i18n.OTHER[ctx.lang]
    strings = {f"t_{k}": escape(i18n.text(k, ctx.lang))
               for k in ("questions", "editor", "ontology", "search", "search_short", "language")}
    footer = _FOOTER.format(endpoint=escape(i18n.text("endpoint", ctx.lang)))
    return SHELL.substitute(
        lang=ctx.lang, other=other, other_name=i18n.NAMES[other],
        other_url=escape(i18n.with_lang(ctx.url, other)),
        title=escape(title), site=escape(i18n.text("site", ctx.lang)), head=head, body=body,
        body_class=escape(body_class), build=escape(ctx.build), query=escape(ctx.query),
        home_url=href(ctx, "/"), questions_url=href(ctx, "/ui/queries"),
        editor_url=href(ctx, "/ui/sparql"), ontology_url=href(ctx, "/ontology"),
        scripts="\n".join(scripts), footer=footer, **strings,
    ).encode("utf-8")


def respond(request: Request, ctx: Context, body: bytes) -> Response:
    """An HTML page with an ETag for this build and URL (304 when unchanged)."""
    return ok(body, formats.HTML, snapshot(request), ("web", ctx.url), request)
