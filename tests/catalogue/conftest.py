"""Fixtures of the catalogue tests, and the ``--update-golden`` flag.

Regenerate the golden results with::

    .venv/bin/python -m pytest tests/catalogue --update-golden   (the flag: tests/conftest.py)

then check the changed files by hand against the article before committing them.
"""

from __future__ import annotations

import pytest
from pyoxigraph import Store

from kg.catalogue import Catalogue
from kg.store import Build


@pytest.fixture(scope="session")
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden", default=False))


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return Catalogue.load()


@pytest.fixture(scope="session")
def curated_store(curated_build: Build) -> Store:
    """The curated build's store, read-only."""
    return curated_build.open()
