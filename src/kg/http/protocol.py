"""The SPARQL 1.1 Protocol: query at /sparql (and /query), update at /update.

Queries come as GET ``query=``, POST form-encoded or POST
``application/sparql-query``, with ``default-graph-uri`` / ``named-graph-uri``
(which override the query's FROM / FROM NAMED; with neither, the query's own
dataset, else the union of all graphs); the answer's format is negotiated (or
named with ``format=``). Relative IRIs resolve against the URL the request was
sent to. A GET with no query (and no dataset) answers the Service Description.
Updates need the server's update token (``Authorization: Bearer …``) and go to
the single writer process. The text is passed on exactly as sent, so a syntax
error's line and column are the client's own.

>>> protocol_params(b"query=ASK%7B%7D&named-graph-uri=http%3A%2F%2Fe%2Fg", {})
{'query': ['ASK{}'], 'named-graph-uri': ['http://e/g']}
"""

from __future__ import annotations

import hmac
from urllib.parse import parse_qs

from pyoxigraph import NamedNode
from starlette.datastructures import URLPath
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Router

from kg import sparql
from kg.errors import QueryError, UsageError
from kg.http import negotiate
from kg.http.respond import (
    HttpError,
    engine,
    media_type,
    read_body,
    requested_timeout,
    serve_read,
    snapshot,
)
from kg.rdf.sd import service_triples
from kg.sparql.syntax import with_using

FORM = "application/x-www-form-urlencoded"
QUERY_BODY = "application/sparql-query"
UPDATE_BODY = "application/sparql-update"
DATASET = ("default-graph-uri", "named-graph-uri")  # a query's protocol dataset
USING = ("using-graph-uri", "using-named-graph-uri")  # an update's
Params = dict[str, list[str]]


def protocol_params(form: bytes, url_params: Params) -> Params:
    """Form-encoded body parameters merged after the URL's (UTF-8 only: else 400).

    >>> protocol_params(b"query=%FF", {})
    Traceback (most recent call last):
      ...
    kg.errors.UsageError: the form is not UTF-8 (byte 0xff at 0 of a value); send UTF-8
    """
    out = {k: list(v) for k, v in url_params.items()}
    try:
        fields = parse_qs(utf8(form, "the form"), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError as exc:
        raise UsageError(f"the form is not UTF-8 (byte 0x{exc.object[exc.start]:02x} at "
                         f"{exc.start} of a value); send UTF-8") from None
    for key, values in fields.items():
        out.setdefault(key, []).extend(values)
    return out


def utf8(body: bytes, what: str) -> str:
    """A body's text; anything but UTF-8 is a 400 naming where it goes wrong.

    >>> utf8(b"ASK {} # caf\\xe9", "the query")
    Traceback (most recent call last):
      ...
    kg.errors.UsageError: the query is not UTF-8 (byte 0xe9 at offset 12); send UTF-8
    """
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{what} is not UTF-8 (byte 0x{body[exc.start]:02x} at offset "
                         f"{exc.start}); send UTF-8") from None


def _url_params(request: Request) -> Params:
    out: Params = {}
    for key, value in request.query_params.multi_items():
        out.setdefault(key, []).append(value)
    return out


def content_type(header: str) -> str:
    """The media type of a Content-Type header; a charset other than UTF-8 is a 415.

    >>> content_type("application/sparql-query; charset=UTF-8")
    'application/sparql-query'
    >>> content_type("application/sparql-query; charset=UTF-16")
    Traceback (most recent call last):
      ...
    kg.http.respond.HttpError: the body must be UTF-8, not charset=UTF-16
    """
    kind, *params = [p.strip() for p in header.split(";")]
    for param in params:
        key, _, value = param.partition("=")
        charset = value.strip().strip('"')
        if key.strip().lower() == "charset" and charset.lower() not in ("utf-8", "utf8"):
            raise HttpError(415, f"the body must be UTF-8, not charset={charset}")
    return kind.lower()


async def _params(request: Request) -> Params:
    """All protocol parameters of a request; the body's text under query/update."""
    params = _url_params(request)
    if request.method != "POST":
        return params
    kind = content_type(request.headers.get("content-type", ""))
    body = await read_body(request, engine(request).config.max_body_bytes)
    if kind == FORM:
        return protocol_params(body, params)
    if kind in (QUERY_BODY, UPDATE_BODY):
        name = "query" if kind == QUERY_BODY else "update"
        for other in ("query", "update"):
            if other in params:
                raise UsageError(f"a POST of {kind} carries the {name} in its body; "
                                 f"give no {other}= in the URL")
        return {**params, name: [utf8(body, f"the {name}")]}
    raise HttpError(415, f"POST a body of type {FORM}, {QUERY_BODY} or {UPDATE_BODY}")


def _single(params: Params, name: str) -> str | None:
    values = params.get(name, [])
    if len(values) > 1:
        raise UsageError(f"give one {name} parameter, not {len(values)}")
    return values[0] if values else None


def _media_type(request: Request, params: Params, offers: list[str]) -> str:
    """``format=`` (repeats that mean the same format are one), else the Accept header."""
    named = negotiate.by_names(params.get("format", []), offers)
    return named or media_type(request, offers, None)


async def query(request: Request) -> Response:
    """GET/POST /sparql: run a query, or describe the service when there is none."""
    params = await _params(request)
    timeout = requested_timeout(request, params)  # checked even when unused (description)
    if "query" in params and "update" in params:
        raise UsageError("give a query or an update, not both")
    if "update" in params:
        if request.method == "POST":
            return await _update(request, params)
        raise HttpError(405, "updates must be POSTed")
    graphs = _graphs(params, DATASET)
    text = _single(params, "query")
    if text is None:
        if request.method == "POST":
            raise UsageError("no query: give a query parameter or a sparql-query body")
        given = [name for name in (*DATASET, *USING) if name in params]
        if given:
            raise UsageError(f"no query: {given[0]} needs a query (or an update); a GET "
                             "without parameters answers the service description")
        return await service_description(request, params)
    base = base_iri(request)
    form = sparql.guard(text, base=base)
    offers = negotiate.RESULTS if form in ("select", "ask") else negotiate.GRAPH
    media = _media_type(request, params, offers)
    args = {"text": text, "default_graphs": graphs[0], "named_graphs": graphs[1],
            "base_iri": base, "row_cap": engine(request).config.row_cap,
            "context": _context(request)}
    variant = ("sparql", text, tuple(graphs[0]), tuple(graphs[1]), args["context"], base)
    return await serve_read(request, variant, "query", args, media, timeout=timeout)


def base_iri(request: Request) -> str:
    """The IRI relative IRIs of a query or an update resolve against: the URL the
    request was sent to, without its query string (SPARQL 1.1 Protocol: the service
    may take its own endpoint as the base)."""
    return str(request.url.replace(query="", fragment=""))


def _graphs(params: Params, names: tuple[str, str]) -> tuple[list[str], list[str]]:
    """A protocol dataset (default-graph-uri, named-graph-uri or the using- pair), each
    an absolute IRI.

    >>> _graphs({"named-graph-uri": ["not an IRI"]}, DATASET)
    Traceback (most recent call last):
      ...
    kg.errors.UsageError: named-graph-uri must be an absolute IRI, not 'not an IRI'
    """
    out = params.get(names[0], []), params.get(names[1], [])
    for name, iris in zip(names, out, strict=True):
        for iri in iris:
            try:
                NamedNode(iri)
            except ValueError:
                raise UsageError(f"{name} must be an absolute IRI, not {iri!r}") from None
    return out


def _context(request: Request) -> str:
    """The JSON-LD context of query answers: this server's /context.jsonld (a client can
    fetch it before w3id.org redirects the stable IRI, which published documents use).
    Its path is looked up among the routes once per application, not at every query."""
    routes = request.scope.get("router") or request.scope["app"]  # as Request.url_for
    known = _CONTEXT_PATHS.get(id(routes))
    if known is None or known[0] is not routes:
        known = _CONTEXT_PATHS[id(routes)] = (routes, routes.url_path_for("context"))
    return str(known[1].make_absolute_url(request.base_url))


_CONTEXT_PATHS: dict[int, tuple[Router, URLPath]] = {}  # by the routes' id (not hashable)


SERVICE_PAGE = {
    "title": {"en": "SPARQL 1.1 endpoint", "zh": "SPARQL 1.1 端点"},
    "intro": {"en": "Send a query with GET ?query=… or POST (SPARQL 1.1 Protocol); below, the "
                    "service description this URL answers when it is given no query.",
              "zh": "以 GET ?query=… 或 POST 发送查询(SPARQL 1.1 协议);以下为不带查询时"
                    "本地址给出的服务描述。"},
    "links": [("SPARQL editor · SPARQL 编辑器", "/ui/sparql"), ("/queries", "/queries"),
              ("VoID", "/.well-known/void"), ("DCAT", "/catalog")],  # (label, href)
}


async def service_description(request: Request, params: Params) -> Response:
    """The sd:Service description of this endpoint, in the negotiated RDF format, or a
    page for a browser."""
    from kg.http import described
    from kg.http.meta import stats

    media = _media_type(request, params, negotiate.DESCRIPTION)
    rt = engine(request)
    endpoint = str(request.url_for("sparql"))
    triples = service_triples(endpoint, await stats(request), rt.config.writable)
    return described.answer(request, triples, media, ("sd", endpoint, rt.config.writable),
                            SERVICE_PAGE, endpoint)


def authorise(request: Request) -> None:
    """403 unless the server has an update token and the request carries it."""
    token = engine(request).config.update_token
    if not token:
        raise HttpError(403, "this server is read-only (start it with --update-token)")
    given = request.headers.get("authorization", "")
    scheme, _, value = given.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(value.strip(), token):
        raise HttpError(403, "updates need the server's token: Authorization: Bearer <token>")


async def update(request: Request) -> Response:
    """POST /update: SPARQL Update, form-encoded ``update=`` or a sparql-update body."""
    authorise(request)
    return await _update(request, await _params(request))


async def _update(request: Request, params: Params) -> Response:
    authorise(request)
    if "query" in params and "update" in params:
        raise UsageError("give a query or an update, not both")
    text = _single(params, "update")
    if not text:
        raise UsageError("no update: give an update parameter or a sparql-update body")
    text = _update_dataset(params, text)
    rt = engine(request)
    limit = rt.timeout(requested_timeout(request, params))
    args = {"text": text, "base_iri": base_iri(request)}
    reply = await rt.write(snapshot(request), "update", args, limit)
    if not reply.ok:
        raise HttpError(reply.status, reply.message)
    return Response(status_code=204)


def _update_dataset(params: Params, text: str) -> str:
    """The update with its protocol dataset (``using-graph-uri`` /
    ``using-named-graph-uri``) written in as USING / USING NAMED where the grammar puts
    them (:func:`kg.sparql.syntax.with_using`); the update as sent without one.

    Giving it together with USING, USING NAMED or WITH in the update is an error
    (SPARQL 1.1 Protocol 2.2.3).

    >>> _update_dataset({"using-named-graph-uri": ["http://e/g"]},
    ...                 "WITH <http://e/h> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }")
    Traceback (most recent call last):
      ...
    kg.errors.UsageError: using-named-graph-uri cannot go with WITH in the update: ...
    >>> _update_dataset({"using-graph-uri": ["http://e/g"]}, "DELETE { ?s ?p ?o } WHERE {}")
    'DELETE { ?s ?p ?o } USING <http://e/g> WHERE {}'
    """
    for name in DATASET:
        if name in params:
            raise UsageError(f"{name} is for queries; an update's dataset is "
                             "using-graph-uri / using-named-graph-uri, or USING in the update")
    default, named = _graphs(params, USING)
    given = [name for name, iris in zip(USING, (default, named), strict=True) if iris]
    if not given:
        return text
    found = sparql.read(text, what="update")
    clause = "WITH" if found.with_graph else "USING" if found.using else None
    if clause:
        raise UsageError(f"{given[0]} cannot go with {clause} in the update: give the "
                         "update's dataset one way (SPARQL 1.1 Protocol 2.2.3)")
    try:
        return with_using(text, default, named)
    except QueryError as exc:
        raise UsageError(str(exc)) from None


