"""The data licence, CC BY 4.0 (README: "ontology and curated data CC BY 4.0"), is stated
wherever the data go out: the dataset (VoID and DCAT), each dump, each entity document (RDF
and a visible link in its page) and the question catalogue (/queries and graph/queries)."""

from __future__ import annotations

import httpx
import pyoxigraph as ox
import pytest

from _server import Server
from kg.store import Build
from kg.vocab import DATA_LICENSE, DATASET_IRI, DCAT, DCTERMS, FOAF, GRAPH, ID_BASE, SH

CC_BY = DATA_LICENSE.value
DATASET = ox.NamedNode(DATASET_IRI)


def test_the_licence_is_cc_by_4() -> None:
    assert CC_BY == "https://creativecommons.org/licenses/by/4.0/"


def graph_of(r: httpx.Response) -> set[ox.Triple]:
    assert r.status_code == 200, r.text
    return {q.triple for q in ox.parse(r.content, format=ox.RdfFormat.TURTLE)}


def test_void_and_dcat_name_the_licence_of_the_dataset(client: httpx.Client) -> None:
    turtle = {"Accept": "text/turtle"}
    for path in ("/.well-known/void", "/catalog", "/dataset"):
        got = graph_of(client.get(path, headers=turtle))
        assert ox.Triple(DATASET, DCTERMS.license, DATA_LICENSE) in got, path


def test_each_distribution_names_the_licence(client: httpx.Client) -> None:
    got = graph_of(client.get("/catalog", headers={"Accept": "text/turtle"}))
    dists = {t.object for t in got if t.subject == DATASET and t.predicate == DCAT.distribution}
    assert dists
    assert all(ox.Triple(d, DCTERMS.license, DATA_LICENSE) in got for d in dists)


@pytest.mark.parametrize("path", ["/id/region/beijing", "/division/110000", "/ontology"])
def test_entity_documents_name_their_licence(client: httpx.Client, server: Server,
                                             path: str) -> None:
    got = graph_of(client.get(path, headers={"Accept": "text/turtle"}))
    if path != "/ontology":  # the ontology states its own licence
        doc = ox.NamedNode(server.url + path)
        assert ox.Triple(doc, DCTERMS.license, DATA_LICENSE) in got
        assert any(t.subject == doc and t.predicate == FOAF.primaryTopic for t in got)
    else:
        assert any(t.predicate == DCTERMS.license and t.object == DATA_LICENSE for t in got)
    page = client.get(path, headers={"Accept": "text/html"}).text
    assert f'<a rel="license" href="{CC_BY}">CC BY 4.0</a>' in page


def test_the_question_catalogue_names_the_licence(client: httpx.Client,
                                                  curated_build: Build) -> None:
    listing = client.get("/queries").json()
    assert listing and all(q["license"] == CC_BY for q in listing)
    store = curated_build.open()
    queries = {q.subject for q in store.quads_for_pattern(None, None, SH.SPARQLExecutable,
                                                          GRAPH.queries)}
    assert queries and all(
        ox.Quad(q, DCTERMS.license, DATA_LICENSE, GRAPH.queries) in store for q in queries)
    assert all(q.value.startswith(ID_BASE + "query/") for q in queries)
