"""Rebuilds reuse what did not change: nothing changed → no new build; HermiT's judgement
reused when what it reads did not change (or only annotations did); a changed file is
rebuilt and answers reflect it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pyoxigraph import Literal, Quad

from kg import settings
from kg.cli import main
from kg.store import Location
from kg.vocab import FI, ID, OWL, RDF, RDFS, graph_for

#: What a rebuild of unchanged facts reuses: HermiT's judgement, the compiled shapes, the
#: catalogue's graph (in the order of the stages).
ALL = ["hermit", "shapes", "catalogue"]


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    """A copy of the curated data (external datasets aside) to edit."""
    data = tmp_path / "data"
    shutil.copytree(settings.resources().data, data, ignore=shutil.ignore_patterns("external"))
    return data


def english_label(loc: Path, entity: str) -> set[str]:
    store = Location(loc).require_current().open()
    return {q.object.value for q in store.quads_for_pattern(ID[entity], RDFS.label, None, None)
            if isinstance(q.object, Literal) and q.object.language == "en"}


def test_rebuild_reuses_and_rebuilds_what_changed(
        project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    loc = tmp_path / "kg"
    args = ["build", "--location", str(loc), str(project)]
    assert main(args) == 0
    first = Location(loc).require_current()
    made = first.manifest()
    assert made["reused"] == [] and made["inputs"]
    capsys.readouterr()

    assert main(args) == 0  # nothing changed: no new build
    assert f"unchanged: build {first.id} is current" in capsys.readouterr().err
    assert Location(loc).require_current().id == first.id
    assert sorted(p.name for p in (loc / "builds").iterdir()) == [first.id]

    assert main([*args, "--force"]) == 0  # built again: HermiT's judgement reused
    forced = Location(loc).require_current()
    assert forced.id != first.id and forced.manifest()["reused"] == ALL
    assert forced.manifest()["graphs"] == made["graphs"]  # the same graphs, the same sizes
    assert forced.manifest()["classes"] == made["classes"]

    path = project / "regions.ttl"
    path.write_text(path.read_text("utf-8").replace('"Beijing"@en', '"Peking"@en'), "utf-8")
    assert main(args) == 0  # a label changed: a new build, HermiT's judgement kept (OWL 2
    relabelled = Location(loc).require_current()  # gives annotations no meaning)
    assert relabelled.id not in (first.id, forced.id)
    assert relabelled.manifest()["reused"] == ALL
    assert relabelled.manifest()["inputs"] != made["inputs"]
    assert english_label(loc, "region/beijing") == {"Peking"}

    with path.open("a", encoding="utf-8") as fh:  # a fact: the rules judge it (a model of
        fh.write("\nregion:china a fi:Region .\n")  # the ontology), HermiT the ontology
    assert main(args) == 0
    retyped = Location(loc).require_current()
    assert retyped.id != relabelled.id and retyped.manifest()["reused"] == ALL
    assert retyped.manifest()["hermit"] == "ontology; rules: curated+sources"
    store = retyped.open()
    assert Quad(ID["region/china"], RDF.type, FI.Region, graph_for("data/regions")) in store

    with path.open("a", encoding="utf-8") as fh:  # an equality the rules do not decide,
        fh.write(f"\nregion:china <{OWL.sameAs.value}> region:china .\n")  # HermiT judges
    assert main(args) == 0
    same = Location(loc).require_current()
    assert same.manifest()["reused"] == ["shapes", "catalogue"]
    assert same.manifest()["hermit"] == "ontology+curated+sources"


def test_a_small_build_written_at_the_end_holds_what_the_writer_wrote(
        project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A small build reaches the disk in one load at the end; a larger one file by file while
    it runs. Both stores hold the same quads (blank nodes compared by what they say)."""
    from kg.build import pipeline

    at_end = pipeline.build(tmp_path / "a", [project])
    monkeypatch.setattr(settings, "WRITE_AT_END_BYTES", 0)
    meanwhile = pipeline.build(tmp_path / "b", [project])
    assert at_end.graphs == meanwhile.graphs
    stores = [Location(tmp_path / x).require_current().open() for x in "ab"]
    build = graph_for("build")
    quads = [{q for q in s if q.graph_name != build} for s in stores]
    named = [{q for q in qs if not _blank(q)} for qs in quads]
    assert named[0] == named[1] and len(named[0]) > 10_000
    blank = [sorted(_shape(q) for q in qs if _blank(q)) for qs in quads]
    assert blank[0] == blank[1] and blank[0]  # the ontology's lists and unions


def _blank(q: Quad) -> bool:
    return "_:" in f"{q.subject} {q.object}"


def _shape(q: Quad) -> str:
    return " ".join("_" if str(t).startswith("_:") else str(t)
                    for t in (q.subject, q.predicate, q.object, q.graph_name))
