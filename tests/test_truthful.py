"""The descriptions say what is true: no federated-query feature (/sparql refuses SERVICE),
W3C's JSON-LD format IRI, expanded JSON-LD when asked for, each example resource once, a
stable context IRI, Turtle with the prefixes it uses and no escaped names; and browsers
get pages, not downloads, from /sparql, /.well-known/void and /catalog."""

from __future__ import annotations

import re

import httpx
import pyoxigraph as ox
import pytest

from _linking import canonical
from kg.rdf import formats
from kg.vocab import CONTEXT_IRI, SD, VOID

CHROMIUM = ("text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
            "image/apng,*/*;q=0.8")
EXPANDED = 'application/ld+json;profile="http://www.w3.org/ns/json-ld#expanded"'
W3C_JSONLD = "http://www.w3.org/ns/formats/JSON-LD"


def turtle(client: httpx.Client, path: str) -> list[ox.Triple]:
    r = client.get(path, headers={"Accept": "text/turtle"})
    assert r.status_code == 200, r.text
    return [q.triple for q in ox.parse(r.content, format=ox.RdfFormat.TURTLE)]


def test_no_federated_query_is_claimed(client: httpx.Client) -> None:
    features = {t.object.value for t in turtle(client, "/sparql") if t.predicate == SD.feature}
    assert SD.BasicFederatedQuery.value not in features
    r = client.get("/sparql", params={"query": "SELECT * { SERVICE <http://e/s> { ?s ?p ?o } }"})
    assert r.status_code == 400  # what the description no longer contradicts


def test_format_iris_are_w3c_ones(client: httpx.Client) -> None:
    results = {t.object.value for t in turtle(client, "/sparql") if t.predicate == SD.resultFormat}
    assert W3C_JSONLD in results and not [f for f in results if "/formats/data/" in f]
    # what /sparql really answers a CONSTRUCT in, and no dataset format
    assert "http://www.w3.org/ns/formats/N-Quads" not in results
    fmts = {t.object.value for t in turtle(client, "/catalog")
            if t.predicate.value == "http://purl.org/dc/terms/format"}
    assert W3C_JSONLD in fmts and all(f.startswith("http://www.w3.org/ns/formats/") for f in fmts)
    assert formats.format_iri(ox.RdfFormat.JSON_LD) == W3C_JSONLD


@pytest.mark.parametrize("path", ["/id/region/beijing", "/ontology", "/graph/links",
                                  "/catalog", "/.well-known/void"])
def test_expanded_json_ld_when_asked(client: httpx.Client, path: str) -> None:
    r = client.get(path, headers={"Accept": EXPANDED})
    assert r.status_code == 200
    assert r.headers["content-type"] == formats.JSONLD_EXPANDED
    doc = r.json()
    assert isinstance(doc, list) and "@context" not in r.text  # expanded: no context at all
    compact = client.get(path, headers={"Accept": "application/ld+json"})
    assert compact.json()["@context"] == CONTEXT_IRI
    got = canonical(ox.parse(r.content, format=ox.RdfFormat.JSON_LD))
    want = canonical(ox.parse(client.get(path, params={"format": "nt"}).content,
                              format=ox.RdfFormat.N_TRIPLES))
    assert got == want


def test_void_names_each_example_resource_once(client: httpx.Client) -> None:
    r = client.get("/.well-known/void", headers={"Accept": "application/n-triples"})
    examples = [line for line in r.text.splitlines() if VOID.exampleResource.value in line]
    assert examples and len(examples) == len(set(examples))
    text = client.get("/.well-known/void", headers={"Accept": "text/turtle"}).text
    block = text.split("void:exampleResource", 1)[1].split(";", 1)[0]
    names = re.findall(r"<([^>]+)>", block)
    assert names and len(names) == len(set(names))


def test_entity_turtle_declares_only_the_prefixes_it_uses(client: httpx.Client) -> None:
    text = client.get("/id/region/shandong", headers={"Accept": "text/turtle"}).text
    assert "\\/" not in text  # no id:region\/shandong
    assert "<https://w3id.org/future-industries/id/region/shandong>" in text
    declared = re.findall(r"^@prefix (\w+): ", text, re.M)
    body = "\n".join(line for line in text.splitlines() if not line.startswith("@prefix"))
    used = {p for p in declared if re.search(rf"(?<![\w<\"/]){p}:", body)}
    assert declared and set(declared) == used
    assert "@prefix unit:" not in text and "@prefix sh:" not in text


@pytest.mark.parametrize(("path", "also"), [("/sparql", "/ui/sparql"),
                                            ("/.well-known/void", "/catalog"),
                                            ("/catalog", "/dumps/")])
def test_browsers_get_a_page_with_links_to_the_machine_formats(client: httpx.Client,
                                                               path: str, also: str) -> None:
    r = client.get(path, headers={"Accept": CHROMIUM})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert f'<a href="{also}">' in r.text
    for ext in ("ttl", "jsonld", "nt", "rdf"):
        assert f'href="{path}?format={ext}"' in r.text
        machine = client.get(f"{path}?format={ext}", headers={"Accept": CHROMIUM})
        assert machine.status_code == 200 and not machine.headers["content-type"].startswith(
            "text/html")
    assert client.get(path, headers={"Accept": "text/html"}).status_code == 200
    # a client that asks for nothing in particular still gets RDF
    assert client.get(path, headers={"Accept": "*/*"}).headers["content-type"].startswith(
        "text/turtle")
