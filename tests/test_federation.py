"""Federated packaged queries, tested offline against a local Wikidata-shaped endpoint."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pyoxigraph import NamedNode, Store, Variable

from _linking import FIXTURES
from _server import Server, closed_port_url, oxigraph_server, silent_server
from kg import settings, sparql
from kg.catalogue import Catalogue, answer, default_catalogue
from kg.cli import main
from kg.errors import CatalogueError, QueryError, RemoteError
from kg.remote import endpoint as remote
from kg.remote import federation
from kg.store import Build
from kg.vocab import entity

WIKIDATA = "https://query.wikidata.org/sparql"


@pytest.fixture(scope="module")
def store(curated_build: Build) -> Store:
    return curated_build.open()


@pytest.fixture(scope="module")
def wikidata(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A local `oxigraph serve` holding the Wikidata-shaped fixture; yields its query URL."""
    with oxigraph_server(tmp_path_factory.mktemp("wikidata"), union=False) as base:
        for path in sorted((FIXTURES / "wikidata").glob("*.ttl")):
            response = httpx.post(base + "/store?default", content=path.read_bytes(),
                                  headers={"Content-Type": "text/turtle"})
            assert response.status_code in (200, 201, 204)
        yield base + "/query"


def _run(store: Store, name: str, service: str, **kw: object) -> list[dict[str, str]]:
    allowed = frozenset({service})
    result = answer(store, default_catalogue().get(name), {"service": service},
                            allowed_services=allowed, **kw)  # type: ignore[arg-type]
    return [{v.value: r[v].value for v in result.value.variables if r[v] is not None}
            for r in result.value]  # type: ignore[union-attr]


def test_default_endpoint_is_wikidata_and_allowed() -> None:
    for query in default_catalogue().federated():
        assert query.param("service").default == WIKIDATA  # type: ignore[union-attr]
    assert WIKIDATA in settings.ALLOWED_SERVICES


def test_region_labels_join_our_links_with_the_remote(store: Store, wikidata: str) -> None:
    rows = _run(store, "wikidata-region-labels", wikidata)
    got = {(r["region"], r["item"], r.get("labelZh")) for r in rows}
    assert (entity("region", "shanxi").value, "http://www.wikidata.org/entity/Q46913",
            "山西省") in got
    assert len({r["region"] for r in rows}) == 12
    assert all("labelEn" in r and "description" in r for r in rows)
    assert not any(r["item"].endswith("Q47974") for r in rows)


def test_sector_labels_keep_the_kind_of_match(store: Store, wikidata: str) -> None:
    rows = _run(store, "wikidata-sector-labels", wikidata)
    got = {(r["sector"].rsplit("/", 1)[1], r["match"].rsplit("#", 1)[1], r.get("itemLabel"))
           for r in rows}
    assert ("quantum-information", "relatedMatch", "quantum computer") in got
    assert ("gene-and-cell-therapy", "closeMatch", "gene therapy") in got
    assert ("metaverse", "exactMatch", "metaverse") in got
    assert all(r.get("itemLabel") for r in rows)


def test_service_outside_the_allow_list_is_refused(store: Store, wikidata: str) -> None:
    query = default_catalogue().get("wikidata-region-labels")
    with pytest.raises(QueryError, match="is not allowed"):
        answer(store, query, {"service": wikidata})  # default list: Wikidata only
    with pytest.raises(QueryError, match="is not allowed"):
        sparql.run(store, query.text)  # the raw text never reaches pyoxigraph's SERVICE


def test_unreachable_or_silent_remote_fails_within_the_timeout(store: Store) -> None:
    """The error names the time limit that ended the wait (how long it took is not measured:
    on a busy machine that says nothing about the code)."""
    with pytest.raises(RemoteError):
        _run(store, "wikidata-region-labels", closed_port_url(), timeout=2.0)
    with silent_server() as url, pytest.raises(RemoteError, match="no answer within 1 s"):
        _run(store, "wikidata-region-labels", url, timeout=1.0)


def test_service_silent_means_no_constraint(store: Store) -> None:
    url = closed_port_url()
    text = (f"SELECT ?r WHERE {{ ?r a <https://w3id.org/future-industries/ontology#Province> "
            f"SERVICE SILENT <{url}> {{ ?r ?p ?o }} }}")
    resolved = federation.resolve(text, {}, frozenset({url}), 2.0)
    rows = list(sparql.run(store, resolved).value)  # type: ignore[call-overload]
    assert len(rows) >= 6


def test_resolve_rejects_a_service_variable_without_an_iri(store: Store) -> None:
    text = "SELECT * WHERE { SERVICE ?service { ?s ?p ?o } }"
    with pytest.raises(QueryError, match="needs an IRI"):
        federation.resolve(text, {}, frozenset(), 1.0)
    bound = {Variable("service"): NamedNode("http://127.0.0.1:9/sparql")}
    with pytest.raises(QueryError, match="not allowed"):
        federation.resolve(text, bound, frozenset({WIKIDATA}), 1.0)


def test_cli_federated(curated_location: Path, wikidata: str,
                       capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["federated"]) == 0
    assert "wikidata-region-labels" in capsys.readouterr().out
    args = ["federated", "wikidata-region-labels", "--location", str(curated_location),
            "-p", f"service={wikidata}", "--format", "csv"]
    assert main(args) == 7  # not on the allow-list: a bad query
    assert main([*args, "--allow", wikidata]) == 0
    assert "山西省" in capsys.readouterr().out
    closed = closed_port_url()
    assert main(["federated", "wikidata-region-labels", "--location", str(curated_location),
                 "-p", f"service={closed}", "--allow", closed, "--timeout", "1"]) == 9


# --- federated questions in the catalogue, run by `kg query` and over HTTP -----------------

HEADER = "# title@en: F\n# title@zh: 联\n# description@en: D.\n# view: table\n"


def _rows(result: sparql.Result) -> set[tuple[tuple[str, str], ...]]:
    return {tuple(sorted((v.value, str(r[v])) for v in result.value.variables if r[v]))
            for r in result.value}  # type: ignore[union-attr]


def _http_rows(response: httpx.Response) -> set[tuple[tuple[str, str], ...]]:
    assert response.status_code == 200, response.text
    result = sparql.Result("select", remote.parse_results(response.content, "test"))
    return _rows(result)


@pytest.fixture(scope="module")
def expected(store: Store, wikidata: str) -> set[tuple[tuple[str, str], ...]]:
    """wikidata-region-labels through kg.remote.federation.run against the local stand-in."""
    result = answer(store, default_catalogue().get("wikidata-region-labels"),
                            {"service": wikidata}, allowed_services=frozenset({wikidata}))
    rows = _rows(result)
    assert len(rows) == 12
    return rows


@pytest.fixture(scope="module")
def ours(oxigraph_backend: str) -> str:
    """Our graphs on a real `oxigraph serve` (a remote endpoint / backend); its query URL."""
    return oxigraph_backend + "/query"


def test_federated_questions_are_in_the_catalogue(store: Store) -> None:
    catalogue = Catalogue.load()
    federated = [q for q in catalogue.queries() if q.federated]
    assert {q.name for q in federated} == {"wikidata-region-labels", "wikidata-sector-labels"}
    assert all("federated" in q.tags and q.services == ("?service",) for q in federated)
    assert not catalogue.get("region-sectors").federated
    with pytest.raises(QueryError, match="is not allowed; allowed: none"):
        answer(store, "wikidata-region-labels", {}, allowed_services=frozenset())


@pytest.mark.parametrize("head,body,message", [
    ("# tags: federated\n", "SELECT * WHERE { SERVICE <http://10.0.0.1/s> { ?s ?p ?o } }",
     "not on the allow-list"),
    ("", f"SELECT * WHERE {{ SERVICE <{WIKIDATA}> {{ ?s ?p ?o }} }}", "tag it 'federated'"),
    ("# tags: federated\n", "SELECT * WHERE { ?s ?p ?o }", "has no SERVICE block"),
    ("# tags: federated\n", "SELECT * WHERE { SERVICE ?x { ?s ?p ?o } }",
     "declared parameter of type iri"),
    ("# param: x type=string default=a — d\n# tags: federated\n",
     "SELECT * WHERE { SERVICE ?x { ?s ?p ?o } }", "declared parameter of type iri"),
    ("# param: x type=iri default=http://127.0.0.1:9/sparql — d\n# tags: federated\n",
     "SELECT * WHERE { SERVICE ?x { ?s ?p ?o } }", "default http://127.0.0.1:9/sparql is not"),
])
def test_the_load_check_holds_federated_questions_to_the_allow_list(
        tmp_path: Path, head: str, body: str, message: str) -> None:
    (tmp_path / "q.rq").write_text(HEADER + head + body + "\n", "utf-8")
    with pytest.raises(CatalogueError, match=message):
        Catalogue.load(tmp_path)


def test_a_well_formed_federated_question_loads(tmp_path: Path) -> None:
    (tmp_path / "q.rq").write_text(
        HEADER + f"# param: x type=iri default={WIKIDATA} — d\n# tags: federated\n"
        "SELECT ?s WHERE { SERVICE ?x { ?s ?p ?o } }\n", "utf-8")
    query = Catalogue.load(tmp_path).get("q")
    assert query.federated and query.form == "select"


def test_cli_query_runs_federated_questions(curated_location: Path, wikidata: str,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    args = ["query", "wikidata-region-labels", "--location", str(curated_location),
            "-p", f"service={wikidata}", "--format", "csv"]
    assert main(args) == 7  # not on the allow-list: a bad query
    capsys.readouterr()
    assert main([*args, "--allow-service", wikidata]) == 0
    assert "山西省" in capsys.readouterr().out
    closed = closed_port_url()
    assert main(["query", "wikidata-region-labels", "--location", str(curated_location),
                 "-p", f"service={closed}", "--allow-service", closed, "--timeout", "1"]) == 9


def test_federated_question_on_a_remote_endpoint(
        ours: str, wikidata: str, expected: set[tuple[tuple[str, str], ...]]) -> None:
    query = default_catalogue().get("wikidata-region-labels")
    result = answer(remote.RemoteEndpoint(ours), query, {"service": wikidata},
                                   allowed_services=frozenset({wikidata}))
    assert _rows(result) == expected


@pytest.fixture(scope="module")
def silent() -> Iterator[str]:
    with silent_server() as url:
        yield url


@pytest.fixture(scope="module")
def widened(curated_location: Path, wikidata: str, silent: str) -> Iterator[httpx.Client]:
    """`kg serve` on the curated build, its allow-list widened by its own command line."""
    with Server(curated_location, "--workers", "2", "--allow-service", wikidata,
                "--allow-service", silent) as srv, srv.client() as client:
        yield client


def test_http_runs_federated_questions_with_the_servers_allow_list(
        widened: httpx.Client, wikidata: str,
        expected: set[tuple[tuple[str, str], ...]]) -> None:
    path = "/queries/wikidata-region-labels"
    accept = {"Accept": "application/sparql-results+json"}
    assert _http_rows(widened.get(path, params={"service": wikidata}, headers=accept)) == expected
    r = widened.get(path, params={"service": closed_port_url()})
    assert r.status_code == 400 and "is not allowed" in r.text
    r = widened.get(path, params={"service": wikidata, "allow": closed_port_url()})
    assert r.status_code == 400 and "declared: service" in r.text  # no widening per request


def test_http_silent_service_fails_cleanly_and_the_server_goes_on(
        widened: httpx.Client, silent: str, wikidata: str, store: Store) -> None:
    """A SERVICE that never answers ends the request with a 5xx naming what ran out: the
    remote's own timeout (0.8 of the request's limit: 502 "no answer within 4 s"), or the
    request's time limit itself (503), which fires first when a busy machine delays the
    remote request by a second. Which of the two wins is not the point; that the request
    ends cleanly and the server goes on answering is."""
    r = widened.get("/queries/wikidata-sector-labels", params={"service": silent},
                    headers={"X-KG-Timeout": "5"})
    said = {502: "no answer within 4 s", 503: "5 s time limit"}
    assert r.status_code in said and said[r.status_code] in r.text, (r.status_code, r.text)
    health = widened.get("/health")
    assert health.status_code == 200 and health.json()["status"] == "ok"
    again = widened.get("/queries/wikidata-sector-labels", params={"service": wikidata},
                        headers={"Accept": "application/sparql-results+json"})
    assert again.status_code == 200, again.text
    got = {frozenset((k, v["value"]) for k, v in b.items())
           for b in again.json()["results"]["bindings"]}
    assert got == {frozenset(r.items()) for r in _run(store, "wikidata-sector-labels",
                                                      wikidata)} and got


def test_http_federated_question_through_a_backend(
        ours: str, wikidata: str, tmp_path: Path,
        expected: set[tuple[tuple[str, str], ...]]) -> None:
    with Server(tmp_path / "unused", "--backend", ours, "--allow-service", wikidata) as srv, \
            srv.client() as client:
        r = client.get("/queries/wikidata-region-labels", params={"service": wikidata},
                       headers={"Accept": "application/sparql-results+json"})
        assert _http_rows(r) == expected
