"""Every format name the project knows, once: names, aliases, media types, what each holds.

Formats themselves are pyoxigraph's (looked up by name, extension or media type);
this module only adds the project's aliases and says which names each interface
offers (``format=`` on the server, ``--format`` of ``kg export``, the links of an
entity page).

>>> rdf_format("application/n-triples").file_extension
'nt'
>>> rdf_format("turtle").name, results_format("tsv").media_type
('Turtle', 'text/tab-separated-values; charset=utf-8')
>>> export_format("n3")
Traceback (most recent call last):
  ...
kg.errors.UsageError: unknown export format 'n3'; use one of nq, trig, jsonld, ttl, nt, rdfxml
"""

from __future__ import annotations

from typing import Any

from pyoxigraph import QueryResultsFormat, RdfFormat

from kg.errors import UsageError

#: Other spellings accepted wherever a format is named.
ALIASES = {"turtle": "ttl", "ntriples": "nt", "nquads": "nq", "rdfxml": "rdf", "rdf+xml": "rdf",
           "json-ld": "jsonld"}
#: ``format=`` names of SPARQL results, then of RDF (media types work too).
RESULT_NAMES = ("json", "xml", "csv", "tsv", "srj", "srx")
RDF_NAMES = ("ttl", "turtle", "jsonld", "json-ld", "nt", "ntriples", "n3", "rdf", "rdfxml")
#: ``kg export`` and the dumps: formats that hold every graph, and those that hold one.
DATASET_EXPORTS = ("nq", "trig", "jsonld")
GRAPH_EXPORTS = ("ttl", "nt", "rdfxml")
EXPORTS = DATASET_EXPORTS + GRAPH_EXPORTS
#: The machine formats an entity page links to: (label, name).
ALTERNATES = (("Turtle", "ttl"), ("JSON-LD", "jsonld"), ("N-Triples", "nt"), ("RDF/XML", "rdf"))
#: Linked-data pages for people.
HTML = "text/html; charset=utf-8"
#: What changed between two builds, for people (``kg diff``, /releases/diff), and the
#: releases as a plain list for programs.
MARKDOWN = "text/markdown; charset=utf-8"
JSON = "application/json"
#: ``kg diff --format``: Markdown, or the patch as a dataset (TriG: diff:added, diff:removed).
DIFF_FORMATS = ("md", "trig", "nq")
#: JSON-LD's expanded form, asked for with this profile in Accept (else compacted).
JSONLD_EXPANDED_PROFILE = "http://www.w3.org/ns/json-ld#expanded"
JSONLD_EXPANDED = f'application/ld+json; profile="{JSONLD_EXPANDED_PROFILE}"'
#: W3C's format IRIs (https://www.w3.org/ns/formats/) where pyoxigraph gives another
#: (its JSON-LD IRI, …/ns/formats/data/JSON-LD, is not one of W3C's), by extension.
W3C_FORMAT_IRIS = {"jsonld": "http://www.w3.org/ns/formats/JSON-LD"}


def _lookup(kind: Any, name: str) -> Any:
    name = ALIASES.get(name.lower(), name)
    try:
        return kind.from_media_type(name) if "/" in name else kind.from_extension(name)
    except ValueError:
        return None


def results_format(name: str) -> QueryResultsFormat:
    """A SPARQL results format by extension (json, xml, csv, tsv) or media type."""
    fmt = _lookup(QueryResultsFormat, name)
    if not isinstance(fmt, QueryResultsFormat):
        raise UsageError(f"unknown results format {name!r}; use one of json, xml, csv, tsv")
    return fmt


def rdf_format(name: str) -> RdfFormat:
    """An RDF format by extension (ttl, nt, nq, trig, rdf, jsonld), alias or media type."""
    fmt = _lookup(RdfFormat, name)
    if not isinstance(fmt, RdfFormat):
        raise UsageError(
            f"unknown RDF format {name!r}; use one of ttl, nt, nq, trig, rdf, jsonld, n3"
        )
    return fmt


def export_format(name: str) -> RdfFormat:
    """The format of a dump, by export name, extension or media type."""
    found = _lookup(RdfFormat, name)
    if not isinstance(found, RdfFormat) or found.file_extension not in _EXPORT_EXTENSIONS:
        raise UsageError(f"unknown export format {name!r}; use one of {', '.join(EXPORTS)}")
    return found


_EXPORT_EXTENSIONS = {rdf_format(n).file_extension for n in EXPORTS}


def format_iri(fmt: RdfFormat | QueryResultsFormat) -> str:
    """The W3C IRI of a format (https://www.w3.org/ns/formats/).

    >>> format_iri(RdfFormat.JSON_LD), format_iri(RdfFormat.TURTLE)
    ('http://www.w3.org/ns/formats/JSON-LD', 'http://www.w3.org/ns/formats/Turtle')
    """
    return W3C_FORMAT_IRIS.get(fmt.file_extension, fmt.iri)


def graph_results() -> list[RdfFormat]:
    """The formats a graph (CONSTRUCT, DESCRIBE, one document) is answered in: those that
    hold triples, and JSON-LD (not its streaming profile).

    >>> [f.file_extension for f in graph_results()]
    ['jsonld', 'n3', 'nt', 'rdf', 'ttl']
    """
    return [f for f in members(RdfFormat)
            if not f.supports_datasets or f == RdfFormat.JSON_LD]


def members(kind: Any) -> list[Any]:
    """The formats pyoxigraph defines of a kind, in name order (its own list, not ours).

    >>> [f.file_extension for f in members(QueryResultsFormat)]
    ['csv', 'srj', 'tsv', 'srx']
    """
    return [getattr(kind, a) for a in sorted(dir(kind)) if isinstance(getattr(kind, a), kind)]
