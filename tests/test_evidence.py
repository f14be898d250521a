"""Sources are part of the project: the build checks each registered text's checksum, finds
every quote, wording and plan title in the text of the source it cites (file:line and the
source named when one is not there) and records where each lies as Web Annotations."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pyoxigraph as ox
import pytest

from _graph import View, asserted, select
from _linking import clone_location
from _project import ROOT, copy_project
from kg import settings
from kg.build import build, shacl
from kg.build.evidence import evidence_iri
from kg.errors import EvidenceError, ExitCode
from kg.store import Build, Location
from kg.vocab import EVIDENCE_GRAPH

ARTICLE = ROOT / "sources" / "article.zh.txt"
SEED = ROOT.parent / "shared" / "seed" / "future-industries-article.zh.txt"
SOURCE = "https://w3id.org/future-industries/id/source/article"
QUOTE = "形成一批颠覆性技术和重大原创成果"


@pytest.fixture(scope="module")
def annotations(curated_build: Build) -> list[dict[str, str]]:
    return select(View(curated_build.open(), (EVIDENCE_GRAPH,)), """
        SELECT ?a ?body ?source ?exact ?prefix ?suffix ?start ?end WHERE {
          ?a a oa:Annotation ; oa:motivatedBy oa:describing ; oa:hasBody ?body ;
             oa:hasTarget ?t .
          ?t a oa:SpecificResource ; oa:hasSource ?source ; oa:hasSelector ?q , ?p .
          ?q a oa:TextQuoteSelector ; oa:exact ?exact ; oa:prefix ?prefix ; oa:suffix ?suffix .
          ?p a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end }""")


def test_the_article_is_in_the_project_byte_for_byte() -> None:
    if SEED.is_file():
        assert ARTICLE.read_bytes() == SEED.read_bytes()
    rows = select(asserted(_source_store()), "SELECT ?sha WHERE { ?s fi:textSha256 ?sha }")
    assert [r["sha"] for r in rows] == [hashlib.sha256(ARTICLE.read_bytes()).hexdigest()]


def _source_store() -> ox.Store:
    store = ox.Store()
    store.load(path=str(ROOT / "data" / "source.ttl"), format=ox.RdfFormat.TURTLE,
               to_graph=ox.NamedNode("https://w3id.org/future-industries/graph/data/source"))
    return store


def test_every_annotation_is_the_text_at_its_offsets(
        annotations: list[dict[str, str]], curated_build: Build) -> None:
    text = ARTICLE.read_bytes().decode("utf-8")
    assert len(annotations) == curated_build.manifest()["evidence"]["located"] > 300
    for a in annotations:
        start, end = int(a["start"]), int(a["end"])
        assert a["source"] == SOURCE
        assert text[start:end] == a["exact"], a
        assert text[max(0, start - 32):start] == a["prefix"]
        assert text[end:end + 32] == a["suffix"]
        assert a["a"] == evidence_iri(a["body"], a["exact"]).value


def test_every_verbatim_text_is_annotated(annotations: list[dict[str, str]],
                                           curated_build: Build) -> None:
    """The quotes, wordings and titles the build must find are exactly those annotated."""
    rows = select(asserted(curated_build.open()), """
        SELECT ?s ?text WHERE {
          { VALUES ?p { fi:sourceQuote fi:wording fi:originalWording fi:dateAsStated
                        fi:countedThing } ?s ?p ?text }
          UNION { ?s a/rdfs:subClassOf* fi:Plan ; dcterms:title ?text }
          FILTER(LANG(?text) = "zh") }""")
    assert len(rows) > 300
    assert {(r["s"], r["text"]) for r in rows} == {(a["body"], a["exact"]) for a in annotations}


def test_a_wording_lies_inside_its_facts_quote(annotations: list[dict[str, str]]) -> None:
    """Shenzhen's “细胞与基因” is placed in the quote of its own sector link."""
    link = "https://w3id.org/future-industries/id/sector-link/shenzhen--"
    spans = {(a["body"], a["exact"]): (int(a["start"]), int(a["end"])) for a in annotations}
    mine = {k: v for k, v in spans.items() if k[0].startswith(link) and "扩张期" not in k[0]}
    quotes = [v for (body, exact), v in mine.items() if "细胞与基因" in exact and len(exact) > 5]
    wording = [v for (body, exact), v in mine.items() if exact == "细胞与基因"]
    assert quotes and wording and quotes[0][0] <= wording[0][0] < wording[0][1] <= quotes[0][1]


def test_the_evidence_graph_passes_shacl(curated_build: Build) -> None:
    store = curated_build.open()
    graphs = [*asserted(store).graphs, EVIDENCE_GRAPH]
    assert shacl.validate(store, graphs, settings.shapes_path()) == []


def test_a_quote_changed_by_one_character_fails_the_build(
        tmp_path: Path, curated_location: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy = copy_project(tmp_path / "copy")
    beijing = copy / "data" / "beijing.ttl"
    lines = beijing.read_text("utf-8").splitlines(keepends=True)
    number = next(i for i, line in enumerate(lines)
                  if "fi:sourceQuote" in line and f'"{QUOTE}"' in line)
    lines[number] = lines[number].replace("原创", "原始")
    beijing.write_text("".join(lines), "utf-8")
    location = clone_location(curated_location, tmp_path / "kg")
    before = Location(location).require_current().id
    monkeypatch.setenv(settings.ENV_PROJECT, str(copy))
    with pytest.raises(EvidenceError) as info:
        build(location)
    message = str(info.value)
    assert f"{beijing}:{number + 1}: “形成一批颠覆性技术和重大原始成果”" in message
    assert f"<{SOURCE}> (article.zh.txt)" in message and len(info.value.problems) == 1
    assert info.value.exit_code == ExitCode.INVALID_DATA
    current = Location(location).require_current()
    assert current.id == before and [p.name for p in (location / "builds").iterdir()] == [before]


def test_a_changed_text_fails_the_build_naming_the_file(
        tmp_path: Path, curated_location: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy = copy_project(tmp_path / "copy")
    text = copy / "sources" / "article.zh.txt"
    text.write_bytes(text.read_bytes() + b"\n")
    location = clone_location(curated_location, tmp_path / "kg")
    monkeypatch.setenv(settings.ENV_PROJECT, str(copy))
    with pytest.raises(EvidenceError) as info:
        build(location)
    assert str(info.value).splitlines()[1].startswith(f"  {text}: its SHA-256 is ")
    assert f"{copy / 'data' / 'source.ttl'}:" in str(info.value)


def test_the_build_record_counts_the_located_quotes(curated_build: Build) -> None:
    figures = json.loads((curated_build.path / "build.json").read_text("utf-8"))["evidence"]
    assert figures["sources_without_text"] == []
    assert figures["by_source"] == {SOURCE: figures["located"]}


def test_kg_check_finds_a_quote_that_is_not_in_the_source(tmp_path: Path) -> None:
    """`kg check` (nothing written) runs the same step; the shapes pass, the quote does not."""
    from kg.build import check

    fact = tmp_path / "invented.ttl"
    fact.write_text("""
@prefix fi: <https://w3id.org/future-industries/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
<https://w3id.org/future-industries/id/target/beijing-2040-invented> a fi:QualitativeTarget ;
    rdfs:label "北京:到2040年(虚构)"@zh , "Beijing by 2040 (invented)"@en ;
    rdfs:comment "Invented for a test."@en ;
    fi:targetOf <https://w3id.org/future-industries/id/plan/beijing-future-industry-implementation-plan> ;
    fi:targetYear "2040"^^xsd:gYear ;
    fi:originalWording "形成一批颠覆性技术"@zh ;
    prov:wasDerivedFrom <https://w3id.org/future-industries/id/source/article> ;
    fi:sourceQuote "到2040年形成一批颠覆性技术"@zh .
""", "utf-8")
    data = sorted((ROOT / "data").glob("*.ttl"))
    with pytest.raises(EvidenceError) as info:
        check([*data, fact])
    assert [p.split(": ", 1)[0] for p in info.value.problems] == [f"{fact}:13"]
    assert "“到2040年形成一批颠覆性技术”" in str(info.value)  # the wording alone is in the text
