"""The OpenAPI 3 document of the server, generated from the catalogue.

Every packaged query gets its own path (``/queries/NAME``) with its declared
parameters typed (years as four digits, languages as an enum…); the fixed
routes (SPARQL, linked data, VoID, dumps, health) are described once.

>>> doc = document([], "0.1.0")
>>> doc["openapi"], "/sparql" in doc["paths"]
('3.0.3', True)
"""

from __future__ import annotations

from typing import Any

from kg.catalogue import StoredQuery
from kg.server import negotiate
from kg.server.catalog import dump_names

JSON = "application/json"
_TYPES: dict[str, dict[str, Any]] = {
    "year": {"type": "string", "pattern": "^[0-9]{4}$"},
    "integer": {"type": "integer"},
    "lang": {"type": "string", "enum": ["zh", "en"]},
    "iri": {"type": "string", "format": "uri"},
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
             415: "unsupported request body type", 503: "time limit reached or no build yet"}
    out: dict[str, Any] = {"200": ok}
    for code in codes:
        out[str(code)] = {"description": texts[code]} if code == 304 else _error(texts[code])
    return out


def _param(name: str, schema: dict[str, Any], description: str, required: bool = False,
           where: str = "query") -> dict[str, Any]:
    return {"name": name, "in": where, "required": required, "description": description,
            "schema": schema}


_FORMAT = {"type": "string"}
_TIMEOUT = _param("timeout", {"type": "number", "exclusiveMinimum": True, "minimum": 0,
                              "maximum": 3600}, "a lower time limit, in seconds")


def query_path(query: StoredQuery) -> dict[str, Any]:
    """The OpenAPI path item of one packaged query."""
    params = [
        _param(p.name, {**_TYPES.get(p.type, {"type": "string"}),
                        **({"example": p.example} if p.example else {})},
               p.description or p.type, required=p.required and not p.default)
        for p in query.params
    ]
    params += [_param("format", {"type": "string", "enum": ["json", "xml", "csv", "tsv", "ttl",
                                                            "nt", "jsonld", "rdf"]},
                      "the answer's format (else Accept)"), _TIMEOUT]
    results = _content(negotiate.RESULTS + negotiate.GRAPH, {"type": "object"})
    return {"get": {
        "summary": query.title.get("en", query.name),
        "description": query.description,
        "tags": ["queries"],
        "operationId": "query_" + query.name.replace("-", "_"),
        "parameters": params,
        "responses": _responses({"description": "the results", "content": results},
                                304, 400, 406, 503),
    }}


def _sparql() -> dict[str, Any]:
    answers = _content(negotiate.RESULTS + negotiate.GRAPH, {"type": "object"})
    params = [
        _param("query", {"type": "string"}, "the SPARQL query (absent: service description)"),
        _param("default-graph-uri", {"type": "array", "items": {"type": "string"}},
               "graphs forming the default graph"),
        _param("named-graph-uri", {"type": "array", "items": {"type": "string"}},
               "graphs available to GRAPH"),
        _param("format", _FORMAT, "the answer's format (else Accept)"), _TIMEOUT,
    ]
    form = {"type": "object", "properties": {"query": {"type": "string"}},
            "required": ["query"]}
    body = {"required": True, "content": {
        "application/x-www-form-urlencoded": {"schema": form},
        "application/sparql-query": {"schema": {"type": "string"}}}}
    ok = {"description": "results, or the service description", "content": answers}
    return {
        "get": {"summary": "SPARQL 1.1 query", "tags": ["sparql"], "operationId": "sparql_get",
                "parameters": params, "responses": _responses(ok, 304, 400, 406, 503)},
        "post": {"summary": "SPARQL 1.1 query (POST)", "tags": ["sparql"],
                 "operationId": "sparql_post", "parameters": params[1:], "requestBody": body,
                 "responses": _responses(ok, 400, 403, 406, 413, 415, 503)},
    }


def _get(summary: str, media: list[str], op: str, *codes: int,
         params: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    ok = {"description": summary, "content": _content(media, {"type": "object"})}
    return {"get": {"summary": summary, "operationId": op, "parameters": params or [],
                    "responses": _responses(ok, *codes)}}


def document(queries: list[StoredQuery], version: str) -> dict[str, Any]:
    """The whole OpenAPI 3.0 document."""
    fmt = [_param("format", _FORMAT, "the answer's format (else Accept)")]
    paths: dict[str, Any] = {
        "/sparql": _sparql(),
        "/queries": _get("the packaged queries", [JSON], "list_queries", 304),
        "/id/{path}": _get("an entity (linked data)", negotiate.PAGE, "entity", 304, 400, 404,
                           406, 503, params=[_param("path", {"type": "string",
                                                             "pattern": "^[a-z0-9-]+/[a-z0-9-]+$"},
                                                    "kind/slug", True, "path"), *fmt]),
        "/ontology": _get("the ontology", negotiate.PAGE, "ontology", 304, 400, 406, params=fmt),
        "/context.jsonld": _get("the JSON-LD context", ["application/ld+json"], "context", 304),
        "/.well-known/void": _get("VoID description", negotiate.GRAPH, "void", 304, 400, 406,
                                  params=fmt),
        "/catalog": _get("DCAT catalogue of the dumps", negotiate.GRAPH, "catalog", 304, 400,
                         406, params=fmt),
        "/dumps/{filename}": _get("a dump of the graph", negotiate.DATASET + negotiate.GRAPH,
                                  "dump", 304, 404, 503, params=[_param(
                                      "filename", {"type": "string", "enum": dump_names()},
                                      "NAME.EXT", True, "path")]),
        "/health": _get("health", [JSON], "health", 503),
    }
    for query in queries:
        paths[f"/queries/{query.name}"] = query_path(query)
    return {
        "openapi": "3.0.3",
        "info": {"title": "Future industries knowledge graph", "version": version,
                 "description": "SPARQL endpoint, packaged queries and linked data for China's "
                                "future-industry (未来产业) plans."},
        "paths": paths,
    }
