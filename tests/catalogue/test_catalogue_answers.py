"""Key answers checked by hand against the article (quotes in the comments).

These do not depend on the golden files: they state what the article says.
"""

from __future__ import annotations

from collections import Counter

from pyoxigraph import QuerySolutions, Store

from kg.catalogue import Catalogue
from kg.catalogue import answer as answer_question

ID = "https://w3id.org/future-industries/id/"


def answer(store: Store, catalogue: Catalogue, name: str, **params: str) -> list[dict[str, str]]:
    result = answer_question(store, name, params, catalogue=catalogue)
    assert isinstance(result.value, QuerySolutions)
    names = [v.value for v in result.value.variables]
    return [{n: str(r[n].value) for n in names if r[n] is not None} for r in result.value]


def slugs(rows: list[dict[str, str]], column: str) -> set[str]:
    return {row[column].rsplit("/", 1)[1] for row in rows if column in row}


def test_6g_and_quantum_by_2025(curated_store: Store, catalogue: Catalogue) -> None:
    # Shandong (2023—2025): "量子科技……推进6G技术研发和应用", "力争到2025年……".
    # Beijing (第六代移动通信, 量子信息) and Shanghai (量子科技, 6G) aim at 2030/2035 only;
    # Zhejiang and Henan name 量子信息 and 未来网络 but not 6G; Shenzhen has no 6G.
    rows = answer(curated_store, catalogue, "regions-targeting-sectors")
    assert slugs(rows, "region") == {"shandong"}
    rows = answer(curated_store, catalogue, "regions-targeting-sectors", year="2030")
    assert slugs(rows, "region") == {"beijing", "shandong", "shanghai"}


def test_monetary_targets_largest_first(curated_store: Store, catalogue: Catalogue) -> None:
    # 山西: "到2025年,山西未来产业主营业务收入将达到8000亿元"
    # 上海: "到2030年……未来产业产值达到5000亿元左右"
    # 河南: "到2025年,力争产业规模达到1000亿元"
    rows = answer(curated_store, catalogue, "monetary-targets")
    got = [(r["region"].rsplit("/", 1)[1], r["amount"], r["originalWording"],
            r.get("qualifierLabel"), r["year"]) for r in rows]
    assert got == [
        ("shanxi", "800000000000", "8000亿元", None, "2025"),
        ("shanghai", "500000000000", "5000亿元左右", "approximately", "2030"),
        ("henan", "100000000000", "1000亿元", None, "2025"),
    ]


def test_search_finds_quantum_in_chinese_and_english(
    curated_store: Store, catalogue: Catalogue
) -> None:
    # 量子信息: 北京, 浙江(探索发展), 河南, 深圳(孕育期); 量子科技: 上海, 山东.
    plans = {"beijing", "zhejiang", "henan", "shenzhen", "shanghai", "shandong"}
    for text in ("量子", "quantum", "Quantum"):
        rows = answer(curated_store, catalogue, "search-labels", text=text)
        sectors = {r["entity"] for r in rows if r["entity"].startswith(ID + "sector/")}
        assert sectors == {ID + "sector/quantum-information", ID + "sector/quantum-technology"}
        named = [r["entity"] for r in rows if r["how"] == "names sector"]
        assert {e.split("/")[-1].split("-")[0] for e in named} == plans


def test_national_directions(curated_store: Store, catalogue: Catalogue) -> None:
    # MIIT: "面向元宇宙、人形机器人、脑机接口、通用人工智能4个重点方向".
    rows = answer(curated_store, catalogue, "national-directions")
    same = {(r["direction"].rsplit("/", 1)[1], r["region"].rsplit("/", 1)[1])
            for r in rows if r.get("match") == "same or narrower"}
    assert same == {
        ("metaverse", "beijing"), ("metaverse", "zhejiang"), ("metaverse", "shandong"),
        ("metaverse", "jiangxi"),                       # 元宇宙 (Jiangxi also its applications)
        ("humanoid-robot", "shandong"),                 # 人形机器人
        ("humanoid-robot", "beijing"),                  # 类人机器人
        ("brain-computer-interface", "shanghai"),       # 脑机接口
        ("artificial-general-intelligence", "beijing"),  # 通用人工智能
        ("artificial-general-intelligence", "shanghai"),  # 通用AI
    }


def test_zhejiang_priority_and_exploratory(curated_store: Store, catalogue: Catalogue) -> None:
    # "优先发展未来网络……柔性电子9个产业,探索发展量子信息……智能仿生与超材料6个产业"
    rows = answer(curated_store, catalogue, "region-sectors", region="zhejiang")
    assert Counter(r["treatmentLabel"] for r in rows) == {
        "priority development": 9, "exploratory development": 6
    }


def test_shenzhen_horizons(curated_store: Store, catalogue: Catalogue) -> None:
    # "……四个未来产业处于扩张期……5至10年内……;……四个未来产业处于孕育期,10至15年内……"
    rows = answer(curated_store, catalogue, "sector-horizons")
    assert Counter((r["horizonMinYears"], r["horizonMaxYears"]) for r in rows) == {
        ("5", "10"): 4, ("10", "15"): 4
    }


def test_shanghai_states_16_but_lists_15(curated_store: Store, catalogue: Catalogue) -> None:
    # "脑机接口……高性能复合材料等16种技术" names 15 items.
    rows = answer(curated_store, catalogue, "count-notes")
    shanghai = [r for r in rows if r["plan"].endswith("shanghai-future-industry-action-plan")]
    assert [(r["statedCount"], r["listedCount"]) for r in shanghai] == [("16", "15")]


def test_plans_in_time_order(curated_store: Store, catalogue: Catalogue) -> None:
    # 2021年5月 山西, 2022年6月 深圳, 2022年9月 上海, 2023年1月 江西, 2023年2月 浙江,
    # 2023年9月8日 北京; undated plans follow.
    rows = answer(curated_store, catalogue, "plans-timeline")
    dated = [r["plan"].rsplit("/", 1)[1].split("-")[0] for r in rows if "date" in r]
    assert dated == ["shanxi", "shenzhen", "shanghai", "jiangxi", "zhejiang", "beijing"]
    assert all("date" in r for r in rows[:len(dated)])
