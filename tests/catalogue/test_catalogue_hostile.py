"""Hostile parameter values are bound as plain values: no error, no injection, store unchanged."""

from __future__ import annotations

import hashlib

import pytest
from pyoxigraph import Literal, NamedNode, Quad, QuerySolutions, RdfFormat, Store

from kg.catalogue import Catalogue, answer
from kg.errors import UsageError
from kg.settings import MAX_STRING_CHARS
from kg.vocab import FI, RDF, RDFS

HOSTILE = [
    "'",
    '"',
    '"""',
    "'''",
    "{",
    "}",
    "} ; DROP ALL ; {",
    '") } ; DROP ALL ; { ("',
    "x\" . } INSERT DATA { <http://evil/a> <http://evil/b> <http://evil/c> } #",
    "\\",
    "\\u0022",
    "line\nbreak\r\n",
    "<http://evil/>",
    "?entity",
    "# not a comment",
    "\x00",
    "量子\"}",
    '}{"\'' * (MAX_STRING_CHARS // 4),  # very long text: exactly the cap
]
PLANTED = "} ; DROP ALL ; {"
PLANTED_IRI = NamedNode("https://w3id.org/future-industries/id/sector/planted")


@pytest.fixture()
def writable(curated_store: Store) -> Store:
    """A writable in-memory copy of the curated graph, with one label full of SPARQL syntax."""
    store = Store()
    store.load(curated_store.dump(format=RdfFormat.N_QUADS), format=RdfFormat.N_QUADS)
    graph = NamedNode("urn:test:planted")
    store.add(Quad(PLANTED_IRI, RDF.type, FI.Sector, graph))
    store.add(Quad(PLANTED_IRI, RDFS.label, Literal(PLANTED, language="en"), graph))
    return store


def literals(store: Store) -> list[str]:
    return [str(q.object.value) for q in store.quads_for_pattern(None, None, None)
            if isinstance(q.object, Literal)]


def fingerprint(store: Store) -> tuple[int, str]:
    lines = sorted((store.dump(format=RdfFormat.N_QUADS) or b"").splitlines())
    return len(lines), hashlib.sha256(b"\n".join(lines)).hexdigest()


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_search_text_is_a_plain_value(
    writable: Store, catalogue: Catalogue, text: str
) -> None:
    before = fingerprint(writable)
    result = answer(writable, "search-labels", {"text": text}, catalogue=catalogue)
    assert isinstance(result.value, QuerySolutions)
    rows = list(result.value)
    assert all(row["text"] == Literal(text) for row in rows)  # bound as one literal
    for row in rows:  # each hit really contains the text, verbatim
        assert text.lower() in str(row["matches"].value).lower()
    assert (PLANTED_IRI in {row["entity"] for row in rows}) == (text.lower() in PLANTED.lower())
    if not any(text.lower() in value.lower() for value in literals(writable)):
        assert rows == []
    assert fingerprint(writable) == before


def test_the_planted_label_is_found_verbatim(writable: Store, catalogue: Catalogue) -> None:
    result = answer(writable, "search-labels", {"text": PLANTED}, catalogue=catalogue)
    assert isinstance(result.value, QuerySolutions)
    assert [row["entity"] for row in result.value] == [PLANTED_IRI]


@pytest.mark.parametrize("name", ["region-sectors", "shared-sectors"])
@pytest.mark.parametrize("text", HOSTILE[:12], ids=range(12))
def test_hostile_region_is_refused(
    writable: Store, catalogue: Catalogue, name: str, text: str
) -> None:
    before = fingerprint(writable)
    key = "region" if name == "region-sectors" else "region1"
    with pytest.raises(UsageError, match="allowed: "):
        answer(writable, name, {key: text}, catalogue=catalogue)
    assert fingerprint(writable) == before


@pytest.mark.parametrize("text", ["2025 } ; DROP ALL ; {", "2025\"", "{2025}"])
def test_hostile_year_is_refused(writable: Store, catalogue: Catalogue, text: str) -> None:
    before = fingerprint(writable)
    with pytest.raises(UsageError, match="expected a 4-digit year"):
        answer(writable, "targets-by-year", {"year": text}, catalogue=catalogue)
    assert fingerprint(writable) == before


def test_hostile_iri_is_refused(writable: Store, catalogue: Catalogue) -> None:
    with pytest.raises(UsageError, match="not a valid IRI"):
        answer(writable, "source-quote", {"fact": "http://e/> } ; DROP ALL ; { <x"},
                   catalogue=catalogue)


def test_text_beyond_the_cap_is_refused(writable: Store, catalogue: Catalogue) -> None:
    with pytest.raises(UsageError, match=f"longer than {MAX_STRING_CHARS} characters"):
        answer(writable, "search-labels", {"text": "x" * (MAX_STRING_CHARS + 1)},
                   catalogue=catalogue)
