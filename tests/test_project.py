"""Projects: `kg` works on the folder it runs in (its kg.toml), or the one --project names;
`kg init` makes a new project that builds, answers its example question and is served."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode

from _project import ROOT, SRC, copy_project, kg
from _server import Server
from kg import settings
from kg.errors import ExitCode
from kg.store import Location

BEIJING = NamedNode("https://w3id.org/future-industries/id/region/beijing")
RDFS_LABEL = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")


def _builds(location: Path) -> list[str]:
    builds = location / "builds"
    return sorted(p.name for p in builds.iterdir()) if builds.is_dir() else []


def test_this_repository_is_a_project() -> None:
    project = settings.resources()
    assert project.file.is_file() and project.name == "future-industries"
    assert project.data == ROOT / "data" and project.shapes == ROOT / "ontology" / "shapes.ttl"


@pytest.mark.slow
def test_kg_build_in_a_copy_builds_the_copy(tmp_path: Path) -> None:
    copy = copy_project(tmp_path / "copy")
    beijing = copy / "data" / "regions.ttl"
    text = beijing.read_text("utf-8")
    assert '"Beijing"@en' in text
    beijing.write_text(text.replace('"Beijing"@en', '"Beijing (edited in the copy)"@en', 1),
                       "utf-8")
    original = _builds(ROOT / "var" / "kg")
    run = kg("build", cwd=copy / "data")  # found upward from a subfolder
    assert run.returncode == 0, run.stderr
    store = Location(copy / "var" / "kg").require_current().open()
    labels = {q.object for q in store.quads_for_pattern(BEIJING, RDFS_LABEL, None)}
    assert Literal("Beijing (edited in the copy)", language="en") in labels
    assert Literal("Beijing", language="en") not in labels
    assert _builds(ROOT / "var" / "kg") == original  # the original's store untouched


def test_a_broken_file_in_the_copy_is_read(tmp_path: Path) -> None:
    """The issue's case: a broken file in a copy was never read (the first checkout was built)."""
    copy = copy_project(tmp_path / "copy")
    (copy / "data" / "regions.ttl").write_text("@prefix broken", "utf-8")
    run = kg("check", cwd=copy)
    assert run.returncode == ExitCode.INVALID_SYNTAX, run.stderr
    assert f"{copy / 'data' / 'regions.ttl'}:1:" in run.stderr


def test_no_project_says_how_to_make_one(tmp_path: Path) -> None:
    run = kg("build", cwd=tmp_path)
    assert run.returncode == ExitCode.NOT_FOUND
    assert "no kg.toml" in run.stderr and "kg init" in run.stderr
    assert list(tmp_path.iterdir()) == []


def test_project_option_names_the_project(tmp_path: Path) -> None:
    copy = copy_project(tmp_path / "copy")
    (copy / "queries" / "count-notes.rq").unlink()
    listed = kg("--project", str(copy), "queries", "--format", "json", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    names = {q["name"] for q in json.loads(listed.stdout)}
    assert "count-targets" in names and "count-notes" not in names
    assert kg("--project", str(tmp_path), "queries", cwd=ROOT).returncode == ExitCode.NOT_FOUND


def test_a_malformed_project_file_is_named_with_its_line(tmp_path: Path) -> None:
    copy = copy_project(tmp_path / "copy")
    (copy / "kg.toml").write_text('[project]\nname = "x"\ntitle = \n', "utf-8")
    run = kg("queries", cwd=copy)
    assert run.returncode == ExitCode.INVALID_SYNTAX
    assert f"{copy / 'kg.toml'}:3:" in run.stderr


@pytest.mark.slow
def test_init_build_query_and_serve_a_fresh_project(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh"
    made = kg("init", str(fresh), cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert kg("init", str(fresh), cwd=tmp_path).returncode == ExitCode.USAGE  # not empty
    built = kg("build", cwd=fresh)
    assert built.returncode == 0, built.stderr
    asked = kg("query", "example", "--format", "json", cwd=fresh)
    assert asked.returncode == 0, asked.stderr
    expected = {("https://example.org/fresh/id/plan-example", "某市发布《某市未来产业示范方案》"),
                ("https://example.org/fresh/id/target-example-2030",
                 "提出到2030年建成一批未来产业先导区")}
    assert _facts(json.loads(asked.stdout)) == expected
    env = {"PYTHONPATH": str(SRC), settings.ENV_PROJECT: ""}
    with Server(fresh / "var" / "kg", "--workers", "1", env=env, cwd=fresh) as srv:
        r = srv.client().get("/queries/example", headers={"Accept": "application/sparql-results+json"})
        assert r.status_code == 200, r.text
        assert _facts(r.json()) == expected


def _facts(result: dict) -> set[tuple[str, str]]:
    return {(b["fact"]["value"], b["quote"]["value"]) for b in result["results"]["bindings"]}


def test_the_project_file_agrees_with_what_the_server_publishes() -> None:
    """kg.toml holds the project's name, title, description, base IRI, licence, publisher and
    languages; the server's dataset description (kg.rdf.void.of_project) says what it did
    before they moved there from constants."""
    from kg import vocab
    from kg.rdf import void

    project = settings.resources()
    about = void.of_project(project)
    assert about.title == {"zh": "未来产业知识图谱", "en": "Future industries knowledge graph"}
    assert about.description["en"].startswith("A knowledge graph of China's future-industry")
    assert about.description["zh"].startswith("中国各级政府未来产业政策文件")
    assert about.iri == vocab.DATASET_IRI and about.base == vocab.BASE
    assert about.licence == vocab.DATA_LICENSE.value and about.licence_name == "CC BY 4.0"
    assert about.publisher == vocab.PUBLISHER_NAME
    assert project.languages == about.languages == settings.LANGS


@pytest.mark.slow
def test_a_fresh_project_is_described_by_its_own_project_file(tmp_path: Path) -> None:
    """/catalog (DCAT) and /.well-known/void of a `kg init` project say its kg.toml's title,
    description, licence, publisher, base IRI and languages, never this project's."""
    from pyoxigraph import RdfFormat, parse

    from kg.vocab import DATASET_IRI, DCAT, DCTERMS, FOAF

    fresh = tmp_path / "own"
    assert kg("init", str(fresh), cwd=tmp_path).returncode == 0
    toml = fresh / "kg.toml"
    text = toml.read_text("utf-8")
    for old, new in (
        ('title = { zh = "own 知识图谱", en = "own knowledge graph" }',
         'title = { en = "Harbour cranes" }'),
        ('base = "https://example.org/own/"', 'base = "https://cranes.example/"'),
        ('licence = "https://creativecommons.org/licenses/by/4.0/"',
         'licence = "https://creativecommons.org/publicdomain/zero/1.0/"'),
        ('licence_name = "CC BY 4.0"', 'licence_name = "CC0 1.0"'),
        ('languages = ["zh", "en"]', 'languages = ["en"]'),
        ('publisher = "own curators"', 'publisher = "Port authority"'),
        ('description = { zh = "own 的知识图谱。", en = "The own knowledge graph." }',
         'description = "Every crane of the harbour."'),
    ):
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    toml.write_text(text, "utf-8")
    assert kg("build", cwd=fresh).returncode == 0
    released = kg("release", "1.0", cwd=fresh)
    assert released.returncode == 0 and "https://cranes.example/release/1.0" in released.stderr
    env = {"PYTHONPATH": str(SRC), settings.ENV_PROJECT: ""}
    with Server(fresh / "var" / "kg", "--workers", "1", env=env, cwd=fresh) as srv, \
            srv.client() as client:
        for path in ("/catalog", "/.well-known/void"):
            r = client.get(path, headers={"Accept": "application/n-triples"})
            assert r.status_code == 200, (path, r.text)
            triples = list(parse(r.content, format=RdfFormat.N_TRIPLES))
            dataset = NamedNode("https://cranes.example/dataset")

            def values(subject: NamedNode, predicate: NamedNode) -> set[str]:
                return {t.object.value for t in triples  # noqa: B023 (used at once)
                        if t.subject == subject and t.predicate == predicate}

            assert values(dataset, DCTERMS.title) == {"Harbour cranes"}, path
            assert values(dataset, DCTERMS.description) == {"Every crane of the harbour."}
            assert values(dataset, DCTERMS.license) == {
                "https://creativecommons.org/publicdomain/zero/1.0/"}
            assert values(dataset, DCTERMS.language) == {
                "http://publications.europa.eu/resource/authority/language/ENG"}
            publisher = NamedNode(next(iter(values(dataset, DCTERMS.publisher))))
            assert values(publisher, FOAF.name) == {"Port authority"}
            if path == "/catalog":
                assert values(dataset, DCAT.hasVersion) == {"https://cranes.example/release/1.0"}
            said = r.text
            for ours in (DATASET_IRI, "Future industries", "未来产业", "creativecommons.org/"
                         "licenses/by/4.0", "future-industries-kg developers"):
                assert ours not in said, (path, ours)
        page = client.get("/", headers={"Accept": "text/html"})
        assert '"name": "Harbour cranes"' in page.text and "CC0 1.0" in page.text
