"""Descriptions the server makes itself (VoID, DCAT, the service description, the
dataset): triples answered in the negotiated RDF format, or as a readable page with
links to those formats.

>>> from pyoxigraph import Literal, NamedNode as N, Triple
>>> b = BlankNode("p1")
>>> data = plain([Triple(N("http://e/d"), N("http://e/part"), b),
...               Triple(b, N("http://e/n"), Literal("1")),
...               Triple(N("http://e/x"), N("http://e/n"), Literal("2"))], "http://e/d")
>>> [s[1] for s, _ in data["subjects"]], list(data["nested"])
(['http://e/d', 'http://e/x'], ['p1'])
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from pyoxigraph import BlankNode, NamedNode
from starlette.requests import Request
from starlette.responses import Response

from kg.engine.describe import term
from kg.html import pages
from kg.html.shell import Alternate
from kg.html.view import View
from kg.http import negotiate
from kg.http.respond import ok, snapshot
from kg.rdf import formats
from kg.rdf.write import rdf_bytes
from kg.vocab import CONTEXT_IRI


def alternates(path: str) -> list[Alternate]:
    """A page's machine formats: ``path?format=…`` for each.

    >>> alternates("/catalog")[0]
    ('Turtle', '/catalog?format=ttl', 'text/turtle')
    """
    return [(label, f"{path}?format={ext}", negotiate.by_name(ext, negotiate.GRAPH))
            for label, ext in formats.ALTERNATES]


def view(request: Request) -> View:
    """The page's language (``?lang=``, else ``Accept-Language``) and URL."""
    url = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return View.of(request.query_params.get("lang"), url,
                   accept=request.headers.get("accept-language"))


def plain(triples: list[Any], main: str) -> dict[str, Any]:
    """Triples as a page's plain data: one entry per subject (``main`` first, then IRIs,
    then blank nodes), and the blank nodes met once as an object, shown in place."""
    facts: dict[Any, list[tuple[str, tuple[str, ...]]]] = {}
    seen: dict[BlankNode, int] = {}
    for t in sorted(set(triples), key=lambda t: (str(t.predicate), str(t.object))):
        facts.setdefault(t.subject, []).append((t.predicate.value, term(t.object)))
        if isinstance(t.object, BlankNode):
            seen[t.object] = seen.get(t.object, 0) + 1
    inline = {n for n in facts if isinstance(n, BlankNode) and seen.get(n) == 1}

    def order(node: Any) -> tuple[int, str]:
        named = isinstance(node, NamedNode)
        return (0 if named and node.value == main else 1 if named else 2), str(node)

    subjects = [(term(n), f) for n, f in sorted(facts.items(), key=lambda kv: order(kv[0]))
                if n not in inline]
    return {"subjects": subjects, "nested": {n.value: facts[n] for n in inline}}


def answer(request: Request, triples: list[Any], media: str, variant: Hashable,
           page: dict[str, Any], main: str) -> Response:
    """The triples in ``media`` (JSON-LD compacted with the published context, or expanded
    when asked), or, for HTML, a page (``page``: title, intro, links) of them."""
    snap = snapshot(request)
    if media == formats.HTML:
        v = view(request)
        data = {**page, **plain(triples, main)}
        body = pages.description_page(data, snap.build_id, alternates(request.url.path), v)
        return ok(body, media, snap, (variant, v), request)
    expand = negotiate.expanded(request.headers.get("accept"), media)
    body = rdf_bytes(triples, formats.rdf_format(media), None if expand else CONTEXT_IRI)
    return ok(body, formats.JSONLD_EXPANDED if expand else media, snap, (variant, expand),
              request)
