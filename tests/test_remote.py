"""Remote endpoints: push over the Graph Store Protocol, query, run the catalogue remotely."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import Literal, Store, Variable

from _linking import canonical
from _server import closed_port_url, oxigraph_server, silent_server
from kg import sparql
from kg.catalogue import answer, default_catalogue
from kg.cli import main
from kg.errors import QueryError, RemoteError, UsageError
from kg.remote import endpoint as remote
from kg.remote.push import push
from kg.sparql.syntax import substitute
from kg.store import Build

COUNT = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


@pytest.fixture(scope="module")
def local(curated_build: Build) -> Store:
    return curated_build.open()


def _counts(result: sparql.Result) -> dict[str, int]:
    return {r["g"].value: int(r["n"].value) for r in result.value}  # type: ignore[union-attr]


def test_push_copies_every_graph(local: Store, oxigraph_backend: str) -> None:
    remote_counts = _counts(remote.RemoteEndpoint(oxigraph_backend + "/query").run(COUNT))
    assert remote_counts == _counts(sparql.Result("select", local.query(COUNT)))


def test_push_again_replaces_graphs(local: Store, oxigraph_backend: str) -> None:
    push(local, oxigraph_backend + "/store")
    remote_counts = _counts(remote.RemoteEndpoint(oxigraph_backend + "/query").run(COUNT))
    assert sum(remote_counts.values()) == len(local)


def test_construct_comes_back_as_a_graph(local: Store, oxigraph_backend: str) -> None:
    query = ("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <https://w3id.org/future-industries/graph/"
             "links> { ?s ?p ?o } }")
    result = remote.RemoteEndpoint(oxigraph_backend + "/query").run(query)
    assert result.kind == "graph"
    assert canonical(result.value) == canonical(local.query(query))  # type: ignore[arg-type]


@pytest.mark.parametrize("name,params", [
    ("region-sectors", {"region": "shandong"}),
    ("regions-map", {"lang": "zh"}),
    ("wikidata-links", {}),
    ("plans-timeline", {}),
])
def test_catalogue_runs_remotely_with_the_same_answers(
        local: Store, oxigraph_backend: str, name: str, params: dict[str, str]) -> None:
    query = default_catalogue().get(name)
    here = answer(local, query, params)
    there = answer(remote.RemoteEndpoint(oxigraph_backend + "/query"), query, params)
    assert there.kind == here.kind == "select"
    rows_here = {tuple(sorted((k.value, str(r[k])) for k in here.value.variables if r[k]))
                 for r in here.value}  # type: ignore[union-attr]
    rows_there = {tuple(sorted((k.value, str(r[k])) for k in there.value.variables if r[k]))
                  for r in there.value}  # type: ignore[union-attr]
    assert rows_there == rows_here and rows_here


def test_remote_parameters_are_validated_against_the_remote(oxigraph_backend: str) -> None:
    query = default_catalogue().get("region-sectors")
    with pytest.raises(UsageError, match="unknown region 'atlantis'"):
        answer(remote.RemoteEndpoint(oxigraph_backend + "/query"), query,
                          {"region": "atlantis"})


def test_bound_terms_are_terms_not_text() -> None:
    """Terms reach a remote endpoint written into the query by the grammar-aware
    substitution (kg.sparql.syntax.substitute), never spliced in as raw text."""
    tricky = Literal('"} ; DROP ALL ; {')
    text = substitute("SELECT ?q WHERE { ?s ?p ?q }", {Variable("q"): tricky})
    store = Store()
    store.update('INSERT DATA { <http://e/s> <http://e/p> "\\"} ; DROP ALL ; {" }')
    assert [r["q"] for r in store.query(text)] == [tricky]  # type: ignore[union-attr]
    construct = substitute("CONSTRUCT { ?s ?p ?q } WHERE { ?s ?p ?q }",
                           {Variable("q"): tricky})
    assert [t.object for t in store.query(construct)] == [tricky]  # type: ignore[union-attr]


def test_bad_query_and_http_errors(oxigraph_backend: str) -> None:
    endpoint = remote.RemoteEndpoint(oxigraph_backend + "/query")
    with pytest.raises(QueryError, match="HTTP 400"):  # the asker's error, not the endpoint's
        endpoint.query("SELECT ?x WHERE { ?x ?y }")
    with pytest.raises(QueryError):
        endpoint.run("SELECT * WHERE { SERVICE <http://10.0.0.1/> { ?s ?p ?o } }")
    small = remote.RemoteEndpoint(oxigraph_backend + "/query", max_bytes=100)
    with pytest.raises(RemoteError, match="larger than 100 bytes"):
        small.query("SELECT * WHERE { ?s ?p ?o }")


def test_unreachable_and_silent_endpoints_fail_within_the_timeout() -> None:
    """The error names the time limit that ended the wait (not timed: see test_federation)."""
    with pytest.raises(RemoteError):
        remote.RemoteEndpoint(closed_port_url(), timeout=2).query("ASK {}")
    with silent_server() as url, pytest.raises(RemoteError, match="no answer within 1 s"):
        remote.RemoteEndpoint(url, timeout=1).query("ASK {}")
    with pytest.raises(RemoteError, match="not an http"):
        remote.RemoteEndpoint("file:///etc/passwd")


def test_cli_push(curated_location: Path, tmp_path: Path) -> None:
    with oxigraph_server(tmp_path / "other") as base:
        assert main(["push", base + "/store", "--location", str(curated_location)]) == 0
        result = remote.RemoteEndpoint(base + "/query").run("ASK { ?s ?p ?o }")
        assert bool(result.value)
    assert main(["push", closed_port_url().replace("/sparql", "/store"), "--location", str(curated_location),
                 "--timeout", "2"]) == 9


def test_cli_query_on_a_remote_endpoint(oxigraph_backend: str,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", "region-sectors", "-p", "region=shanxi", "--format", "csv",
                 "--endpoint", oxigraph_backend + "/query"]) == 0
    out = capsys.readouterr().out
    assert "https://w3id.org/future-industries/id/region/shanxi" in out
    assert main(["query", "region-sectors", "-p", "region=shanxi",
                 "--endpoint", closed_port_url()]) == 9
