"""Never a relay: no query sent to `kg serve` (local build or `--backend`) makes a request
leave for a host that is not allow-listed, however SERVICE, LOAD or a vendor function is
written. A loopback listener records every connection; the guard's verdict (read with the
SPARQL grammar, kg.sparql.syntax) must agree with what the engine does: the listener is
never contacted. The engine-level check with 10,000 generated queries (pyoxigraph on the
same listener) is tests/test_sparql_syntax.py; here the same corpus goes through HTTP to
both servers, and a vendor function through a server in front of Virtuoso.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from _server import Listener, Served


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    """Counts the connections it is offered (each closed at once)."""
    with Listener(silent=False) as found:
        yield found


def hostile(url: str) -> list[str]:
    """SERVICE to the listener, written every way the walk-arounds found used."""
    host, path = url.rsplit("/", 1)
    escaped = "".join(f"\\u{ord(c):04X}" for c in "SERVICE")
    return [
        f"SELECT * {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * {{ sErViCe SILENT <{url}> {{ ?s ?p ?o }} }}",
        f"PREFIX e: <http://e/>\nSELECT * {{ OPTIONAL {{ ?s e:x\\# ?o }} SERVICE <{url}> "
        "{ ?s ?p ?o } }",
        f"PREFIX e: <http://e/>\nSELECT * {{ ?s e:a\\' ?o SERVICE <{url}> {{ ?s ?p ?o }} "
        "FILTER(?o != 'y') }",
        f"PREFIX h: <{host}/>\nSELECT * {{ SERVICE h:{path} {{ ?s ?p ?o }} }}",
        f"BASE <{host}/>\nSELECT * {{ SERVICE <{path}> {{ ?s ?p ?o }} }}",
        f"SELECT * {{ {escaped} <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * {{ # }}\n SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f'SELECT * {{ ?s ?p """}}""" . SERVICE <{url}> {{ ?s ?p ?o }} }}',
        f"SELECT * {{ VALUES ?e {{ <{url}> }} SERVICE ?e {{ ?s ?p ?o }} }}",
        f"SELECT * {{ BIND(<{url}> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
        f"SELECT * {{ {{ {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }} }}",
        f"PREFIX SILENT: <{host}/>\nSELECT * {{ SERVICE SILENT:{path} {{ }} }}",
        f"PREFIX e: <{host}/>\nSELECT * {{ ?s ?p e:a.b.SERVICE:{path} {{ }} }}",
        f'SELECT * {{ ?s ?p "\\u0022" . SERVICE <{url}> {{ }} ?s ?p "\\u0022" }}',
        f"ASK {{ SERVICE <{url}> {{ }} }}",
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"DESCRIBE ?s WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * FROM <{url}> {{ ?s ?p ?o }}",
        f"SELECT * {{ GRAPH <{url}> {{ ?s ?p ?o }} }}",
        f"LOAD <{url}>",
    ]


def ask(client: httpx.Client, query: str) -> int:
    return client.get("/sparql", params={"query": query},
                      headers={"Accept": "application/sparql-results+json"}).status_code


def test_hostile_corpus_never_reaches_the_listener(served: Served, listener: Listener) -> None:
    before = listener.contacts
    statuses = {query: ask(served.client, query) for query in hostile(listener.url)}
    assert listener.contacts == before
    harmless = {q for q in statuses if " FROM <" in q or "GRAPH <" in q}  # names, not fetches
    assert {q: s for q, s in statuses.items() if q not in harmless and s != 400} == {}
    assert all(statuses[q] == 200 for q in harmless)


FRAGMENTS = st.sampled_from([
    "SERVICE", "service", "SeRvIcE", "SILENT", "\\u0053ERVICE", "<{url}>", "e:x\\#", "e:a\\'",
    "e:sparql", "'y'", '"}"', "# }\n", "{", "}", "?s ?p ?o", ".", "OPTIONAL", "FILTER(?o != 'y')",
    "BIND(<{url}> AS ?e)", "SERVICE ?e", "{ }", "e:a.b.", ":", "\\u0022", '"""x"""', "\n",
])


@st.composite
def generated(draw: st.DrawFn) -> str:
    body = " ".join(draw(st.lists(FRAGMENTS, min_size=1, max_size=12)))
    return "PREFIX e: <{host}/>\nSELECT * { " + body + " }"


@settings(max_examples=300, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(template=generated())
def test_generated_queries_never_reach_the_listener(local_client: httpx.Client,
                                                    backend_client: httpx.Client,
                                                    listener: Listener, template: str) -> None:
    host = listener.url.rsplit("/", 1)[0]
    query = template.replace("{url}", listener.url).replace("{host}", host)
    before = listener.contacts
    statuses = [ask(client, query) for client in (local_client, backend_client)]
    assert listener.contacts == before, query
    assert all(status in (200, 400) for status in statuses), (query, statuses)


@pytest.mark.parametrize("query", [
    'SELECT (bif:http_get("{url}") AS ?x) {{}}',
    'PREFIX bif: <bif:> SELECT (bif:http_get("{url}") AS ?x) {{}}',
    'SELECT ?x {{ BIND(<bif:http_get>("{url}") AS ?x) }}',
    'SELECT * {{ ?s ?p ?o FILTER(<bif:http_get>("{url}") != "") }} LIMIT 1',
])
def test_bug_vendor_functions_on_a_backend_fetched_urls(virtuoso_client: httpx.Client,
                                                          listener: Listener,
                                                          query: str) -> None:
    """Virtuoso fetched the URL given to bif:http_get and returned its body."""
    before = listener.contacts
    r = virtuoso_client.get("/sparql", params={"query": query.format(url=listener.url)})
    assert r.status_code == 400, r.text
    assert listener.contacts == before
