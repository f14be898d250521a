"""Turning raw parameter strings into RDF terms, checked against the graph.

Regions and sectors accept a slug (``shandong``, ``6g``) or a full IRI and must
exist in the graph; years become ``xsd:gYear``; strings stay plain literals,
whatever they contain (they are bound with pyoxigraph substitutions, never
spliced into the query text).

>>> from pyoxigraph import Store
>>> year = Param("year", "year", False, None, None, "")
>>> convert(year, "2025", Store())
<Literal value=2025 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#gYear>>
>>> convert(Param("q", "string", True, None, None, ""), '"} ; DROP ALL ; {', Store()).value
'"} ; DROP ALL ; {'
"""

from __future__ import annotations

from pyoxigraph import Literal, NamedNode, QueryBoolean, QuerySolutions, Store, Variable

from kg import settings
from kg.catalogue.params import SLUG, Param, check_form, items
from kg.errors import UsageError
from kg.sparql import Queryable, Term, queryable
from kg.vocab import FI, ID_BASE, PREFIXES, XSD

CLASSES = {"region": FI.Region, "sector": FI.Sector}
_IS_A = "ASK { ?x a ?class }"
_ALL_OF = "SELECT DISTINCT ?x ?class WHERE { ?x a ?class } ORDER BY ?x"


def convert(param: Param, raw: str, store: Store | Queryable) -> Term:
    """The RDF term for a raw value; UsageError says what is allowed."""
    if param.type == "string":
        if len(raw) > settings.MAX_STRING_CHARS:
            raise UsageError(
                f"parameter {param.name!r}: text longer than {settings.MAX_STRING_CHARS} characters"
            )
        return Literal(raw)
    try:
        check_form(param, raw)
    except ValueError as exc:
        raise UsageError(str(exc) + _allowed_hint(param, store)) from None
    if param.type == "year":
        return Literal(raw, datatype=XSD.gYear)
    if param.type == "integer":
        return Literal(int(raw))
    if param.type == "lang":
        return Literal(raw)
    if param.type == "iri":
        return iri(param, raw)
    return _entity(param, raw, store)


def convert_list(param: Param, raw: str, store: Store | Queryable) -> list[Term]:
    """The RDF terms of a list parameter's comma-separated values, each checked as
    :func:`convert` checks one (duplicates once, in the order given); UsageError names
    the item that is refused and what is allowed.

    >>> many = Param("years", "year", False, None, None, "", True)
    >>> [t.value for t in convert_list(many, "2025,2030, 2025", Store())]
    ['2025', '2030']
    >>> convert_list(many, "2025,} ; DROP ALL", Store())
    Traceback (most recent call last):
      ...
    kg.errors.UsageError: parameter 'years' (item 2): expected a 4-digit year such as 2025, got '}'
    """
    values = items(param, raw)
    if len(values) > settings.MAX_LIST_ITEMS:
        raise UsageError(f"parameter {param.name!r}: {len(values)} values, at most "
                         f"{settings.MAX_LIST_ITEMS}")
    terms: list[Term] = []
    for number, value in enumerate(values, start=1):
        try:
            term = convert(param, value, store)
        except UsageError as exc:
            where = f"parameter {param.name!r}"
            raise UsageError(str(exc).replace(where, f"{where} (item {number})", 1)) from None
        if term not in terms:
            terms.append(term)
    return terms


def iri(param: Param, raw: str) -> NamedNode:
    """A full IRI, or a prefixed name with a known prefix (``id:region/beijing``).

    >>> iri(Param("x", "iri", True, None, None, ""), "id:region/beijing").value
    'https://w3id.org/future-industries/id/region/beijing'
    """
    prefix, _, local = raw.partition(":")
    if prefix in PREFIXES and not local.startswith("//"):
        raw = PREFIXES[prefix] + local
    if len(raw) > settings.MAX_IRI_CHARS:
        raise UsageError(f"parameter {param.name!r}: IRI longer than "
                         f"{settings.MAX_IRI_CHARS} characters")
    try:
        return NamedNode(raw)
    except ValueError as exc:
        raise UsageError(f"parameter {param.name!r}: not a valid IRI {raw!r} ({exc})") from None


def _entity(param: Param, raw: str, store: Store | Queryable) -> NamedNode:
    node = NamedNode(f"{ID_BASE}{param.type}/{raw}") if SLUG.match(raw) else iri(param, raw)
    found = queryable(store).run(
        _IS_A, substitutions={Variable("x"): node, Variable("class"): CLASSES[param.type]}
    ).value
    if isinstance(found, QueryBoolean) and bool(found):
        return node
    raise UsageError(f"parameter {param.name!r}: unknown {param.type} {raw!r}" + _listing(
        param.type, store))


def _allowed_hint(param: Param, store: Store | Queryable) -> str:
    return _listing(param.type, store) if param.type in CLASSES else ""


def _listing(kind: str, store: Store | Queryable) -> str:
    values = allowed(store, kind)
    cap = settings.MAX_LISTED_VALUES
    shown = ", ".join(values[:cap])
    more = f", … and {len(values) - cap} more" if len(values) > cap else ""
    return f"; allowed: {shown}{more}" if values else "; the graph has none"


def allowed(store: Store | Queryable, kind: str) -> list[str]:
    """The values a region or sector parameter accepts: slugs (or IRIs outside id/).

    >>> allowed(Store(), "region")
    []
    """
    rows = queryable(store).run(_ALL_OF, substitutions={Variable("class"): CLASSES[kind]},
                                row_cap=settings.MAX_CHOICES).value
    assert isinstance(rows, QuerySolutions)
    base = f"{ID_BASE}{kind}/"
    out = []
    for row in rows:
        value = str(row["x"].value)
        out.append(value[len(base):] if value.startswith(base) else value)
    return out
