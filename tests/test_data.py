"""The curated data: consistent (HermiT), valid (SHACL), faithful to the article, and
broken data is reported with what is wrong and where."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from _graph import (
    DATA_DIR,
    FI,
    FIXTURES,
    ID,
    article_text,
    data_files,
    explain_inconsistency,
    kg_reasoning,
    kg_store,
    kg_validation,
    load_store,
    ontology_files,
    parse_quads,
    reasoner_ntriples,
    run_hermit,
    select,
    short,
    validate,
)

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
def data() -> ox.Store:
    """The asserted triples only (ontology + data, no inference)."""
    return load_store([*ontology_files(), *data_files()])


@pytest.fixture(scope="module")
def kg() -> ox.Store:
    return kg_store()


# ---------------------------------------------------------------- consistency and validity


def test_hermit_finds_ontology_and_data_consistent() -> None:
    result = kg_reasoning()
    assert result.consistent, result.message


def test_shacl_conforms() -> None:
    report = kg_validation()
    assert report.conforms, "\n".join(map(str, report.results[:20]))


# ---------------------------------------------------------------- faithful to the article


def test_quotes_titles_and_wordings_are_verbatim(data: ox.Store) -> None:
    article = article_text()
    if not article:
        pytest.skip("shared/seed article not available in this checkout")
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


def test_inferred_links_are_never_asserted(data: ox.Store) -> None:
    rows = select(data, """
        SELECT ?s ?p WHERE { VALUES ?p { fi:coversSector fi:targetsSector } ?s ?p ?o }""")
    assert rows == []


def test_covers_sector_is_inferred_from_every_link(kg: ox.Store) -> None:
    links = select(
        kg, "SELECT ?plan ?sector WHERE { ?plan fi:hasSectorLink/fi:linkedSector ?sector }"
    )
    covers = select(kg, "SELECT ?plan ?sector WHERE { ?plan fi:coversSector ?sector }")
    expected = {(r["plan"], r["sector"]) for r in links}
    assert len(expected) == 102
    assert {(r["plan"], r["sector"]) for r in covers} == expected


def test_every_entity_iri_follows_the_pattern(data: ox.Store) -> None:
    subjects = {q.subject.value for q in data if isinstance(q.subject, ox.NamedNode)}
    ours = {s for s in subjects if s.startswith(ID)}
    assert {s for s in ours if not IRI_PATTERN.match(s)} == set()


def test_no_blank_nodes_in_data() -> None:
    for path in data_files():
        assert not [q for q in parse_quads(path) if isinstance(q.subject, ox.BlankNode)], path.name


# ---------------------------------------------------------------- curation rules


def test_issuers(data: ox.Store) -> None:
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


def test_dates_are_only_as_precise_as_the_article(data: ox.Store) -> None:
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


def test_amounts_are_decimal_yuan(data: ox.Store) -> None:
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


def test_qualifiers(data: ox.Store) -> None:
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


def test_count_mismatches_are_recorded(data: ox.Store) -> None:
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


def test_every_sector_reaches_a_domain_unless_noted(data: ox.Store) -> None:
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


def test_every_sector_is_named_by_some_plan(data: ox.Store) -> None:
    rows = select(data, """
        SELECT ?s WHERE { ?s a fi:Sector FILTER NOT EXISTS { ?l fi:linkedSector ?s } }""")
    assert rows == []


def test_same_field_different_words_is_one_concept(data: ox.Store) -> None:
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


def test_links_out_are_verified_only(data: ox.Store) -> None:
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


def test_wikidata_match_strength(data: ox.Store) -> None:
    rows = select(data, """
        SELECT ?s ?p ?o WHERE { ?s ?p ?o
          FILTER(STRSTARTS(STR(?o), "http://www.wikidata.org/")
                 && STRSTARTS(STR(?p), STR(skos:))) }""")
    found = {(short(r["s"]), r["p"].rsplit("#", 1)[-1], r["o"].rsplit("/", 1)[-1]) for r in rows}
    assert ("sector/gene-and-cell-therapy", "closeMatch", "Q213901") in found
    assert {p for _, p, o in found if o == "Q176555"} == {"relatedMatch"}
    assert not [f for f in found if f[1] == "exactMatch" and f[2] in {"Q213901", "Q176555"}]


def test_regions_use_schema_same_as_not_owl_same_as(data: ox.Store) -> None:
    assert select(data, "SELECT ?s WHERE { ?s owl:sameAs ?o }") == []
    regions = select(data, "SELECT ?r WHERE { ?r a/rdfs:subClassOf* fi:Region }")
    assert len(regions) == 12
    rows = select(data, """
        SELECT ?r WHERE { ?r a/rdfs:subClassOf* fi:Region
          FILTER NOT EXISTS { ?r schema:sameAs ?x } }""")
    assert rows == []


def test_shenzhen_part_of_guangdong_is_explained(data: ox.Store) -> None:
    rows = select(data, f"""
        SELECT ?note WHERE {{ <{ID}region/shenzhen> fi:partOf <{ID}region/guangdong> ;
          skos:editorialNote ?note }}""")
    assert rows and "not from the article" in rows[0]["note"]


def test_data_files_are_one_per_document_or_region() -> None:
    names = {p.stem for p in DATA_DIR.glob("*.ttl")}
    assert names == {"national", "beijing", "shanghai", "zhejiang", "jiangxi", "shanxi",
                     "shenzhen", "shandong", "henan", "sectors", "source", "regions"}


# ---------------------------------------------------------------- broken data is reported


def _validate_fixture(name: str) -> set[tuple[str, str | None]]:
    paths = [*ontology_files(), DATA_DIR / "regions.ttl", DATA_DIR / "source.ttl", BROKEN / name]
    report = validate(paths)
    assert not report.conforms
    return {(short(focus), path) for focus, path, _message in report.results}


def test_target_without_year_is_named_with_its_path() -> None:
    assert _validate_fixture("target-without-year.ttl") == {
        ("target/broken-no-year", FI + "targetYear")
    }


def test_plan_without_issuer_is_named_with_its_path() -> None:
    assert _validate_fixture("plan-without-issuer.ttl") == {
        ("plan/broken-no-issuer", FI + "issuedBy")
    }


def test_shacl_messages_say_what_to_do() -> None:
    report = validate([*ontology_files(), BROKEN / "target-without-year.ttl"])
    messages = {message for _focus, _path, message in report.results}
    assert any("fi:targetYear" in m and "xsd:gYear" in m for m in messages)


@pytest.mark.parametrize("name", ["disjoint-classes.ttl", "two-target-years.ttl"])
def test_hermit_reports_inconsistency(name: str) -> None:
    paths = [*ontology_files(), BROKEN / name]
    result = run_hermit(reasoner_ntriples(paths))
    assert not result.consistent
    culprits = explain_inconsistency(paths)
    expected = {
        "disjoint-classes.ttl": "plan/broken-plan-and-target",
        "two-target-years.ttl": "target/broken-two-years",
    }[name]
    assert any(expected in c for c in culprits), culprits


def test_syntax_error_carries_line_and_column() -> None:
    path: Path = BROKEN / "syntax-error.ttl"
    with pytest.raises(SyntaxError) as info:
        parse_quads(path)
    assert info.value.lineno == 7
    assert info.value.offset is not None and info.value.offset > 1
    assert info.value.filename == str(path)
