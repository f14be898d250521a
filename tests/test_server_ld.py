"""Linked data from `kg serve`: /id/… pages and RDF, the ontology, VoID, DCAT, dumps."""

from __future__ import annotations

import json
import re
from html import escape

import httpx
import pyoxigraph as ox
import pytest
from rdflib import Graph

from _server import Served, Server
from kg.store import Build
from kg.vocab import (
    CONTEXT_IRI,
    DATA_LICENSE,
    DCTERMS,
    FI,
    FOAF,
    GRAPH,
    ID_BASE,
    RDFS,
    SKOS,
    VOID,
    graph_for,
)

BEIJING = ID_BASE + "region/beijing"



@pytest.fixture(scope="module")
def store(curated_build: Build) -> ox.Store:
    return curated_build.open()


def triples(data: bytes, fmt: ox.RdfFormat) -> set[ox.Triple]:
    return {q.triple for q in ox.parse(data, format=fmt)}


def described(store: ox.Store, iri: str) -> set[ox.Triple]:
    node = ox.NamedNode(iri)
    quads = [*store.quads_for_pattern(node, None, None), *store.quads_for_pattern(None, None, node)]
    return {q.triple for q in quads  # neither the build's record nor the derived summaries
            if q.graph_name not in (graph_for("build"), graph_for("summaries"))}


def document(server: Server, path: str, iri: str) -> set[ox.Triple]:
    """What an entity's document says of itself: its licence and its topic."""
    doc = ox.NamedNode(server.url + path)
    return {ox.Triple(doc, DCTERMS.license, DATA_LICENSE),
            ox.Triple(doc, FOAF.primaryTopic, ox.NamedNode(iri))}


def test_entity_html_has_labels_facts_quotes_and_links(client: httpx.Client,
                                                        store: ox.Store) -> None:
    r = client.get("/id/region/beijing", headers={"Accept": "text/html"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    labels = {q.object.language: q.object.value
              for q in store.quads_for_pattern(ox.NamedNode(BEIJING), RDFS.label, None)}
    assert labels["zh"] in r.text and labels["en"] in r.text
    plans = [q.subject.value for q in store.quads_for_pattern(None, FI.forRegion,
                                                              ox.NamedNode(BEIJING))]
    assert plans and all(f'href="/id/{p[len(ID_BASE):]}"' in r.text for p in plans)
    assert re.search(r'href="/ui/static/[0-9a-f]+/style\.css"', r.text) and "<script" not in r.text


def test_plan_page_shows_source_quotes(client: httpx.Client, store: ox.Store) -> None:
    plan = next(q.subject for q in store.quads_for_pattern(None, FI.hasSectorLink, None))
    quotes = {q.object.value for link in store.quads_for_pattern(plan, FI.hasSectorLink, None)
              for q in store.quads_for_pattern(link.object, FI.sourceQuote, None)}
    r = client.get("/id/" + plan.value[len(ID_BASE):])
    assert r.status_code == 200 and quotes
    assert any(q in r.text for q in quotes)


@pytest.mark.parametrize("media", ["text/turtle", "application/n-triples", "application/rdf+xml"])
def test_entity_rdf_is_its_description(client: httpx.Client, server: Server, store: ox.Store,
                                       media: str) -> None:
    r = client.get("/id/region/beijing", headers={"Accept": media})
    assert r.status_code == 200 and r.headers["content-type"].split(";")[0] == media
    want = described(store, BEIJING) | document(server, "/id/region/beijing", BEIJING)
    assert triples(r.content, ox.RdfFormat.from_media_type(media)) == want


def test_entity_jsonld_uses_the_published_context(client: httpx.Client, server: Server,
                                                  store: ox.Store) -> None:
    """The context is named by its stable IRI under the dataset's base (not the serving
    address); it is the document /context.jsonld serves."""
    r = client.get("/id/region/beijing?format=jsonld")
    doc = r.json()
    assert doc["@context"] == CONTEXT_IRI
    doc["@context"] = client.get("/context.jsonld").json()["@context"]  # what w3id redirects to
    graph = Graph().parse(data=json.dumps(doc), format="json-ld")
    got = {q.triple for q in ox.parse(graph.serialize(format="nt").encode(),
                                      format=ox.RdfFormat.N_TRIPLES)}
    assert got == described(store, BEIJING) | document(server, "/id/region/beijing", BEIJING)


def test_unknown_entity_is_404(served: Served) -> None:
    client = served.client
    assert client.get("/id/region/atlantis").status_code == 404
    assert client.get("/id/region/atlantis", headers={"Accept": "text/turtle"}).status_code == 404
    assert client.get("/id/../../etc/passwd").status_code == 404


def test_ontology_negotiated(client: httpx.Client, store: ox.Store) -> None:
    ttl = client.get("/ontology", headers={"Accept": "text/turtle"})
    want = {q.triple for q in store.quads_for_pattern(None, None, None, graph_for("ontology"))}
    assert triples(ttl.content, ox.RdfFormat.TURTLE) == want
    html = client.get("/ontology", headers={"Accept": "text/html"})
    assert 'id="Plan"' in html.text and "fi:partOf" not in html.text.split("<main>")[0]


def test_ontology_page_shows_the_definitions(client: httpx.Client, store: ox.Store) -> None:
    """Regression: the page read rdfs:comment only, and the ontology defines with skos:definition."""
    definition = next(
        q.object for q in store.quads_for_pattern(FI.Region, SKOS.definition, None,
                                                  graph_for("ontology"))
        if isinstance(q.object, ox.Literal) and q.object.language == "en")
    html = client.get("/ontology?lang=en", headers={"Accept": "text/html"}).text
    row = html.split('id="Region"', 1)[1].split("</tr>", 1)[0]
    assert escape(definition.value) in row


def test_void_counts_match_the_store(client: httpx.Client, store: ox.Store) -> None:
    r = client.get("/.well-known/void", headers={"Accept": "application/n-triples"})
    doc = ox.Store()
    doc.extend(ox.Quad(t.subject, t.predicate, t.object)
               for t in triples(r.content, ox.RdfFormat.N_TRIPLES))
    rows = doc.query(f"""SELECT ?c ?n WHERE {{ ?d <{VOID.classPartition.value}> ?p .
        ?p <{VOID['class'].value}> ?c ; <{VOID.entities.value}> ?n }}""")
    partitions = {row["c"].value: int(row["n"].value) for row in rows}
    plans = len({q.subject for q in store.quads_for_pattern(None, ox.NamedNode(
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), FI.Plan)})
    assert partitions[FI.Plan.value] == plans > 0
    linksets = list(doc.query(f"SELECT ?l WHERE {{ ?l a <{VOID.Linkset.value}> }}"))
    assert linksets
    assert bool(doc.query(f"ASK {{ ?d <{VOID.exampleResource.value}> ?x }}"))
    distinct = len({q.triple for q in store})  # the union of the graphs
    assert f'"{distinct}"^^<http://www.w3.org/2001/XMLSchema#integer>' in r.text


def test_catalog_and_dumps(client: httpx.Client, store: ox.Store) -> None:
    cat = client.get("/catalog", headers={"Accept": "text/turtle"})
    urls = {t.object.value for t in triples(cat.content, ox.RdfFormat.TURTLE)
            if t.predicate.value == "http://www.w3.org/ns/dcat#downloadURL"}
    assert any(u.endswith("/dumps/all.nq") for u in urls)
    nq = client.get("/dumps/all.nq")
    assert nq.status_code == 200
    assert set(ox.parse(nq.content, format=ox.RdfFormat.N_QUADS)) == set(store)
    again = client.get("/dumps/all.nq", headers={"If-None-Match": nq.headers["etag"]})
    assert again.status_code == 304
    onto = client.get("/dumps/ontology.ttl")
    want = {q.triple for q in store.quads_for_pattern(None, None, None, graph_for("ontology"))}
    assert triples(onto.content, ox.RdfFormat.TURTLE) == want
    missing = client.get("/dumps/all.exe")
    assert missing.status_code == 404 and "all.nq" in missing.text


def test_context_document(client: httpx.Client) -> None:
    ctx = client.get("/context.jsonld")
    assert ctx.headers["content-type"] == "application/ld+json"
    assert json.loads(ctx.content)["@context"]["fi"] == FI.base


def test_graph_store_get(client: httpx.Client, store: ox.Store) -> None:
    r = client.get("/store", params={"graph": GRAPH.inferred.value},
                   headers={"Accept": "application/n-triples"})
    want = {q.triple for q in store.quads_for_pattern(None, None, None, GRAPH.inferred)}
    assert triples(r.content, ox.RdfFormat.N_TRIPLES) == want
    assert client.get("/store", params={"graph": "http://e/none"}).status_code == 404
