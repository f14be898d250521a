"""The OpenAPI 3 document of the server, generated from the catalogue.

Every packaged query gets its own path (``/queries/NAME``) with its declared
parameters typed (years as four digits, languages as an enum…); the fixed
routes (SPARQL, linked data, VoID, dumps, health) are described once.

>>> doc = document([], "0.1.0")
>>> doc["openapi"], "/sparql" in doc["paths"]
('3.0.3', True)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kg import settings
from kg.catalogue import DEFAULT_PAGE_SIZE, Param, StoredQuery
from kg.catalogue.paging import AFTER_PATTERN, LIMIT_PATTERN, OFFSET_PATTERN
from kg.http import negotiate
from kg.rdf import formats
from kg.settings import LANGS

JSON = "application/json"
EXAMPLE_QUERY = "SELECT ?class (COUNT(?x) AS ?n) WHERE { ?x a ?class } GROUP BY ?class"
Choices = Mapping[str, list[str]]  # allowed region / sector values, from the build


def iri_pattern() -> str:
    """RFC 3986 URI syntax as a regular expression: the IRIs pyoxigraph accepts, written
    in ASCII (non-ASCII characters percent-encoded; the server takes them raw too, but
    Unicode ranges make a pattern that generators such as schemathesis are slow to meet).

    >>> import re
    >>> [bool(re.match(iri_pattern(), s)) for s in ("https://e.org/a?b#c", "id:region/x%2F",
    ...                                               "a://h:x", "a:%zz", "a:b#c#d", "a b:c")]
    [True, True, False, False, False, False]
    """
    hh, sub = "%[0-9A-Fa-f]{2}", "-A-Za-z0-9._~!$&'()*+,;="
    pchar = f"(?:[{sub}:@]|{hh})"
    authority = f"//(?:(?:[{sub}:]|{hh})*@)?(?:[{sub}]|{hh})*(?::[0-9]*)?(?:/{pchar}*)*"
    rootless = f"(?:/(?:{pchar}+(?:/{pchar}*)*)?|{pchar}+(?:/{pchar}*)*)?"
    query = f"(?:\\?(?:[{sub}:@/?]|{hh})*)?"
    fragment = f"(?:#(?:{pchar}|[/?])*)?"
    return f"^[A-Za-z][A-Za-z0-9+.-]*:(?:{authority}|{rootless}){query}{fragment}$"


_IRI = iri_pattern()
_SLUG_OR_IRI = f"^(?:[a-z0-9][a-z0-9-]*|{_IRI[1:-1]})$"
_TYPES: dict[str, dict[str, Any]] = {
    "year": {"type": "string", "pattern": "^[0-9]{4}$"},
    "integer": {"type": "string", "pattern": "^[+-]?[0-9]{1,15}$"},
    "lang": {"type": "string", "enum": list(LANGS)},
    "iri": {"type": "string", "maxLength": settings.MAX_IRI_CHARS, "pattern": _IRI},
    "string": {"type": "string", "maxLength": settings.MAX_STRING_CHARS},
}


def _content(media_types: list[str], json_schema: dict[str, Any] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for media in media_types:
        base = media.split(";")[0]
        is_json = base == JSON or base.endswith("+json")
        out[base] = {"schema": (json_schema or {}) if is_json else {"type": "string"}}
    return out


def _error(text: str) -> dict[str, Any]:
    return {"description": text, "content": {"text/plain": {"schema": {"type": "string"}}}}


def _responses(ok: dict[str, Any], *codes: int) -> dict[str, Any]:
    texts = {304: "not modified (If-None-Match)", 400: "bad request: the message says why",
             403: "forbidden: read-only server or missing token", 404: "not found",
             406: "no acceptable format", 413: "request body too large",
             415: "unsupported request body type", 503: "time limit reached or no build yet",
             502: "a remote SPARQL endpoint (SERVICE) failed",
             504: "a remote SPARQL endpoint (SERVICE) did not answer in time",
             431: "request line and headers too large (the server's cap on them)"}
    out: dict[str, Any] = {"200": ok}
    for code in (*codes, 431):  # any request may meet the header cap
        out[str(code)] = {"description": texts[code]} if code == 304 else _error(texts[code])
    return out


def _param(name: str, schema: dict[str, Any], description: str, required: bool = False,
           where: str = "query") -> dict[str, Any]:
    return {"name": name, "in": where, "required": required, "description": description,
            "schema": schema}


_TIMEOUT = {**_param("timeout", {"type": "number", "exclusiveMinimum": True, "minimum": 0,
                                 "exclusiveMaximum": True,
                                 "maximum": settings.MAX_REQUESTED_TIMEOUT},
                     "a lower time limit, in seconds (the server's own limit still applies)"),
            "allowEmptyValue": True}


def _param_schema(param: Param, choices: Choices, service: bool) -> dict[str, Any]:
    """A parameter's schema; regions and sectors list the build's values when few enough,
    a SERVICE target the server's allow-list."""
    values = choices.get(param.type, [])
    if service:
        schema: dict[str, Any] = {"type": "string", "enum": list(choices.get("service", []))}
    elif param.type in ("region", "sector"):
        kind = {"type": "string", "pattern": _SLUG_OR_IRI}
        listed = 0 < len(values) <= settings.OPENAPI_MAX_ENUM
        schema = {"type": "string", "enum": values} if listed else kind
    else:
        schema = dict(_TYPES[param.type])
    return schema | ({"example": param.example} if param.example else {})


def _query_param(param: Param, choices: Choices, service: bool = False) -> dict[str, Any]:
    """One declared parameter; an empty value means "use the default" (as forms send it)."""
    required = param.required and not param.default
    schema = _param_schema(param, choices, service)
    if param.many:  # a list: repeated (sectors=a&sectors=b; one value may hold a,b too)
        example = schema.pop("example", None)
        schema = {"type": "array", "items": schema} | (
            {"example": example.split(",")} if example else {})
    out = _param(param.name, schema, param.description or param.type, required=required)
    listed = {"style": "form", "explode": True} if param.many else {}
    return out | listed | ({} if required else {"allowEmptyValue": True})


def _format(offers: list[str]) -> dict[str, Any]:
    return {**_param("format", {"type": "string", "enum": negotiate.format_names(offers)},
                     "the answer's format (else Accept)"), "allowEmptyValue": True}


_PAGE = [
    {**_param("limit", {"type": "string", "pattern": LIMIT_PATTERN},
              f"rows per page (default {DEFAULT_PAGE_SIZE}), or all: every row up to the "
              "row cap; a Link header (rel=next) points to the next page"),
     "allowEmptyValue": True},
    {**_param("offset", {"type": "string", "pattern": OFFSET_PATTERN},
              "rows to skip (default 0)"), "allowEmptyValue": True},
    {**_param("after", {"type": "string", "pattern": AFTER_PATTERN},
              "the page that starts after the one that gave this token (its Link rel=next "
              "and X-KG-After header, for questions paged by key)"), "allowEmptyValue": True},
]


EVIDENCE = {**_param(
    "evidence", {"type": "string", "enum": ["0", "1"]},
    "1: each row also carries the facts it rests on, one line per fact in four added columns: "
    "facts (their IRIs), reasons (each fact in words: label, year, wording), quotes (the "
    "source's clause) and evidence (the span on the source's reader page: the source's IRI "
    "and #ev- with the Web Annotation's name)"), "allowEmptyValue": True}


def query_path(query: StoredQuery, choices: Choices | None = None) -> dict[str, Any]:
    """The OpenAPI path item of one packaged query (SELECT answers come in pages)."""
    params = [_query_param(p, choices or {}) for p in query.params]
    graph = query.form in ("construct", "describe")
    offers = negotiate.GRAPH if graph else negotiate.RESULTS
    params += [_format(offers), _TIMEOUT]
    if query.form == "select" and not query.federated:
        params += _PAGE
    if query.evidence:
        params.append(EVIDENCE)
    results = _content(offers, {"type": "object"})
    return {"get": {
        "summary": query.title.get("en", query.name),
        "description": query.description,
        "tags": ["queries", *(["federated"] if query.federated else [])],
        "operationId": "query_" + query.name.replace("-", "_"),
        "parameters": params,
        "responses": _responses({"description": "the results", "content": results},
                                304, 400, 406, 503, *((502, 504) if query.federated else ())),
    }}


def _sparql() -> dict[str, Any]:
    answers = _content(negotiate.RESULTS + negotiate.DESCRIPTION, {"type": "object"})
    graphs = {"type": "array", "items": _TYPES["iri"]}
    params = [
        _param("query", {"type": "string", "example": EXAMPLE_QUERY},
               "the SPARQL query (absent: service description)"),
        _param("default-graph-uri", graphs, "graphs forming the default graph"),
        _param("named-graph-uri", graphs, "graphs available to GRAPH"),
        _format(negotiate.RESULTS + negotiate.GRAPH), _TIMEOUT,
    ]
    text = {"type": "string", "example": EXAMPLE_QUERY}
    form = {"type": "object", "properties": {"query": text}, "required": ["query"]}
    body = {"required": True, "content": {
        "application/x-www-form-urlencoded": {"schema": form},
        "application/sparql-query": {"schema": text}}}
    ok = {"description": "results, or the service description (a page for a browser)",
          "content": answers}
    return {
        "get": {"summary": "SPARQL 1.1 query", "tags": ["sparql"], "operationId": "sparql_get",
                "parameters": params, "responses": _responses(ok, 304, 400, 406, 431, 503)},
        "post": {"summary": "SPARQL 1.1 query (POST)", "tags": ["sparql"],
                 "operationId": "sparql_post", "parameters": params[1:], "requestBody": body,
                 "responses": _responses(ok, 400, 403, 406, 413, 415, 431, 503)},
    }


def _get(summary: str, media: list[str], op: str, *codes: int,
         params: list[dict[str, Any]] | None = None,
         schema: dict[str, Any] | None = None) -> dict[str, Any]:
    ok = {"description": summary, "content": _content(media, schema or {"type": "object"})}
    return {"get": {"summary": summary, "operationId": op, "parameters": params or [],
                    "responses": _responses(ok, *codes)}}


def _entity(choices: Choices) -> dict[str, Any]:
    regions = [r for r in choices.get("region", []) if ":" not in r]
    names = {"kind": ("^[a-z0-9][a-z0-9-]*$", "the kind of entity (region, sector, plan…)",
                      "region"),
             "slug": ("^[A-Za-z0-9][A-Za-z0-9._~-]*$", "the entity's name",
                      regions[0] if regions else "")}
    params = [_param(n, {"type": "string", "pattern": pattern}
                     | ({"example": example} if example else {}), text, True, "path")
              for n, (pattern, text, example) in names.items()]
    return _get("an entity (linked data)", negotiate.PAGE, "entity", 304, 400, 404, 406, 503,
                params=[*params, _format(negotiate.PAGE)])


def document(queries: list[StoredQuery], version: str,
             choices: Choices | None = None) -> dict[str, Any]:
    """The whole OpenAPI 3.0 document (``choices``: the build's regions and sectors, its
    graphs, dumps and id)."""
    described = [_format(negotiate.DESCRIPTION)]

    def found(kind: str) -> list[str]:
        return list((choices or {}).get(kind, [])) or ["none"]

    listing = {"type": "array", "items": {"type": "object"}}
    paths: dict[str, Any] = {
        "/sparql": _sparql(),
        "/queries": _get("the packaged queries", [JSON], "list_queries", 304, schema=listing),
        "/id/{kind}/{slug}": _entity(choices or {}),
        "/ontology": _get("the ontology", negotiate.PAGE, "ontology", 304, 400, 406,
                          params=[_format(negotiate.PAGE)]),
        "/context.jsonld": _get("the JSON-LD context", ["application/ld+json"], "context", 304),
        "/.well-known/void": _get("VoID description (a page for a browser)",
                                  negotiate.DESCRIPTION, "void", 304, 400, 406,
                                  params=described),
        "/catalog": _get("DCAT catalogue of the dumps (a page for a browser)",
                         negotiate.DESCRIPTION, "catalog", 304, 400, 406, params=described),
        "/dataset": _get("the dataset (its VoID description)", negotiate.PAGE, "dataset", 304,
                         400, 406, params=[_format(negotiate.PAGE)]),
        "/dumps/": _get("every dump with its size and SHA-256", [formats.HTML], "dumps", 304,
                        503),
        "/dumps/{filename}": _get("a dump of the graph (or SHA256SUMS)",
                                  [*negotiate.DATASET, *negotiate.GRAPH, "text/plain"], "dump",
                                  304, 404, 503, params=[_param(
                                      "filename", {"type": "string", "enum": found("dump")},
                                      "NAME.EXT", True, "path")]),
        "/graph/{name}": _get("a named graph's content, or a page", negotiate.PAGE, "graph",
                              304, 400, 404, 406, params=[_param(
                                  "name", {"type": "string", "enum": found("graph")},
                                  "the graph's name after …/graph/", True, "path"),
                                  _format(negotiate.PAGE)]),
        "/build": _get("the current build's record", negotiate.PAGE, "current_build", 304,
                       400, 406, params=[_format(negotiate.PAGE)]),
        "/build/{build_id}": _get("a build's record", negotiate.PAGE, "build", 304, 400, 404,
                                  406, params=[_param(
                                      "build_id", {"type": "string", "enum": found("build")},
                                      "the build's id", True, "path"),
                                      _format(negotiate.PAGE)]),
        "/ontology/{version}": _get("the ontology, by its version IRI", negotiate.PAGE,
                                    "ontology_version", 304, 400, 404, 406, params=[_param(
                                        "version", {"type": "string",
                                                    "pattern": "^[0-9A-Za-z][0-9A-Za-z.-]*$"},
                                        "the version", True, "path"),
                                        _format(negotiate.PAGE)]),
        "/health": _get("health", [JSON], "health", 503),
    }
    for query in queries:
        paths[f"/queries/{query.name}"] = query_path(query, choices)
    return {
        "openapi": "3.0.3",
        "info": {"title": "Future industries knowledge graph", "version": version,
                 "description": "SPARQL endpoint, packaged queries and linked data for China's "
                                "future-industry (未来产业) plans."},
        "paths": paths,
    }
