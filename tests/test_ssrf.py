"""Never a relay: no query sent to `kg serve` (local build or `--backend`) makes a request
leave for a host that is not allow-listed, however SERVICE, LOAD or a vendor function is
written. A loopback listener records every connection; the guard's verdict (read with the
SPARQL grammar, kg.sparql.syntax) must agree with what the engine does: the listener is
never contacted. The engine-level check with 10,000 generated queries (pyoxigraph on the
same listener) is tests/test_sparql_syntax.py; here the hand-written corpus and 10,000
queries from the same generator (tests/_sparql_fuzz.py) go through HTTP to both servers,
and a vendor function through a server in front of Virtuoso.
"""

from __future__ import annotations

import errno
import http.client
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode, urlsplit

import httpx
import pytest

from _server import Listener, Served, Server, children
from _sparql_fuzz import GENERATED, B, corpus
from kg.errors import QueryError
from kg.sparql.syntax import analyse
from kg.vocab import graph_for


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


# -- defence in depth: query workers without network ----------------------------------------

# Connects to 127.0.0.1:PORT, first entering the network namespace at PATH unless it is "-";
# prints "connected" or the errno of the failure.
PROBE = """
import ctypes, os, socket, sys
path, port = sys.argv[1], int(sys.argv[2])
if path != "-" and ctypes.CDLL(None, use_errno=True).setns(os.open(path, os.O_RDONLY),
                                                           0x40000000) != 0:
    sys.exit("setns: " + os.strerror(ctypes.get_errno()))
try:
    socket.create_connection(("127.0.0.1", port), timeout=10).close()
    print("connected")
except OSError as exc:
    print(exc.errno)
"""


def probe(namespace: str, port: int) -> str:
    done = subprocess.run([sys.executable, "-c", PROBE, namespace, str(port)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.mark.skipif(not sys.platform.startswith("linux") or os.geteuid() != 0,
                    reason="network namespaces: Linux; entering one to probe it: root")
def test_query_workers_have_no_network(local_server: Server, local_client: httpx.Client,
                                       listener: Listener) -> None:
    """Each query worker of a real `kg serve` is in a network namespace of its own, from
    which the loopback listener cannot be reached; from the server's own it can."""
    assert local_client.get("/health").json()["workers_network"] == "none"
    workers = [pid for child in children(local_server.proc.pid) for pid in children(child)]
    assert len(workers) >= 2  # the fork server's children
    own = os.readlink(f"/proc/{local_server.proc.pid}/ns/net")
    theirs = {os.readlink(f"/proc/{pid}/ns/net") for pid in workers}
    assert own not in theirs and len(theirs) == len(workers)
    before = listener.contacts
    assert probe("-", listener.port) == "connected"  # the probe works: a contact
    for pid in workers:
        assert probe(f"/proc/{pid}/ns/net", listener.port) == str(errno.ENETUNREACH)
    time.sleep(0.3)  # the listener's thread takes any connection still pending
    assert listener.contacts == before + 1


# -- 10,000 generated queries through both servers ------------------------------------------

CONNECTIONS = 4  # kept-alive connections per server, sending at once
# The dataset each generated query runs on: one small graph (15 triples), named in the
# request (the Protocol's dataset, honoured by both servers), so that a cartesian product of
# the generator's patterns stays cheap; SERVICE is evaluated whatever the data.
SMALL_GRAPH = graph_for("data/source").value


def send_all(url: str, queries: list[str]) -> list[int]:
    """GET /sparql for each query over :data:`CONNECTIONS` kept-alive HTTP/1.1 connections at
    once (http.client: a fraction of httpx's CPU per request); the statuses, in order."""
    parts = urlsplit(url)
    statuses = [0] * len(queries)

    def work(first: int) -> None:
        conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=120)
        try:
            for i in range(first, len(queries), CONNECTIONS):
                conn.request("GET", "/sparql?" + urlencode({
                    "query": queries[i], "default-graph-uri": SMALL_GRAPH,
                    "named-graph-uri": SMALL_GRAPH, "timeout": "5"}))
                response = conn.getresponse()
                response.read()  # the connection is reopened if the server closed it
                statuses[i] = response.status
        finally:
            conn.close()

    with ThreadPoolExecutor(CONNECTIONS) as pool:
        list(pool.map(work, range(CONNECTIONS)))
    return statuses


def targets(text: str) -> tuple[str, ...] | None:
    """What the guard reads as the query's network targets (SERVICE, LOAD); None: refused."""
    try:
        found = analyse(text)
    except QueryError:
        return None
    return found.services + found.loads


def test_generated_queries_never_reach_the_listener(local_server: Server, backend_server: Server,
                                                    listener: Listener) -> None:
    """10,000 generated queries to each server, both at once: the listener is never
    contacted, no query the guard refuses or reads a target in is answered (all 400), and
    thousands of the others are, so the engines behind did run them."""
    base = listener.url.rsplit("/", 1)[0] + "/"
    queries = [text.replace(B, base) for text in corpus()]
    assert len(queries) >= GENERATED and len(set(queries)) >= 0.99 * GENERATED
    before = listener.contacts
    with ThreadPoolExecutor(2) as pool:
        local, backend = pool.map(send_all, (local_server.url, backend_server.url),
                                  (queries, queries))
    time.sleep(0.3)  # the listener's thread takes any connection still pending
    assert listener.contacts == before
    for name, statuses in (("local", local), ("backend", backend)):
        counts = Counter(statuses)
        print(f"\n{name}: {len(statuses)} generated queries: {dict(counts)}")
        assert set(counts) <= {200, 400, 503}, counts  # 503: past the 5 s limit (none seen)
        assert counts[200] >= 2_000
    answered = [q for q, *got in zip(queries, local, backend, strict=True) if got != [400, 400]]
    assert [q for q in answered if targets(q) != ()] == []  # the guard's verdict held


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
