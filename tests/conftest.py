"""Shared fixtures: the curated graph built once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

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
