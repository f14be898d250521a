"""Coverage: the article's clauses are each covered by a fact's quote or marked out of scope
with a reason; `kg coverage` reports it (table, JSON, --fail-under) and the build records it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from _graph import View, select
from _project import ROOT, copy_project, kg
from kg.build import coverage
from kg.errors import ExitCode
from kg.store import Build
from kg.vocab import EVIDENCE_GRAPH, FI, XSD

SOURCE = "https://w3id.org/future-industries/id/source/article"
SCOPE = ROOT / "sources" / "article.scope.toml"


def test_every_clause_of_the_article_is_covered_or_marked() -> None:
    found, located = coverage.of_project("article")
    article = found[SOURCE]
    assert located.missing == [] and article.stale == []
    assert [c.text for c in article.clauses if c.state == "open"] == []
    assert article.percent == 100.0
    assert article.count("covered") > 140 and article.count("out of scope") > 0


def test_the_known_gaps_are_facts_now() -> None:
    """The issue's three gaps are covered by quotes, not marked."""
    article = coverage.of_project("article")[0][SOURCE]
    for text in ("构建未来产业创新发展生态", "上海实施加快培育未来产业的“六大计划”",
                 "点、线、面、体立体化推进", "为未来产业发展创造良好生态"):
        states = {c.state for c in article.clauses if text in c.text}
        assert states == {"covered"}, text


def test_docs_list_every_mark() -> None:
    docs = (ROOT / "docs" / "data.md").read_text("utf-8")
    for mark in coverage.marks(ROOT / "sources" / "article.zh.txt"):
        assert mark.text.strip()[:12] in docs and mark.reason in docs, mark


def test_marks_survive_edits_elsewhere_and_stale_ones_are_reported() -> None:
    marks = [coverage.Mark("乙丙", "background"), coverage.Mark("戊", "gone")]
    before = coverage.measure("s", "甲,乙丙。丁。", [(0, 1)], marks)
    after = coverage.measure("s", "新的一句。甲,乙丙。丁丁。", [(5, 6)], marks)
    assert [(c.text, c.state) for c in after.clauses] == [
        ("新的一句", "open"), ("甲", "covered"), ("乙丙", "out of scope"), ("丁丁", "open")]
    assert before.count("out of scope") == after.count("out of scope") == 1
    assert [m.text for m in after.stale] == ["戊"]


def test_kg_coverage_json_and_table() -> None:
    run = kg("coverage", "--format", "json", cwd=ROOT)
    assert run.returncode == 0, run.stderr
    doc = json.loads(run.stdout)[SOURCE]
    assert doc["percent"] == 100.0 and doc["open"] == 0
    text = (ROOT / "sources" / "article.zh.txt").read_bytes().decode("utf-8")
    assert all(text[c["start"]:c["end"]] == c["text"] for c in doc["clauses"])
    assert {c["state"] for c in doc["clauses"]} == {"covered", "out of scope"}
    table = kg("coverage", "article", "--fail-under", "100", cwd=ROOT)
    assert table.returncode == 0 and "100.0 % covered or marked" in table.stdout


def test_kg_coverage_fails_under_the_threshold(tmp_path: Path) -> None:
    copy = copy_project(tmp_path / "copy")
    scope = copy / "sources" / "article.scope.toml"
    marks = scope.read_text("utf-8")
    dropped = '[[out-of-scope]]\ntext = "具体来说,"\nreason = "framing: introduces the details of Zhejiang\'s three platforms"\n'
    assert dropped in marks
    scope.write_text(marks.replace(dropped, ""), "utf-8")
    run = kg("coverage", "--fail-under", "100", cwd=copy)
    assert run.returncode == ExitCode.INVALID_DATA
    assert re.search(r"│ +\d+–\d+ │ open +│ 具体来说 +│", run.stdout), run.stdout
    assert kg("coverage", "--fail-under", "99", cwd=copy).returncode == 0
    assert kg("coverage", "no-such", cwd=copy).returncode == ExitCode.NOT_FOUND
    scope.write_text('[[out-of-scope]]\ntext = "x"\n', "utf-8")
    bad = kg("coverage", cwd=copy)
    assert bad.returncode == ExitCode.INVALID_SYNTAX and f"{scope}:1:" in bad.stderr


def test_the_build_records_the_coverage(curated_build: Build) -> None:
    figures = curated_build.manifest()["evidence"]["coverage"][SOURCE]
    assert figures["percent"] == 100.0 and figures["open"] == 0
    rows = select(View(curated_build.open(), (EVIDENCE_GRAPH,)), f"""
        SELECT ?n ?covered ?out ?pct WHERE {{ <{SOURCE}> fi:clauseCount ?n ;
          fi:clausesCovered ?covered ; fi:clausesOutOfScope ?out ; fi:coveragePercent ?pct }}""")
    assert rows == [{"n": str(figures["clauses"]), "covered": str(figures["covered"]),
                     "out": str(figures["out_of_scope"]), "pct": "100"}]


@pytest.mark.parametrize(("text", "clauses"), [
    ("甲,乙;丙。", ["甲", "乙", "丙"]),
    ("《甲,乙》提出,丙、丁", ["《甲,乙》提出", "丙、丁"]),
    ("“甲。乙”丙\n丁", ["“甲。乙”丙", "丁"]),
    (">\n\n甲", ["甲"]),
])
def test_clauses(text: str, clauses: list[str]) -> None:
    assert [c.text for c in coverage.clauses(text)] == clauses


def test_the_source_page_shows_the_coverage(local_client: httpx.Client) -> None:
    ttl = local_client.get("/id/source/article", headers={"Accept": "text/turtle"})
    assert ttl.status_code == 200
    triples = {t.triple for t in ox.parse(ttl.content, format=ox.RdfFormat.TURTLE)}
    percent = [t.object for t in triples
               if t.subject == ox.NamedNode(SOURCE) and t.predicate == FI.coveragePercent]
    assert [(float(p.value), p.datatype) for p in percent] == [(100.0, XSD.decimal)]
    page = local_client.get("/id/source/article", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "clauses covered" in page.text
