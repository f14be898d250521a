"""Dumps: /dumps/ offers exactly the files `kg export --all-formats` writes, byte for byte
the same (and so the same SHA-256 sums), because dumps are sorted; and rapper (Debian's
raptor2-utils) parses every dump it can read with no warning."""

from __future__ import annotations

import hashlib
import re
import subprocess
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from kg.cli import main
from kg.rdf import export, formats
from kg.store import Build

RAPPER_SYNTAX = {"nq": "nquads", "nt": "ntriples", "ttl": "turtle", "trig": "trig"}


@pytest.fixture(scope="module")
def exported(curated_location: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The curated build's dumps as `kg export --all-formats` writes them."""
    folder = tmp_path_factory.mktemp("exported")
    assert main(["export", "--location", str(curated_location), "--all-formats",
                 "--output-dir", str(folder)]) == 0
    return folder


def listed(client: httpx.Client) -> list[str]:
    page = client.get("/dumps/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    return re.findall(r'<a href="([^"/]+)"><code>', page.text)


def test_the_server_offers_exactly_the_exported_files(client: httpx.Client,
                                                      exported: Path) -> None:
    written = sorted(p.name for p in exported.iterdir())
    assert sorted(listed(client)) == written  # SHA256SUMS too
    assert "all.jsonld" in written and "external-cn-admin-divisions.ttl" in written


def test_server_and_cli_dumps_are_byte_identical(client: httpx.Client, exported: Path) -> None:
    """Both ways: every exported file is served the same, every served one was exported."""
    for path in sorted(exported.iterdir()):
        r = client.get(f"/dumps/{path.name}")
        assert r.status_code == 200, path.name
        assert r.content == path.read_bytes(), path.name
    for name in listed(client):
        assert (exported / name).read_bytes() == client.get(f"/dumps/{name}").content
    sums = client.get(f"/dumps/{export.CHECKSUMS}")
    assert sums.content == (exported / export.CHECKSUMS).read_bytes()
    for line in sums.text.splitlines():
        digest, name = line.split("  ")
        assert hashlib.sha256((exported / name).read_bytes()).hexdigest() == digest


def test_the_catalogue_gives_the_cli_checksums(client: httpx.Client, exported: Path) -> None:
    turtle = client.get("/catalog", headers={"Accept": "text/turtle"}).content
    values = {q.object.value for q in ox.parse(turtle, format=ox.RdfFormat.TURTLE)
              if q.predicate.value == "http://spdx.org/rdf/terms#checksumValue"}
    sums = {line.split("  ")[0]
            for line in (exported / export.CHECKSUMS).read_text().splitlines()}
    assert values == sums


@pytest.mark.parametrize("fmt", formats.EXPORTS)
def test_dumps_do_not_depend_on_the_order_of_the_store(curated_build: Build, fmt: str) -> None:
    store = curated_build.open()
    quads = list(store)
    again = ox.Store()
    again.extend(reversed(quads))
    graph = None if fmt in formats.DATASET_EXPORTS else "data/beijing"
    assert export.dump(store, fmt, graph) == export.dump(again, fmt, graph)


def test_unknown_dump_is_404(client: httpx.Client) -> None:
    missing = client.get("/dumps/all.exe")
    assert missing.status_code == 404 and "all.nq" in missing.text


def test_rapper_parses_every_dump_without_a_warning(exported: Path,
                                                    curated_build: Build) -> None:
    """JSON-LD is left out: raptor has no JSON-LD parser (tests/test_export.py round-trips
    it through pyoxigraph)."""
    store = curated_build.open()
    checked = 0
    for path in sorted(exported.iterdir()):
        syntax = RAPPER_SYNTAX.get(path.suffix.lstrip("."))
        if syntax is None:
            continue
        run = subprocess.run(["rapper", "-i", syntax, "-c", str(path)], capture_output=True,
                             text=True, timeout=120, check=False)
        assert run.returncode == 0, run.stderr
        noise = [line for line in run.stderr.splitlines()
                 if not line.startswith(("rapper: Parsing URI", "rapper: Parsing returned"))]
        assert not noise, f"{path.name}: {noise}"
        count = int(re.search(r"returned (\d+) triples", run.stderr).group(1))  # type: ignore[union-attr]
        if path.stem == export.ALL:
            assert count == len(store), path.name
        else:
            assert count > 0, path.name
        checked += 1
    assert checked == 2 + 2 * len(export.graph_names(store))
