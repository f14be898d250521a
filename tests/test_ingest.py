"""`kg import`: another dataset into its own graph of a new build, published atomically."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyoxigraph import NamedNode, RdfFormat, Store, Triple, parse

from _linking import canonical, clone_location
from _server import closed_port_url, silent_server
from kg.build import ingest
from kg.cli import main
from kg.errors import ParseError, RemoteError, UsageError
from kg.store import Location
from kg.vocab import graph_for

DATA = b"""<http://example.org/a> <http://example.org/p> "one" .
<http://example.org/a> <http://example.org/p> _:b .
_:b <http://example.org/q> "two"@en .
"""


@pytest.fixture()
def loc(curated_location: Path, tmp_path: Path) -> Path:
    return clone_location(curated_location, tmp_path / "loc")


@pytest.fixture(scope="module")
def http_files(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("www")
    (folder / "other.nt").write_bytes(DATA)
    (folder / "other.rdf").write_bytes(b"<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-"
                                       b"rdf-syntax-ns#'><rdf:Description rdf:about='http://e/x'"
                                       b"><rdf:type rdf:resource='http://e/T'/></rdf:Description>"
                                       b"</rdf:RDF>")

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a: object, **k: object) -> None:
            super().__init__(*a, directory=str(folder), **k)  # type: ignore[arg-type]

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def _graph(store: Store, name: str | NamedNode) -> list[Triple]:
    graph = name if isinstance(name, NamedNode) else graph_for(name)
    return [q.triple for q in store.quads_for_pattern(None, None, None, graph)]


def test_import_makes_a_new_build_and_keeps_the_old(loc: Path, tmp_path: Path) -> None:
    path = tmp_path / "other.nt"
    path.write_bytes(DATA)
    old = Location(loc).require_current()
    old_quads = canonical(old.open())
    report = ingest.import_rdf(loc, str(path), "external/other")
    new = Location(loc).require_current()
    assert new.id == report.build_id != old.id and report.previous == old.id
    assert report.triples == 3
    store, before = new.open(), old.open()
    assert set(store.named_graphs()) == set(before.named_graphs()) | {
        graph_for("external/other")}
    for graph in before.named_graphs():
        if graph != graph_for("build"):
            assert canonical(_graph(store, graph)) == canonical(_graph(before, graph)), graph
    assert canonical(_graph(store, "external/other")) == canonical(
        q.triple for q in parse(DATA, format=RdfFormat.N_TRIPLES))
    assert canonical(old.open()) == old_quads  # the old build is untouched
    manifest = new.manifest()
    assert manifest["derived_from"] == old.id
    entry = manifest["sources"][-1]
    assert entry["graph"] == graph_for("external/other").value and entry["imported"]
    assert manifest["graphs"][graph_for("external/other").value] == 3


def test_reimport_replaces_the_graph(loc: Path, tmp_path: Path) -> None:
    path = tmp_path / "other.nt"
    path.write_bytes(DATA)
    ingest.import_rdf(loc, str(path), "external/other")
    path.write_bytes(b'<http://example.org/z> <http://example.org/p> "only" .\n')
    ingest.import_rdf(loc, str(path), "external/other")
    store = Location(loc).require_current().open()
    assert len(_graph(store, "external/other")) == 1
    graphs = [s["graph"] for s in Location(loc).require_current().manifest()["sources"]]
    assert graphs.count(graph_for("external/other").value) == 1


def test_bad_file_loses_nothing(loc: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text('<http://e/a> <http://e/b> "oops .\n')
    before = Location(loc).require_current().id
    with pytest.raises(ParseError, match=r"bad.ttl:1:"):
        ingest.import_rdf(loc, str(bad), "external/bad")
    assert Location(loc).require_current().id == before
    assert len(list((Path(loc) / "builds").iterdir())) == 1


def test_reserved_and_bad_names(loc: Path, tmp_path: Path) -> None:
    path = tmp_path / "x.nt"
    path.write_bytes(DATA)
    for name in ("ontology", "inferred", "links", "data/beijing", "build", "../x", "A b"):
        with pytest.raises(UsageError):
            ingest.import_rdf(loc, str(path), name)
    with pytest.raises(UsageError, match="no such file"):
        ingest.import_rdf(loc, str(tmp_path / "missing.ttl"), "external/x")
    with pytest.raises(UsageError, match="pass --format"):
        ingest.import_rdf(loc, str(path.rename(tmp_path / "x.data")), "external/x")


def test_import_from_url(loc: Path, http_files: str) -> None:
    report = ingest.import_rdf(loc, f"{http_files}/other.nt", "external/web")
    assert report.triples == 3
    report = ingest.import_rdf(loc, f"{http_files}/other.rdf", "external/xml")
    assert report.triples == 1
    store = Location(loc).require_current().open()
    assert len(_graph(store, "external/web")) == 3 and len(_graph(store, "external/xml")) == 1


def test_url_failures_are_remote_errors(loc: Path, http_files: str, tmp_path: Path) -> None:
    with pytest.raises(RemoteError, match="HTTP 404"):
        ingest.import_rdf(loc, f"{http_files}/missing.nt", "external/web")
    with pytest.raises(RemoteError, match="larger than 10 bytes"):
        ingest.download(f"{http_files}/other.nt", tmp_path / "f", max_bytes=10)
    with pytest.raises(RemoteError):
        ingest.import_rdf(loc, closed_port_url(), "external/web")
    with silent_server() as url, pytest.raises(RemoteError, match="no answer within 1 s"):
        ingest.download(url, tmp_path / "g", timeout=1.0)  # the limit named, not timed


def test_cli_import(loc: Path, tmp_path: Path) -> None:
    path = tmp_path / "other.ttl"
    path.write_bytes(DATA)
    assert main(["import", str(path), "--graph", "external/cli", "--location", str(loc)]) == 0
    out = tmp_path / "g.nt"
    assert main(["export", "--graph", "external/cli", "--format", "nt", "--output", str(out),
                 "--location", str(loc)]) == 0
    assert canonical(parse(path=str(out), format=RdfFormat.N_TRIPLES)) == canonical(
        parse(DATA, format=RdfFormat.N_TRIPLES))
    assert main(["import", str(path), "--graph", "ontology", "--location", str(loc)]) == 2
    assert main(["import", closed_port_url(), "--graph", "external/x", "--location",
                 str(loc)]) == 9
