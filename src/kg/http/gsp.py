"""The SPARQL 1.1 Graph Store HTTP Protocol at /store (``?graph=IRI`` or ``?default``).

GET reads one graph (content-negotiated). PUT (replace), POST (add) and
DELETE need the update token, like SPARQL Update, and go to the writer.

>>> target({"graph": "https://w3id.org/future-industries/graph/links"})
'https://w3id.org/future-industries/graph/links'
>>> target({"default": ""}) is None
True
"""

from __future__ import annotations

from collections.abc import Mapping

from pyoxigraph import NamedNode
from starlette.requests import Request
from starlette.responses import Response

from kg.errors import UsageError
from kg.http import negotiate
from kg.http.protocol import authorise
from kg.http.respond import HttpError, engine, read_body, requested_timeout, serve_read, snapshot
from kg.rdf import formats


def target(params: Mapping[str, str]) -> str | None:
    """The graph a request names: an IRI, or None for the default graph."""
    if "graph" in params and "default" in params:
        raise UsageError("give either graph=IRI or default, not both")
    if "graph" in params:
        try:
            return NamedNode(params["graph"]).value
        except ValueError:
            raise UsageError(f"graph must be an absolute IRI, not {params['graph']!r}") from None
    if "default" in params:
        return None
    raise UsageError("name a graph: ?graph=IRI or ?default")


async def store(request: Request) -> Response:
    """GET/PUT/POST/DELETE /store."""
    graph = target(request.query_params)
    if request.method == "GET":
        return await _read(request, graph)
    authorise(request)
    data, media = b"", ""
    if request.method in ("PUT", "POST"):
        media = request.headers.get("content-type", "").split(";")[0].strip()
        if not media:
            raise HttpError(415, "send RDF with its Content-Type")
        try:
            media = formats.rdf_format(media).media_type
        except UsageError:
            raise HttpError(415, f"cannot read {media}; send an RDF format") from None
        data = await read_body(request, engine(request).config.max_body_bytes)
    rt = engine(request)
    args = {"method": request.method, "graph": graph, "data": data, "format": media}
    reply = await rt.write(snapshot(request), "graph_write", args,
                           rt.timeout(requested_timeout(request)))
    if not reply.ok:
        raise HttpError(reply.status, reply.message)
    return Response(status_code=reply.status)


async def _read(request: Request, graph: str | None) -> Response:
    name = request.query_params.get("format")
    if name:
        media = negotiate.by_name(name, negotiate.GRAPH)
    else:
        chosen = negotiate.choose(request.headers.get("accept"), negotiate.GRAPH)
        if chosen is None:
            raise HttpError(406, f"available: {', '.join(negotiate.GRAPH)}")
        media = chosen
    context = str(request.url_for("context"))
    return await serve_read(request, ("store", graph, context), "graph_get",
                            {"graph": graph, "context": context}, media)
