"""JSON-LD with the published ``@context``: prefixes only, so it stays exact.

pyoxigraph writes expanded JSON-LD. :func:`compact` rewrites property keys,
``@id``, ``@type`` and datatype IRIs as compact IRIs (``fi:Plan``) under the
project's prefixes and points ``@context`` at the published context
(``/context.jsonld``); every compact IRI expands back to the same IRI, so the
graph is unchanged.

>>> doc = b'[{"@id":"https://w3id.org/future-industries/id/region/beijing",'
>>> doc += b'"http://www.w3.org/2000/01/rdf-schema#label":[{"@value":"Beijing"}]}]'
>>> out = json.loads(compact(doc, "http://127.0.0.1/context.jsonld"))
>>> out["@graph"][0]["@id"], list(out["@graph"][0])[1]
('id:region/beijing', 'rdfs:label')
"""

from __future__ import annotations

import json
from typing import Any

from kg.vocab import PREFIXES

_BY_LENGTH = sorted(PREFIXES.items(), key=lambda kv: -len(kv[1]))


def context() -> dict[str, Any]:
    """The published context: one term per project prefix.

    >>> context()["@context"]["fi"]
    'https://w3id.org/future-industries/ontology#'
    """
    return {"@context": dict(PREFIXES)}


def shorten(iri: str) -> str:
    """An IRI as a compact IRI when a prefix covers it, else unchanged.

    >>> shorten("https://w3id.org/future-industries/ontology#Plan")
    'fi:Plan'
    >>> shorten("http://example.org/x")
    'http://example.org/x'
    """
    for prefix, base in _BY_LENGTH:
        if iri.startswith(base) and len(iri) > len(base):
            rest = iri[len(base):]
            if not rest.startswith("//"):
                return f"{prefix}:{rest}"
    return iri


def compact(expanded: bytes, context: str | dict[str, str]) -> bytes:
    """Expanded JSON-LD (from pyoxigraph) as a document using the project's prefixes: the
    published context by its IRI (``context`` a string), or inline (a dict, for dumps).

    >>> doc = b'[{"@id": "https://schema.org/x", "https://schema.org/name": [{"@value": "n"}]}]'
    >>> json.loads(compact(doc, {"schema": "https://schema.org/"}))["@graph"]
    [{'@id': 'schema:x', 'schema:name': [{'@value': 'n'}]}]
    """
    nodes = json.loads(expanded or b"[]")
    nodes = nodes if isinstance(nodes, list) else [nodes]
    doc = {"@context": context, "@graph": [_node(n) for n in nodes]}
    return json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")


def _node(node: Any) -> Any:
    if isinstance(node, list):
        return [_node(n) for n in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "@id" and isinstance(value, str):
            out[key] = shorten(value)
        elif key == "@type":
            out[key] = [shorten(v) for v in value] if isinstance(value, list) else shorten(value)
        elif key.startswith("@"):
            out[key] = _node(value) if key in ("@graph", "@list", "@set") else value
        else:
            out[shorten(key)] = _node(value)
    return out
