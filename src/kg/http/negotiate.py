"""Content negotiation over the formats pyoxigraph knows (and HTML for pages).

The offers come from pyoxigraph's own format lists; an ``Accept`` entry is
normalised through ``from_media_type`` so its aliases (``application/json``
for SPARQL JSON results, ``application/x-turtle``…) count as what they mean.

>>> choose("text/csv;q=0.5, application/sparql-results+xml", RESULTS)
'application/sparql-results+xml'
>>> choose("*/*", GRAPH)
'text/turtle'
>>> choose("application/json", RESULTS)
'application/sparql-results+json'
>>> choose("image/png", GRAPH) is None
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pyoxigraph import QueryResultsFormat, RdfFormat

from kg.errors import UsageError
from kg.rdf import formats
from kg.rdf.formats import HTML, members


def _ordered(formats: list[Any], first: Any) -> list[str]:
    return [first.media_type] + [f.media_type for f in formats if f != first]


#: SELECT / ASK results: SPARQL JSON first, then the others pyoxigraph writes.
RESULTS = _ordered(members(QueryResultsFormat), QueryResultsFormat.JSON)
#: Triples (CONSTRUCT, DESCRIBE, one graph): Turtle first; formats that hold triples.
GRAPH = _ordered(formats.graph_results(), RdfFormat.TURTLE)
#: Datasets (dumps of all graphs): N-Quads first.
DATASET = _ordered(
    [f for f in members(RdfFormat) if f.supports_datasets and f != RdfFormat.STREAMING_JSON_LD],
    RdfFormat.N_QUADS,
)
#: Linked-data pages: HTML for people, then the graph formats.
PAGE = [HTML, *GRAPH]
#: Descriptions of the service (VoID, DCAT, the service description): RDF first (``*/*``
#: gets Turtle), a page when the client prefers HTML (a browser).
DESCRIPTION = [*GRAPH, HTML]


@dataclass(frozen=True)
class Range:
    """One entry of an Accept header."""

    base: str  # type/subtype, lower case
    q: float

    @property
    def specificity(self) -> int:
        return 0 if self.base == "*/*" else 1 if self.base.endswith("/*") else 2


def parse_accept(header: str | None, offers: Sequence[str] = ()) -> list[Range]:
    """The entries of an Accept header (absent header: ``*/*``), aliases resolved.

    >>> parse_accept("text/turtle;q=0.9, */*;q=0.1")
    [Range(base='text/turtle', q=0.9), Range(base='*/*', q=0.1)]
    >>> parse_accept("application/json", RESULTS)[0].base
    'application/sparql-results+json'
    """
    out = []
    for part in (header or "*/*").split(","):
        base, *params = [p.strip() for p in part.split(";")]
        if not base:
            continue
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        out.append(Range(_canonical(base.lower(), offers), q))
    return out


def expanded(accept: str | None, media: str) -> bool:
    """True when JSON-LD was chosen and the client asked for its expanded form
    (``Accept: application/ld+json;profile="http://www.w3.org/ns/json-ld#expanded"``).

    >>> expanded('application/ld+json;profile="http://www.w3.org/ns/json-ld#expanded"',
    ...          "application/ld+json")
    True
    >>> expanded("application/ld+json", "application/ld+json")
    False
    """
    if media.split(";")[0] != "application/ld+json":
        return False
    for part in (accept or "").split(","):
        base, *params = [p.strip() for p in part.split(";")]
        if base.lower() != "application/ld+json":
            continue
        for param in params:
            key, _, value = param.partition("=")
            if (key.strip().lower() == "profile"
                    and formats.JSONLD_EXPANDED_PROFILE in value.strip().strip('"').split()):
                return True
    return False


def _canonical(base: str, offers: Sequence[str]) -> str:
    """A media range as the offer pyoxigraph's lookup maps it to, if any."""
    if "*" in base or base == "text/html":
        return base
    for kind in (QueryResultsFormat, RdfFormat):
        try:
            fmt = kind.from_media_type(base)
        except ValueError:
            fmt = None
        if fmt is not None and fmt.media_type in offers:
            return str(fmt.media_type).split(";")[0]
    return base


def _quality(offer: str, ranges: list[Range]) -> float:
    base = offer.split(";")[0]
    kind = base.split("/")[0] + "/*"
    matching = [r for r in ranges if r.base in (base, kind, "*/*")]
    if not matching:
        return 0.0
    return max(matching, key=lambda r: r.specificity).q


def choose(accept: str | None, offers: Sequence[str]) -> str | None:
    """The offer the client prefers most (ties: the server's order), or None (406)."""
    ranges = parse_accept(accept, offers)
    best, best_q = None, 0.0
    for offer in offers:
        q = _quality(offer, ranges)
        if q > best_q:
            best, best_q = offer, q
    return best


def by_name(name: str, offers: Sequence[str]) -> str:
    """The offer a ``format=`` parameter names (extension, alias or media type).

    >>> by_name("ttl", GRAPH)
    'text/turtle'
    >>> by_name("csv", RESULTS)
    'text/csv; charset=utf-8'
    >>> by_name("xml", GRAPH), by_name("xml", RESULTS)  # a graph in XML is RDF/XML
    ('application/rdf+xml', 'application/sparql-results+xml')
    """
    if name.lower() == "html" and HTML in offers:
        return HTML
    try:
        found = formats.rdf_format(name).media_type if offers is not RESULTS else None
    except UsageError:
        found = None
    if found is None:
        try:
            found = formats.results_format(name).media_type
        except UsageError:
            found = None
    if found in offers:
        return str(found)
    names = ", ".join(short_name(o) for o in offers)
    raise UsageError(f"unknown or unsuitable format {name!r}; use one of {names}")


def by_names(values: Sequence[str], offers: Sequence[str]) -> str | None:
    """The offer that every ``format=`` value names, or None when none is given.

    A value may list media types separated by commas, as SPARQLWrapper repeats its
    Accept header there (the first that names an offer counts); empty values say
    nothing. Repeats that name the same format are one request; repeats that
    disagree are a 400 naming both.

    >>> by_names(["tsv", "text/tab-separated-values"], RESULTS)
    'text/tab-separated-values; charset=utf-8'
    >>> by_names(["json-ld", "application/ld+json,application/x-json+ld"], GRAPH)
    'application/ld+json'
    >>> by_names(["", " "], RESULTS) is None
    True
    >>> by_names(["tsv", "json"], RESULTS)
    Traceback (most recent call last):
      ...
    kg.errors.UsageError: format='tsv' and format='json' name different formats; give one
    """
    chosen: dict[str, str] = {}
    for value in values:
        if value.strip():
            chosen.setdefault(_by_value(value, offers), value)
    if len(chosen) > 1:
        first, second = list(chosen.values())[:2]
        raise UsageError(f"format={first!r} and format={second!r} name different formats; "
                         "give one")
    return next(iter(chosen), None)


def _by_value(value: str, offers: Sequence[str]) -> str:
    """The offer one ``format=`` value names; a comma-separated list of media types gives
    its first that is offered (else the error for its first)."""
    parts = [p.split(";")[0].strip() for p in value.split(",")] if "/" in value else [value]
    errors = []
    for part in parts:
        try:
            return by_name(part, offers)
        except UsageError as exc:
            errors.append(exc)
    raise errors[0]


_NAMES = (*formats.RESULT_NAMES, "html", *formats.RDF_NAMES)


def format_names(offers: Sequence[str]) -> list[str]:
    """The ``format=`` names that pick one of the offers (media types work too).

    >>> format_names(RESULTS)
    ['json', 'xml', 'csv', 'tsv', 'srj', 'srx']
    """
    out = []
    for name in _NAMES:
        try:
            by_name(name, offers)
        except UsageError:
            continue
        out.append(name)
    return out


def short_name(media_type: str) -> str:
    """The file extension pyoxigraph gives a media type (``html`` for pages).

    >>> short_name("application/n-triples")
    'nt'
    """
    if media_type == HTML:
        return "html"
    for kind in (QueryResultsFormat, RdfFormat):
        try:
            fmt = kind.from_media_type(media_type)
        except ValueError:
            fmt = None
        if fmt is not None:
            return str(fmt.file_extension)
    return media_type
