"""Helpers for the linked-data tests: cloned locations, canonical graphs, fixture paths.

(Servers, silent sockets and closed ports are in tests/_server.py.)
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path

from pyoxigraph import CanonicalizationAlgorithm, Dataset, Quad, Store, Triple

from kg.store import Location

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def clone_location(source: Path, target: Path) -> Path:
    """A copy of a location's current build, published in a new location (tests may modify it)."""
    build = Location(source).require_current()
    loc = Location(target)
    loc.builds.mkdir(parents=True)
    shutil.copytree(build.path, loc.builds / build.id)
    loc.publish(loc.builds / build.id)
    return target


def canonical(items: Iterable[Quad | Triple] | Store) -> set[Quad]:
    """A set of quads (triples go to the default graph) with blank nodes canonicalised."""
    quads = (q if isinstance(q, Quad) else Quad(q.subject, q.predicate, q.object) for q in items)
    dataset = Dataset(quads)
    dataset.canonicalize(CanonicalizationAlgorithm.UNSTABLE)
    return set(dataset)
