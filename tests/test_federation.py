"""Federated packaged queries, tested offline against a local Wikidata-shaped endpoint."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pyoxigraph import NamedNode, Store, Variable

from _linking import FIXTURES, closed_port_url, oxigraph_server, silent_server
from kg import federation, settings, sparql
from kg.cli import main
from kg.errors import QueryError, RemoteError
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
    result = federation.run(store, federation.get(name), {"service": service},
                            allowed_services=allowed, **kw)  # type: ignore[arg-type]
    return [{v.value: r[v].value for v in result.value.variables if r[v] is not None}
            for r in result.value]  # type: ignore[union-attr]


def test_default_endpoint_is_wikidata_and_allowed() -> None:
    for query in federation.load().values():
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
    query = federation.get("wikidata-region-labels")
    with pytest.raises(QueryError, match="is not allowed"):
        federation.run(store, query, {"service": wikidata})  # default list: Wikidata only
    with pytest.raises(QueryError, match="is not allowed"):
        sparql.run(store, query.text)  # the raw text never reaches pyoxigraph's SERVICE


def test_unreachable_or_silent_remote_fails_within_the_timeout(store: Store) -> None:
    start = time.monotonic()
    with pytest.raises(RemoteError):
        _run(store, "wikidata-region-labels", closed_port_url(), timeout=2.0)
    with silent_server() as url, pytest.raises(RemoteError, match="no answer within 1 s"):
        _run(store, "wikidata-region-labels", url, timeout=1.0)
    assert time.monotonic() - start < 15  # a bound, not a speed measurement


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
