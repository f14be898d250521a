"""The frame of every page, linked-data and UI alike: header (navigation, search box,
language switch), footer, one template (``templates/base.html``).

>>> view = View.of("zh", "/ui/queries?lang=zh", build="b1")
>>> html = render(view, "标题", "<p>hi</p>").decode()
>>> 'lang="zh"' in html and 'href="/ui/queries?lang=en"' in html and "<p>hi</p>" in html
True
>>> script("question.js") == f'<script type="module" src="{STATIC}question.js"></script>'
True
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from html import escape
from importlib import resources
from importlib.resources.abc import Traversable
from string import Template

from kg.html import i18n
from kg.html.view import View

SHELL = Template(resources.files("kg.html").joinpath("templates/base.html").read_text("utf-8"))


def _version() -> str:
    """The version of the static files: a digest of their names and bytes, so that a changed
    file is a new URL and every URL may be cached for good."""
    digest = hashlib.sha256()
    for path, data in sorted(_walk(resources.files("kg.html").joinpath("static"))):
        digest.update(path.encode() + b"\0" + hashlib.sha256(data).digest())
    return digest.hexdigest()[:12]


def _walk(folder: Traversable, prefix: str = "") -> list[tuple[str, bytes]]:
    out: list[tuple[str, bytes]] = []
    for item in folder.iterdir():
        if item.is_dir():
            out += _walk(item, f"{prefix}{item.name}/")
        else:
            out.append((prefix + item.name, item.read_bytes()))
    return out


VERSION = _version()
STATIC = f"/ui/static/{VERSION}/"  # the UI's static files under their version (UI at /ui)
Alternate = tuple[str, str, str]  # label, href, media type
_FOOTER = ('<span><a href="/sparql">{endpoint}</a> · '
           '<a href="/queries"><code>/queries</code></a> · <a href="/openapi.json">OpenAPI</a> · '
           '<a href="/catalog">DCAT</a> · '
           '<a href="/.well-known/void">VoID</a></span>')
_NAV = ("questions", "editor", "ontology", "search", "search_short", "language", "build")


def script(name: str) -> str:
    """A module script from the static folder."""
    return f'<script type="module" src="{STATIC}{escape(name)}"></script>'


def render(view: View, title: str, body: str, *, scripts: Sequence[str] = (),
           head: str = "", body_class: str = "",
           alternates: Sequence[Alternate] = ()) -> bytes:
    """A whole page; ``title`` is plain text, ``body``, ``head`` and ``scripts`` are HTML.
    A page with ``alternates`` (its machine formats) links them in head and footer."""
    if alternates:
        head = "\n".join([f'<link rel="alternate" type="{escape(m)}" href="{escape(h)}">'
                          for _, h, m in alternates] + [head])
        links = " · ".join(f'<a href="{escape(h)}">{escape(label)}</a>'
                           for label, h, _ in alternates)
        footer = f"<span>{links}</span>"
    else:
        footer = _FOOTER.format(endpoint=escape(view.word("endpoint")))
    return SHELL.substitute(
        lang=view.lang, other=view.other, other_name=i18n.NAMES[view.other],
        other_url=escape(view.switched()), title=escape(title),
        site=escape(view.word("site")), head=head, body=body, body_class=escape(body_class),
        build=escape(view.build), query=escape(view.query),
        home_url=escape(view.href("/")), questions_url=escape(view.href("/ui/queries")),
        editor_url=escape(view.href("/ui/sparql")), ontology_url=escape(view.href("/ontology")),
        scripts="\n".join(scripts), footer=footer, static=STATIC,
        **{f"t_{k}": escape(view.word(k)) for k in _NAV},
    ).encode("utf-8")
