"""RDF as bytes, the one way the project writes it: sorted, so the same triples always
give the same bytes (dumps made by ``kg export`` and by the server are identical).

Turtle and TriG come from :mod:`kg.rdf.turtle` (only the prefixes used, no escaped
prefixed names); N-Triples, N-Quads, RDF/XML and JSON-LD from pyoxigraph, fed the sorted
triples. JSON-LD is compacted by :func:`kg.rdf.jsonld.compact` with a context given by
its IRI (a string) or inline (a dict), or left expanded (``context=None``).

>>> from pyoxigraph import NamedNode as N, Quad, RdfFormat, Triple
>>> t = [Triple(N("http://e/b"), N("http://e/p"), N("http://e/o")),
...      Triple(N("http://e/a"), N("http://e/p"), N("http://e/o"))]
>>> print(rdf_bytes(t, RdfFormat.N_TRIPLES).decode().strip())
<http://e/a> <http://e/p> <http://e/o> .
<http://e/b> <http://e/p> <http://e/o> .
>>> rdf_bytes([Quad(N("http://e/a"), N("http://e/p"), N("http://e/o"), N("http://e/g"))],
...           RdfFormat.N_TRIPLES)
b'<http://e/a> <http://e/p> <http://e/o> .\\n'
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pyoxigraph import Quad, RdfFormat, serialize

from kg.rdf import jsonld, turtle
from kg.vocab import PREFIXES

Context = str | dict[str, str] | None


def rdf_bytes(items: Iterable[Any], fmt: RdfFormat, context: Context = None) -> bytes:
    """Triples or quads in ``fmt``, sorted; quads lose their graph in a triple format."""
    if fmt in (RdfFormat.TURTLE, RdfFormat.TRIG):
        return turtle.write(items, PREFIXES, dataset=fmt == RdfFormat.TRIG)
    if not fmt.supports_datasets:
        items = (i.triple if isinstance(i, Quad) else i for i in items)
    ordered = turtle.sorted_quads(items)
    if fmt == RdfFormat.JSON_LD:
        body = serialize(ordered, format=fmt) or b"[]"
        return body if context is None else jsonld.compact(body, context)
    prefixes = PREFIXES if fmt in (RdfFormat.RDF_XML, RdfFormat.N3) else None
    return serialize(ordered, format=fmt, prefixes=prefixes) or b""
