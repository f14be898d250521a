"""Packaged queries as examples for the SPARQL editor.

A packaged query's parameters are bound at run time with substitutions; a
person who opens one in the editor gets the same text with one ``VALUES``
line at the top of its outer ``WHERE`` block holding the defaults, so it runs
as is and shows where to change them. The API (``/queries/NAME``) remains the
way to run a packaged query with bound parameters.

>>> from kg.catalogue import Catalogue
>>> text = editor_text(Catalogue.load().get("region-sectors"))
>>> [line for line in text.splitlines() if "VALUES" in line]
['  VALUES (?region ?lang) { (<https://w3id.org/future-industries/id/region/shandong> "en") }']
"""

from __future__ import annotations

from typing import Any

from pyoxigraph import Literal, NamedNode

from kg.catalogue import Catalogue, Param, StoredQuery
from kg.catalogue.values import iri
from kg.sparql.syntax import tokenize
from kg.vocab import ID_BASE, XSD


def default_term(param: Param, lang: str | None = None) -> NamedNode | Literal | None:
    """The RDF term of a parameter's default (None without one); a language parameter takes
    ``lang`` (the page's language) when given.

    >>> default_term(Param("y", "year", False, "2025", None, ""))
    <Literal value=2025 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#gYear>>
    """
    value = lang if param.type == "lang" and lang else param.default
    if value is None:
        return None
    if param.type in ("region", "sector"):
        return NamedNode(f"{ID_BASE}{param.type}/{value}") if "/" not in value else NamedNode(value)
    if param.type == "year":
        return Literal(value, datatype=XSD.gYear)
    if param.type == "integer":
        return Literal(int(value))
    if param.type == "iri":
        return iri(param, value)
    return Literal(value)


def editor_text(query: StoredQuery, lang: str | None = None) -> str:
    """The query's text with its defaults in a VALUES line (labels in ``lang`` when given),
    under a comment naming it."""
    bound = [(p.name, default_term(p, lang)) for p in query.params]
    pairs = [(name, term) for name, term in bound if term is not None]
    head = f"# {query.title['en']} · {query.title['zh']}\n# /queries/{query.name}\n"
    at = _where_group(query.text)
    if not pairs or at is None:
        return head + query.text
    names = " ".join(f"?{name}" for name, _ in pairs)
    values = " ".join(str(term) for _, term in pairs)
    line = f"\n  VALUES ({names}) {{ ({values}) }}"
    return head + query.text[:at] + line + query.text[at:]


def _where_group(text: str) -> int | None:
    """Just after the ``{`` that opens the outermost ``WHERE`` group (read with the grammar)."""
    tokens = tokenize(text)
    for i, tok in enumerate(tokens[:-1]):
        if tok.sym == "WHERE" and tokens[i + 1].sym == "{":
            return tokens[i + 1].end
    return None


def examples(catalogue: Catalogue, lang: str | None = None) -> list[dict[str, Any]]:
    """Every packaged query the editor can run, as an example: name, titles, view, text
    (labels in ``lang``, the page's language, when given).

    Federated questions are left out: ``/sparql`` never follows SERVICE (their
    question pages run them, through the server's allow-list).

    >>> found = examples(Catalogue.load())
    >>> sorted(found[0]), found[0]["text"].startswith("# ")
    (['name', 'text', 'title', 'view'], True)
    >>> [e for e in found if "SERVICE" in e["text"].upper()]
    []
    """
    out = []
    for name in catalogue.names():
        query = catalogue.get(name)
        if query.federated:
            continue
        out.append({"name": name, "title": query.title, "view": query.view,
                    "text": editor_text(query, lang)})
    return out
