"""The curated data: consistent (HermiT), valid (SHACL), faithful to the article, and
broken data is reported with what is wrong and where."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from _graph import (
    FI,
    FIXTURES,
    ID,
    View,
    article_text,
    asserted,
    file_ntriples,
    ntriples,
    ontology,
    select,
    short,
)
from kg import settings
from kg.build import check, hermit, shacl
from kg.errors import InconsistencyError, KgError, ParseError, ValidationError
from kg.store import Build
from kg.vocab import GRAPH, GRAPH_BASE

BROKEN = FIXTURES / "broken"
KINDS = ("region", "agency", "plan", "sector", "sector-link", "target", "action", "amount",
         "source", "scheme", "treatment", "qualifier")
IRI_PATTERN = re.compile(
    rf"^{re.escape(ID)}({'|'.join(KINDS)})/[a-z0-9]+(?:-{{1,2}}[a-z0-9]+)*$"
)
# Every Wikidata ID listed in shared/reference/identifiers.md (nothing else may be linked).
VERIFIED_WIKIDATA = {
    "Q148", "Q956", "Q8686", "Q16967", "Q57052", "Q46913", "Q15175", "Q43407", "Q43684",
    "Q15174", "Q170247", "Q170322", "Q2632041", "Q584529", "Q897410", "Q2264109",
    "Q20514253", "Q213901", "Q193091", "Q176555", "Q862838", "Q1066289", "Q641442",
    "Q25052165", "Q497166", "Q11660", "Q1363408", "Q467054", "Q11468", "Q39099",
}
VERIFIED_GEONAMES = {
    "1814991", "2038349", "1816670", "1796231", "1796236", "1784764", "1806222", "1795912",
    "1809935", "1796328", "1808520", "1795565", "1805753", "1797929",
}
VERBATIM_PROPERTIES = ("sourceQuote", "wording", "originalWording", "dateAsStated")


@pytest.fixture(scope="module")
def data(curated_build: Build) -> View:
    """The asserted triples only (ontology + data + linksets, no inference)."""
    return asserted(curated_build.open())


@pytest.fixture(scope="module")
def kg(curated_build: Build) -> View:
    """Everything the build made: sources, HermiT and rule inferences (union of graphs)."""
    return View(curated_build.open())


# ---------------------------------------------------------------- consistency and validity


def test_hermit_finds_ontology_and_data_consistent(data: View, kg: View) -> None:
    """The build's HermiT step on ontology + data (InconsistencyError if it has no model);
    the store holds everything HermiT infers."""
    inferred = hermit.reason_ntriples(ntriples(data))
    assert inferred
    assert [t for t in inferred if not list(kg.quads(*map(ox.NamedNode, t)))] == []


def test_shacl_conforms(data: View) -> None:
    """The build's pySHACL step accepts violations-free data with warnings; the tests accept
    no result of either severity."""
    results = shacl.validate(data.store, list(data.graphs), settings.shapes_path())
    assert results == [], "\n".join(map(str, results[:20]))


# ---------------------------------------------------------------- faithful to the article


def test_quotes_titles_and_wordings_are_verbatim(data: View) -> None:
    """Independent of the build's own check (kg.build.evidence, tests/test_evidence.py)."""
    article = article_text()
    props = " ".join(f"fi:{p}" for p in VERBATIM_PROPERTIES)
    rows = select(data, f"""
        SELECT ?s ?text WHERE {{
          {{ VALUES ?p {{ {props} }} ?s ?p ?text }}
          UNION {{ ?s a fi:Plan ; dcterms:title ?text }}
          UNION {{ ?s fi:countedThing ?text }}
          FILTER(LANG(?text) = "zh") }}""")
    assert len(rows) > 200
    missing = {(short(r["s"]), r["text"]) for r in rows if r["text"] not in article}
    assert missing == set()


def test_inferred_links_are_never_asserted(data: View) -> None:
    rows = select(data, """
        SELECT ?s ?p WHERE { VALUES ?p { fi:coversSector fi:targetsSector } ?s ?p ?o }""")
    assert rows == []


def test_covers_sector_is_inferred_from_every_link(kg: View) -> None:
    links = select(
        kg, "SELECT ?plan ?sector WHERE { ?plan fi:hasSectorLink/fi:linkedSector ?sector }"
    )
    covers = select(kg, "SELECT ?plan ?sector WHERE { ?plan fi:coversSector ?sector }")
    expected = {(r["plan"], r["sector"]) for r in links}
    assert len(expected) == 97  # 102 before Jiangxi's 5 advantage fields became strength links
    assert {(r["plan"], r["sector"]) for r in covers} == expected


def test_an_advantage_field_is_not_a_target(kg: View) -> None:
    """Jiangxi's existing strengths (优势领域) are queryable as fi:buildsOnSector and
    fi:hasStrengthLink, and make neither fi:coversSector nor fi:targetsSector true."""
    strengths = {short(r["sector"]) for r in select(kg, """
        SELECT ?sector WHERE { ?plan fi:buildsOnSector ?sector ; fi:forRegion region:jiangxi }""")}
    assert strengths == {"sector/aviation", "sector/electronic-information",
                         "sector/equipment-manufacturing", "sector/new-energy",
                         "sector/new-materials"}
    links = select(kg, """SELECT ?link ?t WHERE { ?plan fi:hasStrengthLink ?link .
                                                 ?link fi:treatment ?t }""")
    assert {short(r["t"]) for r in links} == {"treatment/advantage-field"} and len(links) == 5
    targeted = select(kg, """SELECT ?s WHERE { VALUES ?s { sector:aviation sector:new-energy
        sector:electronic-information sector:equipment-manufacturing sector:new-materials }
        { region:jiangxi fi:targetsSector ?s } UNION { ?plan fi:coversSector ?s ;
          fi:forRegion region:jiangxi } UNION { ?plan fi:hasSectorLink/fi:treatment
          treatment:advantage-field } }""")
    assert targeted == []


def test_shenzhen_cell_and_gene_is_labelled_as_the_article_says(data: View) -> None:
    rows = select(data, """SELECT ?label WHERE {
        ?link fi:wording "细胞与基因"@zh ; rdfs:label ?label FILTER(LANG(?label) = "en") }""")
    assert [r["label"] for r in rows] == [
        "Shenzhen future-industry action plan: cell and gene (expansion stage)"]


def test_every_entity_iri_follows_the_pattern(data: View) -> None:
    subjects = {q.subject.value for q in data.quads() if isinstance(q.subject, ox.NamedNode)}
    ours = {s for s in subjects if s.startswith(ID)}
    assert {s for s in ours if not IRI_PATTERN.match(s)} == set()


def test_no_blank_nodes_in_data(data: View) -> None:
    for graph in data.graphs:
        if graph != GRAPH.ontology:
            quads = View(data.store, (graph,)).quads()
            assert not [q for q in quads if isinstance(q.subject, ox.BlankNode)], graph.value


# ---------------------------------------------------------------- curation rules


def test_issuers(data: View) -> None:
    rows = select(data, "SELECT ?plan ?issuer WHERE { ?plan fi:issuedBy ?issuer }")
    issuers = {short(r["plan"]).split("/")[1].split("-")[0]: short(r["issuer"]) for r in rows}
    assert issuers == {
        "miit": "agency/miit",
        "14th": "region/china",
        "shanxi": "agency/shanxi-provincial-government",
        "beijing": "agency/beijing-municipal-government",
        "shanghai": "region/shanghai",
        "shenzhen": "region/shenzhen",
        "jiangxi": "region/jiangxi",
        "zhejiang": "region/zhejiang",
        "shandong": "region/shandong",
        "henan": "region/henan",
    }
    noted = select(data, """
        SELECT ?plan WHERE { ?plan fi:issuedBy ?issuer ; skos:editorialNote ?n
          FILTER(CONTAINS(?n, "issuer is taken")) }""")
    assert {short(r["plan"]) for r in noted} == {
        "plan/shandong-manufacturing-innovation-action-plan-2023-2025",
        "plan/henan-manufacturing-powerhouse-action-plan-2023-2025",
        "plan/14th-five-year-plan-outline",
    }


def test_dates_are_only_as_precise_as_the_article(data: View) -> None:
    rows = select(data, """
        SELECT ?plan ?date (DATATYPE(?date) AS ?type) WHERE { ?plan fi:dateIssued ?date }""")
    dates = {(short(r["plan"]).split("-")[0], r["date"], r["type"].rsplit("#")[-1]) for r in rows}
    assert dates == {
        ("plan/shanxi", "2021-05", "gYearMonth"),
        ("plan/shenzhen", "2022-06", "gYearMonth"),
        ("plan/shanghai", "2022-09", "gYearMonth"),
        ("plan/jiangxi", "2023-01", "gYearMonth"),
        ("plan/zhejiang", "2023-02", "gYearMonth"),
        ("plan/beijing", "2023-09-08", "date"),
    }
    stated = select(data, """
        SELECT ?d WHERE { ?p fi:dateAsStated ?d FILTER NOT EXISTS { ?p fi:dateIssued ?x } }""")
    assert {r["d"] for r in stated} == {"9月13日"}


def test_amounts_are_decimal_yuan(data: View) -> None:
    rows = select(data, """
        SELECT ?a ?v ?w WHERE { ?a qudt:numericValue ?v ; qudt:unit unit:CCY_CNY ;
          fi:originalWording ?w FILTER(DATATYPE(?v) = xsd:decimal) }""")
    assert {(r["w"], int(r["v"])) for r in rows} == {
        ("8000亿元", 800_000_000_000),
        ("超千亿元", 100_000_000_000),
        ("5000亿元左右", 500_000_000_000),
        ("1000亿元", 100_000_000_000),
        ("500亿元级", 50_000_000_000),
        ("千亿元级", 100_000_000_000),
    }
    assert len(rows) == 7  # 超千亿元 twice (Shanxi, Zhejiang)


def test_qualifiers(data: View) -> None:
    rows = select(data, "SELECT ?x ?q WHERE { ?x fi:qualifier ?q }")
    found = {(short(r["x"]), short(r["q"]).split("/")[1]) for r in rows}
    assert found == {
        ("amount/shanghai-2030-output-value", "approximately"),
        ("target/shandong-2025-clusters", "approximately"),
        ("target/zhejiang-2035-chain-leader-enterprises", "at-least"),
        ("target/zhejiang-2035-clusters-over-100-billion", "at-least"),
        ("amount/shanxi-2025-five-industries-over-100-billion-threshold", "more-than"),
        ("amount/zhejiang-2035-clusters-over-100-billion-threshold", "more-than"),
        ("amount/jiangxi-2025-clusters-50-billion-class", "order-of-magnitude"),
        ("amount/jiangxi-2025-clusters-100-billion-class", "order-of-magnitude"),
    }


def test_count_mismatches_are_recorded(data: View) -> None:
    rows = select(data, """
        SELECT ?plan ?stated ?listed WHERE {
          ?plan fi:statedCount ?stated ; fi:listedCount ?listed ; fi:countNote ?note }""")
    found = {(short(r["plan"]).split("-")[0], int(r["stated"]), int(r["listed"])) for r in rows}
    assert found == {("plan/shanghai", 16, 15), ("plan/beijing", 20, 6), ("plan/jiangxi", 26, 5)}
    for marker, plan, listed in (("16种技术", "shanghai", 15), ("二十大", "beijing", 6),
                                 ("26个", "jiangxi", 5)):
        links = select(data, f"""
            SELECT ?l WHERE {{ ?l fi:linkOf ?p ; fi:sourceQuote ?q
              FILTER(CONTAINS(?q, "{marker}") && STRSTARTS(STR(?p), STR(plan:{plan}))) }}""")
        assert len(links) == listed, plan


def test_every_sector_reaches_a_domain_unless_noted(data: View) -> None:
    rows = select(data, """
        SELECT ?s WHERE { ?s a fi:Sector
          FILTER NOT EXISTS { ?s skos:broader* ?d . ?d a fi:Domain } }""")
    assert {short(r["s"]) for r in rows} == {"sector/future-living", "sector/future-transport"}
    domains = select(
        data, "SELECT ?d WHERE { scheme:sectors skos:hasTopConcept ?d . ?d a fi:Domain }"
    )
    assert {short(r["d"]) for r in domains} == {
        f"sector/future-{d}" for d in ("information", "manufacturing", "materials", "energy",
                                       "space", "health")
    }


def test_every_sector_is_named_by_some_plan(data: View) -> None:
    rows = select(data, """
        SELECT ?s WHERE { ?s a fi:Sector FILTER NOT EXISTS { ?l fi:linkedSector ?s } }""")
    assert rows == []


def test_same_field_different_words_is_one_concept(data: View) -> None:
    rows = select(data, "SELECT ?s ?alt WHERE { ?s a fi:Sector ; skos:altLabel ?alt }")
    alts = {(short(r["s"]), r["alt"]) for r in rows}
    assert {("sector/6g", "第六代移动通信"), ("sector/artificial-general-intelligence", "通用AI"),
            ("sector/humanoid-robot", "类人机器人"),
            ("sector/gene-and-cell-therapy", "细胞与基因")} <= alts
    narrower = select(data, "SELECT ?n ?b WHERE { ?n skos:broader ?b }")
    pairs = {(short(r["n"]), short(r["b"])) for r in narrower}
    assert ("sector/quantum-information", "sector/quantum-technology") in pairs
    assert ("sector/brain-inspired-intelligence",
            "sector/brain-science-and-brain-inspired-intelligence") in pairs


def test_links_out_are_verified_only(data: View) -> None:
    rows = select(data, """
        SELECT ?o WHERE { ?s ?p ?o FILTER(isIRI(?o) && (STRSTARTS(STR(?o), "http://www.wikidata.org/")
          || CONTAINS(STR(?o), "geonames.org"))) }""")
    wikidata = {r["o"].rsplit("/", 1)[-1] for r in rows if "wikidata" in r["o"]}
    geonames = {r["o"].rstrip("/").rsplit("/", 1)[-1] for r in rows if "geonames" in r["o"]}
    assert wikidata <= VERIFIED_WIKIDATA
    assert geonames <= VERIFIED_GEONAMES
    unlinked = select(data, """
        SELECT ?s WHERE { VALUES ?s { sector:6g sector:quantum-information
            sector:hydrogen-and-energy-storage sector:new-energy-storage
            sector:low-cost-carbon-capture-utilization-and-storage agency:miit }
          ?s skos:exactMatch|skos:closeMatch|schema:sameAs|owl:sameAs ?o }""")
    assert unlinked == []


def test_wikidata_match_strength(data: View) -> None:
    rows = select(data, """
        SELECT ?s ?p ?o WHERE { ?s ?p ?o
          FILTER(STRSTARTS(STR(?o), "http://www.wikidata.org/")
                 && STRSTARTS(STR(?p), STR(skos:))) }""")
    found = {(short(r["s"]), r["p"].rsplit("#", 1)[-1], r["o"].rsplit("/", 1)[-1]) for r in rows}
    assert ("sector/gene-and-cell-therapy", "closeMatch", "Q213901") in found
    assert {p for _, p, o in found if o == "Q176555"} == {"relatedMatch"}
    assert not [f for f in found if f[1] == "exactMatch" and f[2] in {"Q213901", "Q176555"}]


def test_regions_use_schema_same_as_not_owl_same_as(data: View) -> None:
    assert select(data, "SELECT ?s WHERE { ?s owl:sameAs ?o }") == []
    regions = select(data, "SELECT ?r WHERE { ?r a/rdfs:subClassOf* fi:Region }")
    assert len(regions) == 12
    rows = select(data, """
        SELECT ?r WHERE { ?r a/rdfs:subClassOf* fi:Region
          FILTER NOT EXISTS { ?r schema:sameAs ?x } }""")
    assert rows == []


def test_shenzhen_part_of_guangdong_is_explained(data: View) -> None:
    rows = select(data, f"""
        SELECT ?note WHERE {{ <{ID}region/shenzhen> fi:partOf <{ID}region/guangdong> ;
          skos:editorialNote ?note FILTER(LANG(?note) = "en") }}""")
    assert rows and "not from the article" in rows[0]["note"]


def test_every_editorial_note_is_in_both_languages(data: View) -> None:
    """The pages are Chinese first: each English note has its Chinese one (issue 15)."""
    rows = select(data, """
        SELECT ?s (SUM(IF(LANG(?n) = "en", 1, 0)) AS ?en) (SUM(IF(LANG(?n) = "zh", 1, 0)) AS ?zh)
        WHERE { ?s skos:editorialNote ?n } GROUP BY ?s""")
    assert rows and all(r["en"] == r["zh"] for r in rows), [r for r in rows if r["en"] != r["zh"]]


def test_data_files_are_one_per_document_or_region(curated_build: Build) -> None:
    prefix = GRAPH_BASE + "data/"
    graphs = {g.removeprefix(prefix) for g in curated_build.manifest()["graphs"]}
    names = {g for g in graphs if not g.startswith(GRAPH_BASE)}
    assert names == {"national", "beijing", "shanghai", "zhejiang", "jiangxi", "shanxi",
                     "shenzhen", "shandong", "henan", "sectors", "source", "regions"}


# ---------------------------------------------------------------- broken data is reported


@functools.cache
def _failure(*names: str) -> KgError:
    """The error the build pipeline reports for the ontology + some files (broken fixtures
    under their bare name, curated files as data/NAME); each set checked once."""
    data = settings.resources().data
    paths = [data / n[5:] if n.startswith("data/") else BROKEN / n for n in names]
    with pytest.raises(KgError) as info:
        check(paths)
    return info.value


def _violations(error: KgError) -> set[tuple[str, str | None]]:
    assert isinstance(error, ValidationError), error
    return {(short(v.focus), v.path) for v in error.violations}


def test_target_without_year_is_named_with_its_path() -> None:
    error = _failure("data/regions.ttl", "data/source.ttl", "target-without-year.ttl")
    assert _violations(error) == {("target/broken-no-year", FI + "targetYear")}


def test_plan_without_issuer_is_named_with_its_path() -> None:
    error = _failure("data/regions.ttl", "data/source.ttl", "plan-without-issuer.ttl")
    assert _violations(error) == {("plan/broken-no-issuer", FI + "issuedBy")}


def test_shacl_messages_say_what_to_do() -> None:
    error = _failure("data/regions.ttl", "data/source.ttl", "target-without-year.ttl")
    assert isinstance(error, ValidationError)
    messages = {v.message for v in error.violations}
    assert any("fi:targetYear" in m and "xsd:gYear" in m for m in messages)


def test_disjoint_classes_are_named() -> None:
    """Valid by the shapes but typed fi:Plan and fi:Target: the build's reasoning step
    names the individual and both classes."""
    error = _failure("data/regions.ttl", "data/source.ttl", "disjoint-classes.ttl")
    assert isinstance(error, InconsistencyError), error
    assert any("plan/broken-plan-and-target" in c and f"{FI}Plan" in c and f"{FI}Target" in c
               for c in error.culprits), error.culprits


def test_two_target_years_are_named_with_their_path() -> None:
    """fi:targetYear is functional; the shapes (maxCount 1) report it before reasoning."""
    error = _failure("data/regions.ttl", "data/source.ttl", "two-target-years.ttl")
    assert ("target/broken-two-years", FI + "targetYear") in _violations(error)


@pytest.mark.parametrize("name", ["disjoint-classes.ttl", "two-target-years.ttl"])
def test_hermit_reports_inconsistency(name: str, curated_build: Build) -> None:
    """HermiT itself finds no model (two years clash although it reads them as strings)."""
    onto = ntriples(ontology(curated_build.open()))
    with pytest.raises(InconsistencyError):
        hermit.reason_ntriples(onto + file_ntriples(BROKEN / name))


def test_syntax_error_carries_line_and_column() -> None:
    path: Path = BROKEN / "syntax-error.ttl"
    error = _failure("syntax-error.ttl")
    assert isinstance(error, ParseError), error
    assert (error.path, error.line) == (str(path), 7)
    assert error.column is not None and error.column > 1
    assert str(error).startswith(f"{path}:7:{error.column}: ")
