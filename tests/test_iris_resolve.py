"""Every IRI the project mints under https://w3id.org/future-industries/ resolves: each one
in the full dump (``kg.rdf.export.dump(store, "nq")``) is dereferenced at its path through
`kg serve`, as HTML and as Turtle, and none is a 404 (nor any other error).

Before, 407 of the 736 paths were 404s: the divisions, the named graphs, the build
records and the ontology's version IRI (and /sparql answered a browser 406)."""

from __future__ import annotations

from collections import Counter

import httpx
import pytest

from _iris import minted, paths_of
from kg.store import Build


@pytest.fixture(scope="module")
def paths(curated_build: Build) -> list[str]:
    return paths_of(minted(curated_build.open()))


def test_the_dump_mints_every_kind_of_iri(paths: list[str]) -> None:
    kinds = {p.split("/")[1] for p in paths}
    assert {"id", "division", "graph", "build", "ontology", "sparql"} <= kinds
    assert "/ontology/0.1.0" in paths and "/division/dataset" in paths


@pytest.mark.parametrize("accept", ["text/html", "text/turtle"])
def test_every_minted_iri_resolves(client: httpx.Client, paths: list[str], accept: str) -> None:
    failed: Counter[tuple[int, str]] = Counter()
    examples: dict[tuple[int, str], str] = {}
    for path in paths:
        r = client.get(path, headers={"Accept": accept})
        if r.status_code != 200 or not r.headers["content-type"].startswith(accept):
            key = (r.status_code, "/".join(path.split("/")[:2]))
            failed[key] += 1
            examples.setdefault(key, path)
    assert not failed, {f"{n} × {k}": examples[k] for k, n in failed.items()}
    assert len(paths) > 700


def test_unknown_paths_under_the_new_routes_are_404(client: httpx.Client) -> None:
    for path in ("/division/999999", "/graph/nope", "/build/nope", "/ontology/9.9.9",
                 "/dataset/nope", "/id/region/atlantis", "/ontology/%C2%84"):
        assert client.get(path, headers={"Accept": "text/turtle"}).status_code == 404, path
