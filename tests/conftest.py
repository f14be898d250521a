"""Shared fixtures: the curated graph built once per test session, and the servers on it.

The servers (tests/_server.py) start when a test first asks for them and run to the end of
the session; they are read-only, and a test that adds anything to them removes it again:

- ``local_server`` / ``local_client``: `kg serve` on the curated build (:data:`LOCAL_ARGS`);
  ``server`` / ``client`` are the same, unless a module defines its own ``server`` and
  ``client`` (``serve_fixtures``) for a server with other options;
- ``oxigraph_backend``: a real `oxigraph serve` holding the curated build (its base URL);
- ``backend_server`` / ``backend_client``: `kg serve --backend` in front of it;
- ``served``: a test that takes it runs twice, against the local server and against the
  backend one (what must hold for both);
- ``virtuoso_endpoint`` / ``oxigraph_endpoint``: real SPARQL engines holding the curated
  build (tests/_engines.py), for the conformance matrix.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import httpx
import pytest

import _engines
from _linking import clone_location
from _server import CORS_ORIGIN, Served, Server, oxigraph_server
from kg.build import build
from kg.rdf import export
from kg.remote.push import push
from kg.store import Build, Location

LOCAL_ARGS = ("--workers", "2", "--cors-origin", CORS_ORIGIN)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite the golden files (tests/golden/) from the current curated graph",
    )


@pytest.fixture(scope="session")
def curated_location(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A location holding one build of the curated ontology and data (do not modify)."""
    root = tmp_path_factory.mktemp("curated")
    build(root)
    return root


@pytest.fixture(scope="session")
def curated_build(curated_location: Path) -> Build:
    """The current build of :func:`curated_location`."""
    return Location(curated_location).require_current()


@pytest.fixture(scope="module")
def location(curated_location: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A location of the module's own holding a copy of the curated build: its tests may
    write to it, build into it (or kill builds there) and serve it."""
    return clone_location(curated_location, tmp_path_factory.mktemp("location") / "kg")


@pytest.fixture(scope="session")
def local_server(curated_location: Path) -> Iterator[Server]:
    """`kg serve` on the curated build, for the whole session."""
    with Server(curated_location, *LOCAL_ARGS) as srv:
        yield srv


@pytest.fixture(scope="session")
def local_client(local_server: Server) -> Iterator[httpx.Client]:
    with local_server.client() as c:
        yield c


@pytest.fixture(scope="session")
def server(local_server: Server) -> Server:
    """The module's server: the session's local one unless the module starts its own."""
    return local_server


@pytest.fixture(scope="session")
def client(local_client: httpx.Client) -> httpx.Client:
    """A client of the module's ``server``."""
    return local_client


@pytest.fixture(scope="session")
def oxigraph_backend(curated_build: Build,
                     tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real `oxigraph serve` (union default graph) holding the curated build, pushed over
    the Graph Store Protocol; its base URL (…/query, …/store)."""
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph") / "store") as base:
        sent = push(curated_build.open(), base + "/store").graphs
        assert sent and all(n > 0 for n in sent.values())
        yield base


@pytest.fixture(scope="session")
def backend_server(oxigraph_backend: str,
                   tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`kg serve --backend` in front of :func:`oxigraph_backend`, whose answers may be reused
    for ~30 years: one period for the whole session."""
    here = tmp_path_factory.mktemp("proxy") / "unused"
    with Server(here, "--backend", oxigraph_backend + "/query", "--backend-ttl", "1e9") as srv:
        yield srv


@pytest.fixture(scope="session")
def backend_client(backend_server: Server) -> Iterator[httpx.Client]:
    with backend_server.client() as c:
        yield c


@pytest.fixture(params=["local", "backend"])
def served(request: pytest.FixtureRequest, curated_build: Build) -> Served:
    """The local server, then the backend one (the test runs once with each)."""
    kind = request.param
    return Served(kind, request.getfixturevalue(f"{kind}_server"),
                  request.getfixturevalue(f"{kind}_client"),
                  curated_build.id if kind == "local" else "remote")


@pytest.fixture(scope="session")
def curated_nquads(curated_build: Build, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The curated build's every named graph as one N-Quads file (as `kg export --format nq
    --graph all` writes it)."""
    path = tmp_path_factory.mktemp("nquads") / "all.nq"
    path.write_bytes(export.dump(curated_build.open(), "nq"))
    return path


def _noted(started: AbstractContextManager[_engines.Engine]) -> Iterator[_engines.Engine]:
    """The engine ``started`` gives, with what starting and loading it took noted in
    :data:`_engines.TIMINGS` (for :func:`pytest_terminal_summary`)."""
    with started as engine:
        _engines.TIMINGS.update({f"{engine.name} {k}": v for k, v in engine.timings.items()})
        yield engine


@pytest.fixture(scope="session")
def virtuoso_engine(curated_nquads: Path) -> Iterator[_engines.Engine]:
    """Virtuoso on 127.0.0.1 with a fresh database bulk-loaded with the curated build."""
    yield from _noted(_engines.virtuoso(curated_nquads))


@pytest.fixture(scope="session")
def virtuoso_endpoint(virtuoso_engine: _engines.Engine) -> str:
    """The SPARQL query URL of :func:`virtuoso_engine`."""
    return virtuoso_engine.url


@pytest.fixture(scope="session")
def virtuoso_client(virtuoso_endpoint: str,
                    tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    """A client of `kg serve --backend` in front of :func:`virtuoso_engine`."""
    here = tmp_path_factory.mktemp("virtuoso-front") / "unused"
    with Server(here, "--backend", virtuoso_endpoint) as srv, srv.client() as client:
        yield client


@pytest.fixture(scope="session")
def oxigraph_engine(curated_nquads: Path) -> Iterator[_engines.Engine]:
    """`oxigraph serve-read-only --union-default-graph` on 127.0.0.1 holding the curated
    build."""
    yield from _noted(_engines.oxigraph_server(curated_nquads))


@pytest.fixture(scope="session")
def oxigraph_endpoint(oxigraph_engine: _engines.Engine) -> str:
    """The SPARQL query URL of :func:`oxigraph_engine`."""
    return oxigraph_engine.url


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print what starting, loading and querying the engines took (measured, not asserted)."""
    if _engines.TIMINGS:
        terminalreporter.section("engine timings")
        for what, seconds in _engines.TIMINGS.items():
            terminalreporter.write_line(f"{what}: {seconds:.2f} s")
