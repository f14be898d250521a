"""Hypothesis-generated SPARQL at the real endpoint: always a 2xx or a 4xx with a message.

Mutations of valid queries (characters and SPARQL tokens deleted, inserted,
duplicated), deep nesting, long operator chains, huge literals and odd Unicode
go to /sparql by GET and POST. Every answer must be 2xx, or 4xx with a plain
reason; never a 5xx (the one exception, 503 "time limit", only for a request
that set its own limit), and the server must still answer /health with all its
workers afterwards, none of them having died.

The regression tests at the end are the bugs this fuzzing found.
"""

from __future__ import annotations

import multiprocessing
import os

import httpx
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from _server import Server, wait_for_workers
from kg import settings as kg_settings
from kg.catalogue import Catalogue
from kg.engine import tasks, worker
from kg.engine.backend import LocalBackend
from kg.engine.job import Job, Reply
from kg.sparql.syntax import analyse
from kg.store import Build

EXAMPLES = int(os.environ.get("KG_FUZZ_EXAMPLES", "12"))
FI = "https://w3id.org/future-industries/ontology#"
BASE = [
    "SELECT * WHERE { ?s ?p ?o } LIMIT 10",
    f"ASK {{ ?r a <{FI}Region> }}",
    f"PREFIX fi: <{FI}> SELECT ?r (COUNT(?p) AS ?n) WHERE {{ ?p fi:forRegion ?r }} "
    "GROUP BY ?r ORDER BY DESC(?n)",
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> SELECT ?x ?l WHERE { "
    '?x rdfs:label ?l FILTER(CONTAINS(STR(?l), "量子") && LANG(?l) = "zh") } LIMIT 20',
    "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 5",
    "DESCRIBE <https://w3id.org/future-industries/id/region/beijing>",
    "SELECT * WHERE { VALUES ?x { 1 2 3 } BIND(?x * 2 AS ?y) FILTER(?y > 2) }",
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> SELECT ?s ?b WHERE { "
    "?s skos:broader+ ?b OPTIONAL { ?b skos:prefLabel ?l } } LIMIT 50",
    'SELECT ?x WHERE { { BIND("a" AS ?x) } UNION { BIND("b"@en AS ?x) } MINUS { BIND(1 AS ?x) } }',
    'SELECT (STRLEN("""多行\n文本""") AS ?n) (LCASE(\'ÀB\') AS ?l) WHERE {}',
]
TOKENS = ["{", "}", "(", ")", ".", ";", ",", "?x", "$y", "<", ">", '"', "'", '"""', "#", "\\",
          "SELECT", "WHERE", "FILTER", "OPTIONAL", "UNION", "MINUS", "GRAPH", "VALUES", "BIND",
          "AS", "*", "!", "||", "&&", "^^", "@zh", " a ", "LIMIT 1", "ORDER BY", "GROUP BY",
          "SERVICE <http://127.0.0.1:9/sparql>", "PREFIX : <x:>", "\x00", "\u202e", "\ufeff",
          "\u200b", "𝔘", "量子", "\ud7ff", "%", "\r\n", "\t", "e\u0301", "\U0010fffd"]
UNICODE = st.characters(exclude_categories=("Cs",))  # any code point UTF-8 can carry
QUICK = ["!", "||", "+", "UNION", "FILTER", "|"]  # operators whose long chains run fast


@st.composite
def mutated(draw: st.DrawFn) -> str:
    """A valid query with a few random edits."""
    query = draw(st.sampled_from(BASE))
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(query)))
        j = draw(st.integers(i, min(len(query), i + 24)))
        edit = draw(st.sampled_from(["delete", "insert", "duplicate", "replace"]))
        piece = draw(st.one_of(st.sampled_from(TOKENS), st.text(UNICODE, max_size=12)))
        query = {"delete": query[:i] + query[j:], "insert": query[:i] + piece + query[i:],
                 "duplicate": query[:j] + query[i:j] + query[j:],
                 "replace": query[:i] + piece + query[j:]}[edit]
    return query


@st.composite
def deep(draw: st.DrawFn) -> str:
    """Nested groups, parentheses or subqueries, from shallow to far past the limit."""
    n = draw(st.integers(1, 6000))
    kind = draw(st.sampled_from(["group", "paren", "mixed", "subquery"]))
    if kind == "group":
        return "SELECT * " + "{" * n + " ?s ?p ?o " + "}" * n
    if kind == "paren":
        return "SELECT (" + "(" * n + "1" + ")" * n + " AS ?x) {}"
    if kind == "mixed":
        return "ASK { FILTER(" + "(!" * n + "true" + ")" * n + ") }"
    return "SELECT * " + "{ SELECT * " * n + "{ ?s ?p ?o }" + " }" * n


@st.composite
def chain(draw: st.DrawFn) -> str:
    """A long chain of one operator, below and above the guard's limit."""
    n = draw(st.integers(2, 3 * kg_settings.MAX_OPERATORS))
    op = draw(st.sampled_from(QUICK))
    if op == "!":
        return "ASK { FILTER(" + "!" * n + "true) }"
    if op in ("||", "+"):
        return "SELECT (" + op.join(["1"] * n) + " AS ?x) {}"
    if op == "UNION":
        return "SELECT * {" + " UNION ".join(["{ BIND(1 AS ?x) }"] * n) + "}"
    if op == "FILTER":
        return "ASK { " + " ".join(["FILTER(true)"] * n) + " }"
    return "ASK { ?s " + "|".join(["<http://e/p>"] * n) + " ?o }"


@st.composite
def huge(draw: st.DrawFn) -> str:
    """A literal from a few characters to past the size limit."""
    size = draw(st.sampled_from([10, 5_000, 60_000, kg_settings.MAX_QUERY_CHARS - 100,
                                 kg_settings.MAX_QUERY_CHARS + 10, 400_000]))
    char = draw(st.sampled_from(["x", "量", "𝔘", "\u202e", "\\n", "\u0301", "\x00"]))
    return 'SELECT (STRLEN("' + char * (size // len(char)) + '") AS ?n) {}'


def _ok(r: httpx.Response, query: str) -> None:
    assert r.status_code < 500, (r.status_code, r.text[:300], query[:300])
    if r.status_code >= 400:
        assert r.headers["content-type"].startswith("text/plain"), r.headers
        assert len(r.text.strip()) > 10, r.text  # a reason, not an empty page


def _send(client: httpx.Client, query: str, how: str) -> httpx.Response:
    if how == "get" and len(query) < 8_000:
        return client.get("/sparql", params={"query": query})
    if how == "form":
        return client.post("/sparql", data={"query": query})
    return client.post("/sparql", content=query.encode("utf-8"),
                       headers={"Content-Type": "application/sparql-query"})


FUZZ = settings(max_examples=EXAMPLES * 5, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.mark.slow
@FUZZ
@given(query=st.one_of(mutated(), deep(), chain(), huge()),
       how=st.sampled_from(["get", "post", "form"]))
def test_generated_sparql_gets_2xx_or_4xx(client: httpx.Client, query: str, how: str) -> None:
    r = _send(client, query, how)
    event(f"status {r.status_code}")  # --hypothesis-show-statistics: how many got through
    _ok(r, query)
    assert client.get("/health").status_code == 200


def test_server_survives_the_fuzzing(server: Server, client: httpx.Client) -> None:
    """After the fuzzing (same module, same server): alive, with all its workers."""
    assert server.proc.poll() is None
    health = wait_for_workers(client)  # a retired worker is replaced in the background
    assert health["status"] == "ok" and health["workers"] == 2
    assert "worker process died" not in server.log.read_text()


@pytest.mark.parametrize("query", [
    "ASK { FILTER(" + "!" * 30_000 + "true) }",
    "SELECT * { ?s ?p ?o " + " ".join(["MINUS { ?s ?p ?o }"] * 2_900) + " }",
    "SELECT (" + "+".join(["1"] * 9_000) + " AS ?x) {}",
    "ASK { ?s " + "/".join(["<http://e/p>"] * 7_000) + " ?o }",
])
def test_bug_operator_chains_killed_the_worker(client: httpx.Client, query: str) -> None:
    """Long operator chains passed the nesting guard and overflowed pyoxigraph's stack: the
    worker died (500 "the worker process died"). Now: 400 naming the limit."""
    before = client.get("/health").json()["workers_replaced"]
    r = client.post("/sparql", content=query.encode(),
                    headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 400 and "operators" in r.text
    assert client.get("/health").json()["workers_replaced"] == before


def _deep_task(backend: LocalBackend, _args: dict, _state: object) -> Reply:
    """A tree deep enough to overflow an 8 MB stack, past the guard (which it bypasses)."""
    deep = ("SELECT * " + "{" * 190 + "?s <http://e/none> ?o "
            + " ".join(["MINUS { ?s ?p ?o }"] * 3_000) + "}" * 190)
    list(backend.store.query(deep))  # type: ignore[arg-type]
    return Reply(data="survived")


def test_bug_worker_stack_too_small_for_deep_trees(curated_build: Build,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers ran queries on the main thread's 8 MB stack; they now run on a thread with
    settings.STACK_BYTES, so a tree the guard misses does not kill them."""
    monkeypatch.setitem(tasks.TASKS, "deep", tasks.Task(_deep_task))
    ctx = multiprocessing.get_context("fork")  # the child sees the patched task table
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=worker.serve, args=(child, False), daemon=True)
    proc.start()
    try:
        assert parent.poll(120) and parent.recv() in (True, False)  # its first word (network?)
        parent.send(Job("deep", str(curated_build.path), 0))
        assert parent.poll(120), "no reply"
        reply = parent.recv()
        assert reply.data == "survived", reply
    finally:
        parent.close()
        proc.join(10)
        if proc.is_alive():
            proc.kill()


@pytest.mark.parametrize(("body", "kind"), [
    (b'ASK { FILTER("caf\xe9" != "") }', "application/sparql-query"),
    (b"query=ASK%20%7B%20FILTER(%22%FF%22)%20%7D", "application/x-www-form-urlencoded"),
    (b"ASK {} # \xff\xfe", "application/sparql-query"),
])
def test_bug_non_utf8_bodies_were_read_with_replacement(client: httpx.Client, body: bytes,
                                                         kind: str) -> None:
    """Bodies were decoded with replacement characters, so another query ran (200)."""
    r = client.post("/sparql", content=body, headers={"Content-Type": kind})
    assert r.status_code == 400 and "UTF-8" in r.text


@pytest.mark.parametrize("url", ["/sparql?query=ASK%20%7B%20FILTER(%22%FF%22)%7D",
                                 "/queries/search-labels?text=caf%E9",
                                 "/id/region/beijing?format=tt%C0"])
def test_bug_non_utf8_query_strings_were_read_with_replacement(client: httpx.Client,
                                                               url: str) -> None:
    r = client.get(url)
    assert r.status_code == 400 and "UTF-8" in r.text


def test_query_limits_do_not_refuse_the_curated_questions() -> None:
    """The guard's operator cap (a fix above) stays far above what real questions use."""
    cat = Catalogue.load()
    used = max(analyse(cat.get(name).text).operators for name in cat.names())
    assert 0 < used < kg_settings.MAX_OPERATORS / 5
