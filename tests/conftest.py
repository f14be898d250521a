"""Shared fixtures: the curated graph built once per test session, and real SPARQL engines
(Virtuoso, `oxigraph serve`) holding it, started on loopback only when a test asks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import _engines
from kg import export
from kg.build import build
from kg.store import Build, Location


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


@pytest.fixture(scope="session")
def curated_nquads(curated_build: Build, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The curated build's every named graph as one N-Quads file (as `kg export --format nq
    --graph all` writes it)."""
    path = tmp_path_factory.mktemp("nquads") / "all.nq"
    path.write_bytes(export.dump(curated_build.open(), "nq"))
    return path


@pytest.fixture(scope="session")
def virtuoso_engine(curated_nquads: Path) -> Iterator[_engines.Engine]:
    """Virtuoso on 127.0.0.1 with a fresh database bulk-loaded with the curated build."""
    with _engines.virtuoso(curated_nquads) as engine:
        _engines.TIMINGS.update({f"virtuoso {k}": v for k, v in engine.timings.items()})
        yield engine


@pytest.fixture(scope="session")
def virtuoso_endpoint(virtuoso_engine: _engines.Engine) -> str:
    """The SPARQL query URL of :func:`virtuoso_engine`."""
    return virtuoso_engine.url


@pytest.fixture(scope="session")
def oxigraph_engine(curated_nquads: Path) -> Iterator[_engines.Engine]:
    """`oxigraph serve-read-only --union-default-graph` on 127.0.0.1 holding the curated
    build."""
    with _engines.oxigraph_server(curated_nquads) as engine:
        _engines.TIMINGS.update({f"oxigraph {k}": v for k, v in engine.timings.items()})
        yield engine


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
