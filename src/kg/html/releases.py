"""The releases and what changed between two builds, as pages (``/releases``,
``/releases/diff``), from plain data: no request, no store.

>>> v = View.of("zh", "/releases?lang=zh")
>>> page = releases_page([{"version": "1.0", "build": "b1", "time": "t", "previous": None,
...                        "iri": "https://w3id.org/future-industries/release/1.0"}], "b1", v)
>>> "发布版本" in page.decode() and "/release/1.0?lang=zh" in page.decode()
True
"""

from __future__ import annotations

from html import escape
from typing import Any

from kg.html.pages import STYLE, licence, link, value
from kg.html.shell import Alternate, render
from kg.html.view import View

KINDS = ("added", "removed", "changed")


def releases_page(releases: list[dict[str, Any]], build: str, view: View) -> bytes:
    """Every release, newest first, each with the build it names and a link to what
    changed since the one before; a form to compare any two."""
    w = view.word
    rows = "".join(
        f"<tr><td>{link(r['iri'], {'': r['version']}, view)}</td>"
        f"<td><code>{escape(r['build'])}</code></td><td>{escape(r['time'])}</td>"
        f"<td>{_since(r, view)}</td></tr>"
        for r in reversed(releases))
    table = (f'<table class="facts releases"><tr><th>{escape(w("version"))}</th>'
             f'<th>{escape(w("build"))}</th><th>{escape(w("issued"))}</th>'
             f'<th>{escape(w("changes"))}</th></tr>{rows}</table>'
             if releases else f"<p>{escape(w('no_releases'))}</p>")
    body = (f"<h1>{escape(w('releases'))}</h1><p>{escape(w('releases_intro'))}</p>"
            f"{table}{_form(releases, view)}{licence(view)}")
    return render(view.built(build), w("releases"), body, head=STYLE, body_class="ld")


def _since(release: dict[str, Any], view: View) -> str:
    if not release["previous"]:
        return ""
    href = view.href("/releases/diff", **{"from": release["previous"], "to": release["version"]})
    return (f'<a href="{escape(href)}">{escape(release["previous"])} → '
            f'{escape(release["version"])}</a>')


def _form(releases: list[dict[str, Any]], view: View) -> str:
    """Compare any two releases (or build ids typed in)."""
    if len(releases) < 2:
        return ""
    w = view.word
    options = "".join(f'<option value="{escape(r["version"])}">{escape(r["version"])}</option>'
                      for r in reversed(releases))
    lang = (f'<input type="hidden" name="lang" value="{escape(view.lang)}">'
            if view.explicit else "")
    return (f'<form method="get" action="/releases/diff"><h2>{escape(w("compare"))}</h2>'
            f'<label>{escape(w("from"))} <select name="from">{options}</select></label> '
            f'<label>{escape(w("to"))} <select name="to">{options}</select></label> '
            f'{lang}<button type="submit">{escape(w("compare"))}</button></form>')


def diff_page(data: dict[str, Any], build: str, alternates: list[Alternate],
              view: View) -> bytes:
    """What changed: counts, then one section per entity (its label in the page's
    language, the other beside it) listing facts added, removed and changed (old → new).

    ``data``: ``old`` and ``new`` (how each side is named), ``counts`` and ``entities``,
    each with ``subject`` and objects as :func:`kg.engine.describe.term` tuples,
    ``labels`` by language and the ``added``, ``removed`` and ``changed`` facts.
    """
    w = view.word
    n = data["counts"]
    title = f"{w('changes')}: {data['old']} → {data['new']}"
    summary = ", ".join(f"{n[k]} {w(k)}" for k in KINDS)
    parts = [f"<h1>{escape(title)}</h1>",
             f"<p>{escape(summary)} ({n['entities']} {escape(w('entities'))})</p>"]
    if data.get("cut"):
        parts.append(f"<p>{escape(w('diff_cut'))} ({data['cut']})</p>")
    for e in data["entities"]:
        rows = [_row("added", p, [o], view) for p, o in e["added"]]
        rows += [_row("removed", p, [o], view) for p, o in e["removed"]]
        rows += [_row("changed", p, was, view, now) for p, was, now in e["changed"]]
        head = value(e["subject"], e["labels"], view)
        other = e["labels"].get(view.other, "")
        sub = f' <span class="sub" lang="{view.other}">{escape(other)}</span>' if other else ""
        parts.append(f'<section><h2>{head}{sub}</h2><table class="facts diff">'
                     f'{"".join(rows)}</table></section>')
    parts.append(licence(view))
    return render(view.built(build), title, "\n".join(parts), head=STYLE, body_class="ld",
                  alternates=alternates)


def _row(kind: str, predicate: str, objects: list[Any], view: View,
         now: list[Any] | None = None) -> str:
    shown = ", ".join(value(o, None, view) for o in objects)
    if now is not None:
        shown += " → " + ", ".join(value(o, None, view) for o in now)
    return (f'<tr class="{kind}"><td>{escape(view.word(kind))}</td>'
            f"<td>{link(predicate, None, view)}</td><td>{shown}</td></tr>")
