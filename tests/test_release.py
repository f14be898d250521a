"""Releases and diffs: two builds of the curated data, the second with known changes (a
fact added, one removed, a literal changed), released as 1.0 and 1.1; `kg diff` and
/releases/diff must report exactly those changes, as a patch (compared as sets of quads)
and as Markdown for people."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, parse

from _server import Server
from kg import settings
from kg.cli import main
from kg.errors import ExitCode
from kg.store import MANIFEST, Build, Location
from kg.vocab import DATASET_IRI, DIFF, ID, RDFS, SKOS

BEIJING, SHANGHAI, CHINA = ID["region/beijing"], ID["region/shanghai"], ID["region/china"]
COMMENT = Literal("added for the diff test", language="en")
#: The patch from 1.0 to 1.1.
EXPECTED = {
    Quad(BEIJING, RDFS.label, Literal("Peking", language="en"), DIFF.added),
    Quad(CHINA, RDFS.comment, COMMENT, DIFF.added),
    Quad(BEIJING, RDFS.label, Literal("Beijing", language="en"), DIFF.removed),
    Quad(SHANGHAI, SKOS.altLabel, Literal("上海", language="zh"), DIFF.removed),
}


def edited(folder: Path) -> None:
    """The known changes, made to a copy of data/regions.ttl."""
    path = folder / "regions.ttl"
    text = path.read_text("utf-8")
    for old, new in (('"Beijing"@en', '"Peking"@en'), ('    skos:altLabel "上海"@zh ;\n', "")):
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path.write_text(text + '\nregion:china rdfs:comment "added for the diff test"@en .\n',
                    "utf-8")


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A location with two builds released as 1.0 and 1.1."""
    root = tmp_path_factory.mktemp("release")
    data = root / "data"
    shutil.copytree(settings.resources().data, data, ignore=shutil.ignore_patterns("external"))
    loc = root / "kg"
    assert main(["build", "--location", str(loc), str(data)]) == 0
    assert main(["release", "1.0", "--location", str(loc)]) == 0
    edited(data)
    assert main(["build", "--location", str(loc), str(data)]) == 0
    assert main(["release", "1.1", "--location", str(loc)]) == 0
    return loc


def patch(data: bytes, fmt: RdfFormat = RdfFormat.TRIG) -> set[Quad]:
    return set(parse(data, format=fmt))


def test_diff_patch_is_exactly_the_changes(released: Path, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "patch.trig"
    assert main(["diff", "1.0", "1.1", "--format", "trig", "--output", str(out),
                 "--location", str(released)]) == 0
    assert patch(out.read_bytes()) == EXPECTED
    assert "1 added, 1 removed, 1 changed in 3 entities" in capsys.readouterr().err
    assert main(["diff", "1.1", "1.0", "--format", "nq", "--location", str(released)]) == 0
    swapped = {Quad(q.subject, q.predicate, q.object,
                    DIFF.removed if q.graph_name == DIFF.added else DIFF.added)
               for q in EXPECTED}
    assert patch(capsys.readouterr().out.encode(), RdfFormat.N_QUADS) == swapped


def test_diff_markdown_groups_by_entity_with_labels(
        released: Path, capsys: pytest.CaptureFixture[str]) -> None:
    builds = [r.build for r in Location(released).releases()]
    assert main(["diff", "1.0", builds[1], "--location", str(released)]) == 0
    text = capsys.readouterr().out
    assert text.startswith(f"# Changes from 1.0 (build {builds[0]}) to {builds[1]}\n")
    sections = {s.split("\n", 1)[0]: s for s in text.split("\n## ")[1:]}
    assert set(sections) == {"Peking / 北京市 (id:region/beijing)",
                             "China / 中国 (id:region/china)",
                             "Shanghai / 上海市 (id:region/shanghai)"}
    assert '- changed: `rdfs:label` `"Beijing"@en` → `"Peking"@en`' in text
    assert '- removed: `skos:altLabel` `"上海"@zh`' in text
    assert '- added: `rdfs:comment` `"added for the diff test"@en`' in text


def test_diff_of_a_build_with_itself_is_empty(released: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", "1.1", "current", "--format", "trig",
                 "--location", str(released)]) == 0
    assert capsys.readouterr().out == ""


def test_release_is_immutable(released: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = (released / "releases" / "1.0.json").read_bytes()
    assert main(["release", "1.0", "--location", str(released)]) == ExitCode.USAGE
    assert "release 1.0 exists" in capsys.readouterr().err
    assert (released / "releases" / "1.0.json").read_bytes() == before
    assert main(["release", "../x", "--location", str(released)]) == ExitCode.USAGE
    assert main(["diff", "0.9", "1.0", "--location", str(released)]) == ExitCode.NOT_FOUND
    assert "releases: 1.0, 1.1" in capsys.readouterr().err


def test_releases_listed(released: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["releases", "--format", "json", "--location", str(released)]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(r["version"], r["previous"]) for r in listed] == [("1.0", None), ("1.1", "1.0")]
    assert listed[1]["iri"] == "https://w3id.org/future-industries/release/1.1"


def test_prune_keeps_released_builds(tmp_path: Path) -> None:
    """Builds past settings.KEEP_BUILDS are deleted, never one a release names."""
    loc = Location(tmp_path)
    for n in range(settings.KEEP_BUILDS + 2):
        (loc.new_build_dir(f"b{n}") / MANIFEST).write_text("{}")
    loc.release("1.0", Build(loc.builds / "b0"), "2026-01-01T00:00:00+00:00")
    loc.publish(loc.builds / f"b{settings.KEEP_BUILDS + 1}")
    removed = loc.prune()
    assert "b0" not in removed and removed
    assert loc.resolve("1.0").id == "b0"


@pytest.fixture(scope="module")
def client(released: Path) -> Iterator[httpx.Client]:
    with Server(released, "--workers", "2") as srv, srv.client() as c:
        yield c


def test_http_diff_in_every_format(client: httpx.Client) -> None:
    params = {"from": "1.0", "to": "1.1"}
    trig = client.get("/releases/diff", params=params, headers={"accept": "application/trig"})
    assert trig.status_code == 200 and trig.headers["content-type"].startswith(
        "application/trig")
    assert patch(trig.content) == EXPECTED
    md = client.get("/releases/diff", params={**params, "format": "md"})
    assert md.headers["content-type"].startswith("text/markdown")
    assert "## Peking / 北京市 (id:region/beijing)" in md.text
    for lang, word in (("en", "changed"), ("zh", "修改")):
        page = client.get("/releases/diff", params={**params, "lang": lang},
                          headers={"accept": "text/html"})
        assert page.status_code == 200 and "北京市" in page.text and word in page.text
    missing = client.get("/releases/diff", params={"from": "0.9", "to": "1.1"})
    assert missing.status_code == 404 and "1.0, 1.1" in missing.text
    assert "/kg" not in missing.text  # not where the server keeps its builds (it said so)
    assert client.get("/releases/diff", params={"from": "1.0"}).status_code == 400


def test_http_releases_and_version_iri(client: httpx.Client) -> None:
    listed = client.get("/releases", params={"format": "json"}).json()
    assert [r["version"] for r in listed["releases"]] == ["1.0", "1.1"]
    page = client.get("/releases", headers={"accept": "text/html"})
    assert page.status_code == 200 and "/releases/diff?from=1.0&amp;to=1.1" in page.text
    ttl = client.get("/release/1.1", headers={"accept": "text/turtle"})
    assert ttl.status_code == 200
    triples = set(parse(ttl.content, format=RdfFormat.TURTLE))
    iri = NamedNode("https://w3id.org/future-industries/release/1.1")
    owl_version = NamedNode("http://www.w3.org/2002/07/owl#versionIRI")
    assert any(t.subject == iri and t.predicate == owl_version and t.object == iri
               for t in triples)
    assert client.get("/release/9.9").status_code == 404


def test_bug_http_diff_had_no_limits(released: Path) -> None:
    """/releases/diff compared two builds in a thread of the server process: no time limit
    and no memory cap, on a public path. It now runs in a worker, under the server's caps:
    with --query-memory 1 (MB) it is stopped with a 503, and the server goes on answering."""
    with Server(released, "--workers", "1", "--query-memory", "1") as srv, \
            srv.client() as c:
        stopped = c.get("/releases/diff", params={"from": "1.0", "to": "1.1", "format": "md"})
        assert stopped.status_code == 503 and "memory" in stopped.text
        assert c.get("/sparql", params={"query": "ASK {}"}).json()["boolean"] is True


def test_catalog_lists_the_releases_and_conforms(client: httpx.Client) -> None:
    """/catalog names each release as a version of the dataset (a dcat:Dataset with its
    dcat:version and owl:versionIRI), and stays at 0 DCAT-AP 3.0.0 violations with them."""
    from pyshacl import validate
    from rdflib import Graph, URIRef
    from rdflib.namespace import OWL, SH

    from test_dcat_ap import DCAT, SHAPES, results

    r = client.get("/catalog", headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    catalogue = Graph().parse(data=r.text, format="turtle")
    dataset = URIRef(DATASET_IRI)
    versions = {str(catalogue.value(v, DCAT.version)): v
                for v in catalogue.objects(dataset, DCAT.hasVersion)}
    assert sorted(versions) == ["1.0", "1.1"]
    for version, node in versions.items():
        assert str(node) == f"https://w3id.org/future-industries/release/{version}"
        assert catalogue.value(node, OWL.versionIRI) == node
        assert (None, DCAT.dataset, node) in catalogue
    assert catalogue.value(versions["1.1"], DCAT.previousVersion) == versions["1.0"]
    assert catalogue.value(dataset, DCAT.hasCurrentVersion) == versions["1.1"]
    shapes = Graph().parse(SHAPES, format="turtle")
    conforms, report, _text = validate(catalogue, shacl_graph=shapes, inference="none")
    violations = results(report, SH.Violation)
    assert violations == [] and conforms, "\n".join(violations)
