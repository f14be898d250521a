"""Worker-side serialisation: results and triples in the negotiated format.

>>> from pyoxigraph import NamedNode, Triple
>>> t = Triple(NamedNode("https://w3id.org/future-industries/id/region/x"),
...            NamedNode("http://www.w3.org/2000/01/rdf-schema#seeAlso"),
...            NamedNode("http://example.org/y"))
>>> print(rdf_reply([t], "text/turtle", {}).body.decode())
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<BLANKLINE>
<https://w3id.org/future-industries/id/region/x> rdfs:seeAlso <http://example.org/y> .
<BLANKLINE>
"""

from __future__ import annotations

from itertools import islice
from typing import Any

import pyoxigraph

from kg import settings, sparql
from kg.engine.job import Reply
from kg.rdf import formats, write


def serialize(result: sparql.Result, media_type: str, args: dict[str, Any]) -> Reply:
    """A query result in the negotiated format; graphs are capped at the row cap too."""
    if result.kind != "graph":
        body = result.serialize(media_type)
        return Reply(body=body, media_type=media_type, truncated=result.truncated)
    cap = int(args.get("row_cap", settings.DEFAULT_ROW_CAP))
    assert isinstance(result.value, pyoxigraph.QueryTriples)
    triples = list(islice(result.value, cap + 1))
    return rdf_reply(triples[:cap], media_type, args, truncated=len(triples) > cap)


def rdf_reply(
    items: list[Any], media_type: str, args: dict[str, Any], truncated: bool = False
) -> Reply:
    """Triples or quads serialised; JSON-LD is compacted with the published context, or
    expanded when the request asked for that profile (``args["expanded"]``)."""
    fmt = formats.rdf_format(media_type)
    context = None if args.get("expanded") else args.get("context")
    media = formats.JSONLD_EXPANDED if args.get("expanded") else fmt.media_type
    return Reply(body=rdf_bytes(items, fmt, context), media_type=media, truncated=truncated)


def rdf_bytes(items: list[Any], fmt: pyoxigraph.RdfFormat, context: str | None) -> bytes:
    """Serialise with the project's prefixes (and the published context for JSON-LD)."""
    return write.rdf_bytes(items, fmt, context)
