"""The SPARQL 1.1 Protocol of `kg serve`: forms of request, negotiation, errors, caching."""

from __future__ import annotations

import csv
import io
import json
import re

import httpx
import pyoxigraph as ox
import pytest

from _server import CORS_ORIGIN, Served, Server, select, wait_for_workers
from kg import settings, sparql
from kg.store import Build

ORIGIN = CORS_ORIGIN  # allowed by the session's local server (tests/conftest.py)
PLANS = """PREFIX fi: <https://w3id.org/future-industries/ontology#>
SELECT ?plan ?region WHERE { ?plan a fi:Plan ; fi:forRegion ?region }"""
CONSTRUCT = """PREFIX fi: <https://w3id.org/future-industries/ontology#>
CONSTRUCT { ?plan fi:forRegion ?region } WHERE { ?plan fi:forRegion ?region }"""
# every triple twice: longer than the row cap
TOO_MANY = "SELECT * WHERE { ?s ?p ?o VALUES ?copy { 1 2 } }"
GRAPH = "https://w3id.org/future-industries/graph/"
LINKS, ONTOLOGY = GRAPH + "links", GRAPH + "ontology"


def triples(data: bytes, fmt: ox.RdfFormat) -> set[ox.Triple]:
    return {q.triple for q in ox.parse(data, format=fmt)}


def expected_rows(build: Build, query: str) -> set[tuple[str, ...]]:
    result = sparql.run(build.open(), query)
    assert isinstance(result.value, ox.QuerySolutions)
    names = [v.value for v in result.value.variables]
    return {tuple(row[n].value for n in names) for row in result.value}


def test_get_post_form_and_post_body_agree(client: httpx.Client, curated_build: Build) -> None:
    want = expected_rows(curated_build, PLANS)
    assert len(want) > 5
    get = client.get("/sparql", params={"query": PLANS})
    form = client.post("/sparql", data={"query": PLANS})
    body = client.post("/query", content=PLANS.encode(),
                       headers={"Content-Type": "application/sparql-query"})
    for r in (get, form, body):
        assert r.status_code == 200, r.text
        assert r.headers["content-type"] == "application/sparql-results+json"
        rows = {(b["plan"]["value"], b["region"]["value"]) for b in r.json()["results"]["bindings"]}
        assert rows == want
        assert r.headers["x-kg-build"] == curated_build.id


@pytest.mark.parametrize(("accept", "media"), [
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv; charset=utf-8"),
    ("text/tab-separated-values", "text/tab-separated-values; charset=utf-8"),
    ("application/json", "application/sparql-results+json"),
])
def test_select_negotiation(client: httpx.Client, curated_build: Build, accept: str,
                            media: str) -> None:
    r = client.get("/sparql", params={"query": PLANS}, headers={"Accept": accept})
    assert r.status_code == 200
    assert r.headers["content-type"] == media
    if media.startswith("text/csv"):  # lossy: pyoxigraph does not read it back
        rows = {tuple(row) for row in list(csv.reader(io.StringIO(r.text)))[1:]}
    else:
        fmt = ox.QueryResultsFormat.from_media_type(media)
        parsed = ox.parse_query_results(r.content, format=fmt)
        assert isinstance(parsed, ox.QuerySolutions)
        rows = {(row["plan"].value, row["region"].value) for row in parsed}
    assert rows == expected_rows(curated_build, PLANS)


def test_csv_by_format_parameter(client: httpx.Client) -> None:
    r = client.get("/sparql", params={"query": PLANS, "format": "csv"})
    assert r.headers["content-type"].startswith("text/csv")
    assert next(csv.reader(io.StringIO(r.text))) == ["plan", "region"]


def test_ask(client: httpx.Client) -> None:
    r = client.get("/sparql", params={"query": "ASK { ?s a ?c }"},
                   headers={"Accept": "application/sparql-results+xml"})
    assert r.status_code == 200 and "<boolean>true</boolean>" in r.text


@pytest.mark.parametrize("media", ["text/turtle", "application/n-triples", "application/rdf+xml",
                                   "application/ld+json"])
def test_construct_negotiation(client: httpx.Client, curated_build: Build, media: str) -> None:
    r = client.get("/sparql", params={"query": CONSTRUCT}, headers={"Accept": media})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == media
    want = set(ox.Store.read_only(str(curated_build.path / "store")).query(
        CONSTRUCT, use_default_graph_as_union=True))
    if media == "application/ld+json":
        doc = json.loads(r.content)
        doc["@context"] = client.get("/context.jsonld").json()["@context"]
        got = triples(json.dumps(doc).encode(), ox.RdfFormat.JSON_LD)
    else:
        got = triples(r.content, ox.RdfFormat.from_media_type(media))
    assert got == want and len(got) > 5


def test_dataset_parameters(client: httpx.Client) -> None:
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    ontology = "https://w3id.org/future-industries/graph/ontology"
    union = int(select(client, query)[0]["n"])
    only = int(select(client, query, **{"default-graph-uri": ontology})[0]["n"])
    assert 0 < only < union
    named = select(client, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
                   **{"named-graph-uri": ontology})
    assert named == [{"g": ontology}]


def test_service_description(client: httpx.Client) -> None:
    r = client.get("/sparql", headers={"Accept": "application/n-triples"})
    assert r.status_code == 200
    sd_triples = triples(r.content, ox.RdfFormat.N_TRIPLES)
    sd = "http://www.w3.org/ns/sparql-service-description#"
    assert ox.Triple(ox.NamedNode(str(r.url).split("?")[0]), ox.NamedNode(sd + "endpoint"),
                     ox.NamedNode(str(r.url).split("?")[0])) in sd_triples
    results = {t.object.value for t in sd_triples if t.predicate.value == sd + "resultFormat"}
    assert "http://www.w3.org/ns/formats/SPARQL_Results_JSON" in results
    languages = {t.object.value for t in sd_triples
                 if t.predicate.value == sd + "supportedLanguage"}
    assert languages == {sd + "SPARQL11Query"}  # read-only: no update


def test_syntax_error_is_400_with_parser_message(served: Served) -> None:
    """Regression (backend): a malformed query came back as 502, as if the backend had failed."""
    r = served.client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p }"})
    assert r.status_code == 400 and r.headers["x-kg-build"] == served.build
    # read with the grammar before it runs (kg.sparql.syntax), on either server
    assert "line 1, column 24" in r.text and "remote SPARQL endpoint failed" not in r.text


@pytest.mark.parametrize(("method", "kwargs", "status"), [
    ("PUT", {"params": {"query": "ASK {}"}}, 405),
    ("DELETE", {}, 405),
    ("GET", {"params": {"query": "ASK {}"}, "headers": {"Accept": "image/png"}}, 406),
    ("POST", {"content": b"ASK {}", "headers": {"Content-Type": "text/plain"}}, 415),
    ("POST", {"content": b"query=" + b"x" * 1_100_000,
              "headers": {"Content-Type": "application/x-www-form-urlencoded"}}, 413),
    ("GET", {"params": {"query": "ASK {}", "format": "png"}}, 400),
    ("GET", {"params": {"query": "ASK {}", "timeout": "soon"}}, 400),
    ("GET", {"params": {"update": "CLEAR ALL"}}, 405),
    ("POST", {"data": {"update": "CLEAR ALL"}}, 403),
])
def test_error_statuses(client: httpx.Client, method: str, kwargs: dict, status: int) -> None:
    r = client.request(method, "/sparql", **kwargs)
    assert r.status_code == status, r.text


def test_row_cap_sets_truncated(served: Served) -> None:
    """The default row cap cuts a longer answer and says so (the backend server asks its
    backend for no more); shorter answers come whole."""
    r = served.client.get("/sparql", params={"query": TOO_MANY},
                          headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200 and r.headers.get("x-kg-truncated") == "true"
    assert len(r.json()["results"]["bindings"]) == settings.DEFAULT_ROW_CAP
    for query in ("SELECT * WHERE { ?s ?p ?o } LIMIT 3",
                  "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"):
        small = served.client.get("/sparql", params={"query": query})
        assert small.status_code == 200 and "x-kg-truncated" not in small.headers


def test_etag_and_304(client: httpx.Client, curated_build: Build) -> None:
    first = client.get("/sparql", params={"query": PLANS})
    etag = first.headers["etag"]
    assert curated_build.id in etag
    again = client.get("/sparql", params={"query": PLANS}, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["x-kg-build"] == curated_build.id
    other = client.get("/sparql", params={"query": PLANS, "format": "csv"},
                       headers={"If-None-Match": etag})
    assert other.status_code == 200 and other.headers["etag"] != etag


def test_cors_allow_list(client: httpx.Client) -> None:
    allowed = client.get("/sparql", params={"query": "ASK {}"}, headers={"Origin": ORIGIN})
    assert allowed.headers["access-control-allow-origin"] == ORIGIN
    exposed = allowed.headers["access-control-expose-headers"]
    assert "X-KG-Build" in exposed and "Link" in exposed  # Link: a page's next page
    other = client.get("/sparql", params={"query": "ASK {}"},
                       headers={"Origin": "http://elsewhere.example"})
    assert "access-control-allow-origin" not in other.headers


def test_health(client: httpx.Client, curated_build: Build) -> None:
    data = wait_for_workers(client)  # the session's server: an earlier test may retire one
    assert data["build"] == curated_build.id and data["uptime_s"] > 0 and data["workers"] == 2


def count(client: httpx.Client, dataset: str = "", **params: str) -> int:
    """COUNT(*) of ?s ?p ?o with these dataset clauses and protocol parameters."""
    query = f"SELECT (COUNT(*) AS ?n) {dataset} WHERE {{ ?s ?p ?o }}"
    return int(select(client, query, **params)[0]["n"])


def test_from_and_from_named_make_the_dataset(served: Served) -> None:
    """Regression: FROM was ignored on /sparql (the query read the union of all graphs) and
    FROM NAMED alone left the union as the default graph. The request's default-graph-uri /
    named-graph-uri override both; without either, the union stays the default."""
    client = served.client
    union, links = count(client), count(client, **{"default-graph-uri": LINKS})
    assert 0 < links < union
    assert count(client, f"FROM <{LINKS}>") == links
    assert count(client, f"FROM <{ONTOLOGY}>", **{"default-graph-uri": LINKS}) == links
    assert count(client, f"FROM NAMED <{LINKS}>") == 0  # an empty default graph
    named = f"SELECT DISTINCT ?g FROM NAMED <{LINKS}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    assert select(client, named) == [{"g": LINKS}]
    assert select(client, named, **{"named-graph-uri": ONTOLOGY}) == [{"g": ONTOLOGY}]


def test_relative_iris_resolve_against_the_endpoint(server: Server, client: httpx.Client) -> None:
    """Regression: a relative IRI was a 400; the base is the URL the query was sent to."""
    accept = {"Accept": "application/n-triples"}
    for path in ("/sparql", "/query"):
        r = client.post(path, data={"query": "CONSTRUCT { <s> <p> <o> } WHERE {}"},
                        headers=accept)
        assert r.status_code == 200, r.text
        assert triples(r.content, ox.RdfFormat.N_TRIPLES) == {
            ox.Triple(*(ox.NamedNode(f"{server.url}/{name}") for name in "spo"))}
    r = client.get("/sparql", params={"query": f'ASK {{ FILTER(STR(<x>) = "{server.url}/x") }}'})
    assert r.status_code == 200 and r.json()["boolean"] is True


@pytest.mark.parametrize(("formats", "media"), [
    (["tsv", "text/tab-separated-values"], "text/tab-separated-values; charset=utf-8"),
    (["json", "application/sparql-results+json", ""], "application/sparql-results+json"),
    (["xml", "application/sparql-results+xml"], "application/sparql-results+xml"),
])
def test_repeated_format_that_agrees(client: httpx.Client, formats: list[str],
                                     media: str) -> None:
    """Regression: any repeated format= was a 400, which broke SPARQLWrapper (it sends
    format=tsv&format=text/tab-separated-values)."""
    r = client.get("/sparql", params=[("query", "ASK {}"), *(("format", f) for f in formats)])
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == media


def test_repeated_format_that_disagrees(client: httpx.Client) -> None:
    r = client.get("/sparql", params=[("query", "ASK {}"), ("format", "tsv"),
                                      ("format", "json")])
    assert r.status_code == 400 and "'tsv'" in r.text and "'json'" in r.text


@pytest.mark.parametrize(("method", "url", "kwargs"), [
    # a form with both operations (with the token, the update used to run: 204)
    ("POST", "/sparql", {"data": {"query": "ASK {}", "update": "CLEAR SILENT GRAPH <http://e/n>"}}),
    # a dataset but no query: not the service description
    ("GET", "/sparql?default-graph-uri=http%3A%2F%2Fe%2Fg", {}),
    ("GET", "/sparql?named-graph-uri=http%3A%2F%2Fe%2Fg&format=ttl", {}),
    # a direct POST is the query; one in the URL as well is a second one
    ("POST", "/sparql?query=ASK%7B%7D",
     {"content": b"ASK {}", "headers": {"Content-Type": "application/sparql-query"}}),
    ("POST", "/sparql?update=CLEAR%20ALL",
     {"content": b"ASK {}", "headers": {"Content-Type": "application/sparql-query"}}),
])
def test_ambiguous_requests_are_400(client: httpx.Client, method: str, url: str,
                                    kwargs: dict) -> None:
    """Regression: each of these was answered (200, or 403 before running the update)."""
    r = client.request(method, url, **kwargs)
    assert r.status_code == 400, r.text


def test_service_description_only_without_parameters(client: httpx.Client) -> None:
    for params in ({}, {"format": "nt"}):
        r = client.get("/sparql", params=params, headers={"Accept": "text/turtle"})
        assert r.status_code == 200 and "sparql-service-description" in r.text


@pytest.mark.parametrize("send", ["get", "form", "body"])
def test_syntax_error_position_is_the_senders(client: httpx.Client, send: str) -> None:
    """The text goes to the parser exactly as sent (nothing prepended, the base given
    apart), so the position an error names is in the client's own text."""
    for text, line, column in (("SELECT *\nWHERE { ?s ?p ?o . FILTER(?o = ) }", 2, 32),
                               ("PREFIX e: <http://e/>\nSELECT *\nWHERE { ?s e:p }", 3, 16)):
        r = {"get": lambda t: client.get("/sparql", params={"query": t}),
             "form": lambda t: client.post("/sparql", data={"query": t}),
             "body": lambda t: client.post("/sparql", content=t.encode(), headers={
                 "Content-Type": "application/sparql-query"})}[send](text)
        assert r.status_code == 400
        assert re.search(rf"\b(line {line}, column {column}|{line}:{column})\b", r.text), r.text


@pytest.mark.parametrize("charset", ["UTF-16", "latin1"])
def test_body_charset_other_than_utf8(client: httpx.Client, charset: str) -> None:
    r = client.post("/sparql", content="ASK {}".encode(charset.replace("latin1", "latin-1")),
                    headers={"Content-Type": f"application/sparql-query; charset={charset}"})
    assert r.status_code == 415 and "UTF-8" in r.text
