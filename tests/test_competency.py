"""Competency questions: SPARQL over the curated build (ontology, data, linksets, and what
HermiT and the build's rules infer), as one union of its graphs.

Each golden answer was worked out by hand from the article, not from the data.
"""

from __future__ import annotations

import pytest

from _graph import View, select, short
from kg.store import Build


@pytest.fixture(scope="module")
def kg(curated_build: Build) -> View:
    return View(curated_build.open())


def slugs(rows: list[dict[str, str]], key: str) -> set[str]:
    return {short(r[key]).split("/", 1)[1] for r in rows}


def region_of(plan_slug: str) -> str:
    return plan_slug.split("-", 1)[0]


def test_cq01_regions_with_6g_and_quantum_by_2025(kg: View) -> None:
    """Which regions target both 6G and quantum (quantum technology or narrower) by 2025?

    6G: Beijing (第六代移动通信), Shanghai (6G), Shandong (推进6G技术研发和应用).
    Quantum: Beijing 量子信息, Shanghai 量子科技, Shandong 量子科技 (and others without 6G).
    By 2025: only Shandong's plan runs to 2025 (2023—2025, target 到2025年); Beijing's and
    Shanghai's targets are for 2030 and 2035.
    """
    rows = select(kg, """
        SELECT DISTINCT ?region WHERE {
          ?plan fi:forRegion ?region ; fi:coversSector sector:6g , ?q .
          ?q skos:broader* sector:quantum-technology .
          { ?plan fi:periodEnd ?y } UNION { ?plan fi:hasTarget/fi:targetYear ?y }
          FILTER(xsd:integer(STR(?y)) <= 2025) }""")
    assert slugs(rows, "region") == {"shandong"}


def test_cq02_regions_with_6g_and_quantum_any_horizon(kg: View) -> None:
    """Which regions target both 6G and quantum, whatever the horizon? (fi:targetsSector)"""
    rows = select(kg, """
        SELECT DISTINCT ?region WHERE {
          ?region fi:targetsSector sector:6g , ?q .
          ?q skos:broader* sector:quantum-technology }""")
    assert slugs(rows, "region") == {"beijing", "shanghai", "shandong"}


def test_cq03_monetary_targets_largest_first(kg: View) -> None:
    """Which monetary targets are there, largest first?

    Shanxi 8000亿元 (2025), Shanghai 5000亿元左右 (2030), Henan 1000亿元 (2025).
    """
    rows = select(kg, """
        SELECT ?target ?value ?year ?qualifier WHERE {
          ?target a fi:MonetaryTarget ; fi:targetYear ?year ; fi:amount ?a .
          ?a qudt:numericValue ?value ; qudt:unit unit:CCY_CNY .
          OPTIONAL { ?a fi:qualifier/skos:prefLabel ?qualifier FILTER(LANG(?qualifier) = "zh") }
        } ORDER BY DESC(?value)""")
    answer = [
        (region_of(short(r["target"])[7:]), int(r["value"]), r["year"], r.get("qualifier"))
        for r in rows
    ]
    assert answer == [
        ("shanxi", 800_000_000_000, "2025", None),
        ("shanghai", 500_000_000_000, "2030", "左右"),
        ("henan", 100_000_000_000, "2025", None),
    ]


def test_cq04_plans_covering_metaverse_or_narrower(kg: View) -> None:
    """Which plans cover the metaverse (or one of its application fields)?

    MIIT's notice, Beijing, Zhejiang (priority), Shandong, Jiangxi (26 technologies).
    """
    rows = select(kg, """
        SELECT DISTINCT ?plan WHERE { ?plan fi:coversSector/skos:broader* sector:metaverse }""")
    assert {region_of(s) for s in slugs(rows, "plan")} == {
        "miit", "beijing", "zhejiang", "shandong", "jiangxi"
    }


def test_cq05_regions_targeting_quantum_information(kg: View) -> None:
    """Which regions target quantum information (量子信息) itself, and which quantum at all?

    量子信息: Beijing, Zhejiang (exploratory), Henan, Shenzhen (incubation stage).
    量子科技 (broader): Shanghai, Shandong.
    """
    exact = select(kg, "SELECT ?r WHERE { ?r fi:targetsSector sector:quantum-information }")
    assert slugs(exact, "r") == {"beijing", "zhejiang", "henan", "shenzhen"}
    any_quantum = select(kg, """
        SELECT DISTINCT ?r WHERE {
          ?r fi:targetsSector ?s . ?s skos:broader* sector:quantum-technology }""")
    assert slugs(any_quantum, "r") == {
        "beijing", "zhejiang", "henan", "shenzhen", "shanghai", "shandong"
    }


def test_cq06_zhejiang_exploratory_sectors(kg: View) -> None:
    """Which industries does Zhejiang mark for exploratory development (探索发展)?"""
    rows = select(kg, """
        SELECT ?s WHERE { ?plan fi:forRegion region:zhejiang ; fi:hasSectorLink ?l .
          ?l fi:treatment treatment:exploratory ; fi:linkedSector ?s }""")
    assert slugs(rows, "s") == {
        "quantum-information", "brain-science-and-brain-inspired-intelligence",
        "deep-earth-and-deep-sea", "controlled-nuclear-fusion-and-nuclear-technology",
        "low-cost-carbon-capture-utilization-and-storage", "intelligent-bionics-and-metamaterials",
    }


def test_cq07_shenzhen_stages_and_horizons(kg: View) -> None:
    """Which Shenzhen industries are in which stage, within how many years?"""
    rows = select(kg, """
        SELECT ?s ?stage ?min ?max WHERE {
          ?plan fi:forRegion region:shenzhen ; fi:hasSectorLink ?l .
          ?l fi:linkedSector ?s ; fi:treatment ?stage ;
             fi:horizonMinYears ?min ; fi:horizonMaxYears ?max }""")
    found = {(short(r["s"])[7:], short(r["stage"])[10:], int(r["min"]), int(r["max"]))
             for r in rows}
    expansion = {"synthetic-biology", "blockchain", "gene-and-cell-therapy", "aerospace-technology"}
    incubation = {"brain-science-and-brain-inspired-intelligence", "deep-earth-and-deep-sea",
                  "visible-light-communication-and-optical-computing", "quantum-information"}
    assert found == {(s, "expansion-stage", 5, 10) for s in expansion} | {
        (s, "incubation-stage", 10, 15) for s in incubation
    }


def test_cq08_plans_issued_in_2023(kg: View) -> None:
    """Which plans were issued in 2023 (as far as the article dates them)?

    Jiangxi 2023年1月, Zhejiang 2023年2月, Beijing 2023年9月8日. MIIT's notice (9月13日)
    has no year in the article; Shandong's and Henan's plans have no date at all.
    """
    rows = select(kg, """
        SELECT ?plan WHERE { ?plan fi:dateIssued ?d FILTER(STRSTARTS(STR(?d), "2023")) }""")
    assert {region_of(s) for s in slugs(rows, "plan")} == {"jiangxi", "zhejiang", "beijing"}


def test_cq09_first_plan(kg: View) -> None:
    """Which plan did the article date earliest? Shanxi's, 2021年5月."""
    rows = select(kg, """
        SELECT ?plan WHERE { ?plan fi:dateIssued ?d } ORDER BY STR(?d) LIMIT 1""")
    assert {region_of(s) for s in slugs(rows, "plan")} == {"shanxi"}


def test_cq10_plans_issued_by_an_agency(kg: View) -> None:
    """Which plans name an issuing agency? 山西省政府, 北京市政府, 工信部."""
    rows = select(kg, "SELECT ?plan ?a WHERE { ?plan fi:issuedBy ?a . ?a a fi:Agency }")
    assert {(region_of(short(r["plan"])[5:]), short(r["a"])) for r in rows} == {
        ("shanxi", "agency/shanxi-provincial-government"),
        ("beijing", "agency/beijing-municipal-government"),
        ("miit", "agency/miit"),
    }


def test_cq11_stated_and_listed_counts_disagree(kg: View) -> None:
    """Where does the article's stated count not match its own list?

    Shanghai: 16种技术, 15 listed. Beijing: 二十大方向, 6 named. Jiangxi: 26个技术, 5 named.
    """
    rows = select(kg, """
        SELECT ?plan ?stated ?listed WHERE {
          ?plan fi:statedCount ?stated ; fi:listedCount ?listed FILTER(?stated != ?listed) }""")
    found = {(region_of(short(r["plan"])[5:]), int(r["stated"]), int(r["listed"])) for r in rows}
    assert found == {("shanghai", 16, 15), ("beijing", 20, 6), ("jiangxi", 26, 5)}


def test_cq12_at_least_count_targets(kg: View) -> None:
    """Which count targets are lower bounds (以上)?

    Zhejiang, 2035: 5家以上链主企业, 5个以上集群.
    """
    rows = select(kg, """
        SELECT ?t ?n ?y WHERE { ?t a fi:CountTarget ; fi:qualifier qualifier:at-least ;
          fi:count ?n ; fi:targetYear ?y }""")
    assert {(short(r["t"])[7:], int(r["n"]), r["y"]) for r in rows} == {
        ("zhejiang-2035-chain-leader-enterprises", 5, "2035"),
        ("zhejiang-2035-clusters-over-100-billion", 5, "2035"),
    }


def test_cq13_most_covered_sectors(kg: View) -> None:
    """Which sectors do the most plans name?

    元宇宙: MIIT, Beijing, Zhejiang, Shandong, Jiangxi (5). 量子信息: Beijing, Zhejiang,
    Henan, Shenzhen (4). Everything else: 3 plans or fewer.
    """
    rows = select(kg, """
        SELECT ?s (COUNT(DISTINCT ?plan) AS ?n) WHERE { ?plan fi:coversSector ?s }
        GROUP BY ?s ORDER BY DESC(?n) LIMIT 3""")
    top = [(short(r["s"])[7:], int(r["n"])) for r in rows]
    assert top[:2] == [("metaverse", 5), ("quantum-information", 4)]
    assert top[2][1] == 3


def test_cq14_actions_in_jinan(kg: View) -> None:
    """Which actions take place in Jinan? Shandong's pilot zones (济南、青岛未来产业先导区)."""
    rows = select(kg, "SELECT ?a WHERE { ?a fi:location region:jinan }")
    assert slugs(rows, "a") == {"shandong-jinan-qingdao-pilot-zones"}


def test_cq15_actions_per_plan(kg: View) -> None:
    """How many named actions does each plan set out?

    MIIT 1 (揭榜挂帅), 14th FYP 1 (前瞻谋划), Shanxi 6 (4 paths, 四层培育体系, “5+4”矩阵),
    Shenzhen 8 (5 工程 + 3 measures), Shanghai 6 (六大计划), Jiangxi 6 (“3+3”, 三突破两提升,
    先导试验区, 3 measures), Zhejiang 3 (三个平台), Beijing 8 (八大行动), Shandong 2, Henan 2.
    """
    rows = select(kg, """
        SELECT ?plan (COUNT(?a) AS ?n) WHERE { ?plan fi:hasAction ?a } GROUP BY ?plan""")
    counts = {region_of(short(r["plan"])[5:]): int(r["n"]) for r in rows}
    assert counts == {"miit": 1, "14th": 1, "shanxi": 6, "shenzhen": 8, "shanghai": 6,
                      "jiangxi": 6, "zhejiang": 3, "beijing": 8, "shandong": 2, "henan": 2}
    beijing = select(kg, """
        SELECT ?a WHERE { ?a fi:actionOf ?p ; fi:actionKind "action" .
          ?p fi:forRegion region:beijing }""")
    assert len(beijing) == 8


def test_cq16_targets_per_year(kg: View) -> None:
    """How many targets fall due in each year?

    2025: Shanxi 3, Shenzhen 5, Jiangxi 3, Shandong 1, Henan 1 = 13.
    2030: Shanghai 2, Beijing 5 = 7.  2035: Shanghai 1, Zhejiang 6, Beijing 6 = 13.
    """
    rows = select(kg, """
        SELECT ?y (COUNT(?t) AS ?n) WHERE { ?t a fi:Target ; fi:targetYear ?y } GROUP BY ?y""")
    assert {r["y"]: int(r["n"]) for r in rows} == {"2025": 13, "2030": 7, "2035": 13}


def test_cq17_regions_in_china_after_reasoning(kg: View) -> None:
    """Which regions lie in China? fi:partOf is transitive: HermiT adds Shenzhen (via
    Guangdong), Jinan and Qingdao (via Shandong) — asked without a property path."""
    rows = select(kg, "SELECT ?r WHERE { ?r fi:partOf region:china }")
    assert slugs(rows, "r") == {
        "beijing", "shanghai", "zhejiang", "jiangxi", "shanxi", "shandong", "henan",
        "guangdong", "shenzhen", "jinan", "qingdao",
    }


def test_cq18_plans_running_to_2035(kg: View) -> None:
    """Which plans' periods run to 2035? Jiangxi's (2023—2035年)."""
    rows = select(kg, "SELECT ?p WHERE { ?p fi:periodEnd ?e FILTER(STR(?e) = \"2035\") }")
    assert {region_of(s) for s in slugs(rows, "p")} == {"jiangxi"}


def test_cq19_sectors_of_both_zhejiang_and_shenzhen(kg: View) -> None:
    """Which sectors do both Zhejiang and Shenzhen name?

    合成生物 (Zhejiang priority, Shenzhen expansion), 量子信息, 脑科学与类脑智能, 深地深海
    (Zhejiang exploratory, Shenzhen incubation).
    """
    rows = select(kg, """
        SELECT ?s WHERE { region:zhejiang fi:targetsSector ?s .
          region:shenzhen fi:targetsSector ?s }""")
    assert slugs(rows, "s") == {
        "synthetic-biology", "quantum-information",
        "brain-science-and-brain-inspired-intelligence", "deep-earth-and-deep-sea",
    }


def test_cq20_humanoid_robots_under_any_name(kg: View) -> None:
    """Which plans name humanoid robots, in which words? 人形机器人 (MIIT, Shandong),
    类人机器人 (Beijing): one concept, different wordings."""
    rows = select(kg, """
        SELECT ?plan ?w WHERE { ?plan fi:hasSectorLink ?l .
          ?l fi:linkedSector sector:humanoid-robot ; fi:wording ?w }""")
    assert {(region_of(short(r["plan"])[5:]), r["w"]) for r in rows} == {
        ("miit", "人形机器人"), ("beijing", "类人机器人"), ("shandong", "人形机器人")
    }


def test_cq21_clusters_above_100_billion(kg: View) -> None:
    """Which targets ask for items each above 100 billion yuan (超千亿元)?
    Shanxi: 5 future industries; Zhejiang: 5+ clusters."""
    rows = select(kg, """
        SELECT ?t ?n WHERE { ?t fi:count ?n ; fi:threshold ?a .
          ?a fi:qualifier qualifier:more-than ; qudt:numericValue ?v FILTER(?v = 100000000000) }""")
    assert {(short(r["t"])[7:], int(r["n"])) for r in rows} == {
        ("shanxi-2025-five-industries-over-100-billion", 5),
        ("zhejiang-2035-clusters-over-100-billion", 5),
    }


def test_cq22_regions_in_future_space(kg: View) -> None:
    """Which regions target anything in the future-space domain?

    Beijing (未来空间), Shanghai (未来空间, 深海探采, 空天利用), Zhejiang (空天信息, 深地深海),
    Shenzhen (空天技术, 深地深海), Shandong (深海极地, 深海空天开发). Not Jiangxi: its 航空 is
    an existing strength it builds on (优势领域, fi:buildsOnSector), not a target (issue 16).
    """
    rows = select(kg, """
        SELECT DISTINCT ?r WHERE { ?r fi:targetsSector/skos:broader* sector:future-space }""")
    assert slugs(rows, "r") == {"beijing", "shanghai", "zhejiang", "shenzhen", "shandong"}
    strengths = select(kg, """SELECT DISTINCT ?r WHERE { ?plan fi:forRegion ?r ;
        fi:buildsOnSector/skos:broader* sector:future-space }""")
    assert slugs(strengths, "r") == {"jiangxi"}


def test_cq23_money_due_by_2025(kg: View) -> None:
    """How much money do the 2025 monetary targets add up to? 8000亿 + 1000亿 = 9000亿元."""
    rows = select(kg, """
        SELECT (SUM(?v) AS ?total) WHERE { ?t fi:targetYear "2025"^^xsd:gYear ;
          fi:amount/qudt:numericValue ?v }""")
    assert int(rows[0]["total"]) == 900_000_000_000
