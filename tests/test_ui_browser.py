"""The web interface in a real headless browser (Debian's Chromium) against the real server.

Each test opens pages as a person would, checks what is drawn against the curated data,
and fails on any console error or any request to another host.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from _server import Server
from _ui import browser, have_chromium, pages

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not have_chromium(), reason="needs Debian's chromium (scripts/setup.sh)"),
]
sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        b = browser(p)
        yield b
        b.close()


@pytest.fixture
def page(chromium: Any, server: Server) -> Iterator[Any]:
    """A fresh page on the session's server; after the test, :func:`_ui.pages` checks that
    it logged no error and asked no other host for anything."""
    yield from pages(chromium, server.url)


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_home_to_matrix_to_entity(page: Any) -> None:
    page.goto("/")
    assert page.locator("h1").first.inner_text().startswith("Future industries knowledge graph")
    page.get_by_role("link", name="Region × sector matrix").click()
    page.wait_for_selector("svg.matrix rect.cell")
    cell = page.locator('svg.matrix rect.cell[data-row="Shandong"][data-col="6G"], '
                     'svg.matrix rect.cell[data-row="6G"][data-col="Shandong"]')
    assert cell.count() == 1
    assert "listed" in cell.locator("title").text_content()
    labels = set(page.locator("svg.matrix .row-label, svg.matrix .col-label").all_text_contents())
    assert {"Beijing", "Shanghai", "Zhejiang", "Jiangxi", "Shenzhen", "6G"} <= labels
    assert page.locator("table.results-table tbody tr").count() == int(
        page.locator(".results .status").inner_text().split()[0])
    page.locator('svg.matrix a:has(text:text-is("Shandong"))').click()
    page.wait_for_url("**/id/region/shandong?lang=en")
    assert "山东" in page.locator("h1").inner_text()


def test_form_run_share_and_download(page: Any) -> None:
    page.goto("/ui/queries/region-sectors")
    page.wait_for_selector(".results.ready")
    assert "Shandong" in page.locator("select[name=region] option:checked").inner_text()
    page.locator("select[name=region]").select_option("beijing")
    page.get_by_role("button", name="Run").click()
    page.wait_for_selector(".results.ready")
    assert query_of(page.url) == {"region": ["beijing"], "lang": ["en"]}
    first = sorted(page.locator("table.results-table tbody").inner_text().splitlines())
    assert any("quantum information" in line for line in first)
    shared = page.url
    page.goto("about:blank")
    page.goto(shared)  # the shared URL runs the same question again
    page.wait_for_selector(".results.ready")
    assert sorted(page.locator("table.results-table tbody").inner_text().splitlines()) == first
    href = page.locator("a.download[data-format=csv]").get_attribute("href")
    assert query_of(href) == {"region": ["beijing"], "lang": ["en"], "limit": ["all"],
                              "format": ["csv"]}  # every row, not a page
    assert "量子信息" in page.request.get(href).text()
    page.locator("form.question select[name=lang]").select_option("zh")
    page.locator("form.question button").click()
    page.wait_for_selector(".results.ready")
    assert query_of(page.url) == {"region": ["beijing"], "lang": ["zh"]}
    assert "量子信息" in page.locator("table.results-table tbody").inner_text()


def test_timeline_and_language_switch(page: Any) -> None:
    page.goto("/ui/queries/plans-timeline")
    page.wait_for_selector("svg.timeline g.item")
    items = page.locator("svg.timeline g.item")
    count = int(page.locator(".results .status").inner_text().split()[0])
    assert items.count() == count >= 10
    dated = page.locator("svg.timeline g.item circle.dot")
    assert 0 < dated.count() < count  # some plans have no issue date in the article
    shanxi = page.locator('svg.timeline g.item[data-date^="2021"]')
    assert "Shanxi" in shanxi.first.locator("title").text_content()
    page.locator("a.lang-switch").click()
    page.wait_for_selector("svg.timeline g.item")
    assert query_of(page.url)["lang"] == ["zh"]
    assert page.locator("html").get_attribute("lang") == "zh"
    titles = " ".join(page.locator("svg.timeline g.item title").all_text_contents())
    assert "北京市促进未来产业创新发展实施方案" in titles
    assert page.locator("a.lang-switch").inner_text() == "English"


def test_bar_and_map_views(page: Any) -> None:
    page.goto("/ui/queries/monetary-targets?lang=zh")
    page.wait_for_selector("svg.bars g.bar")
    values = [float(v) for v in page.locator("svg.bars g.bar").evaluate_all(
        "bars => bars.map(b => b.dataset.value)")]
    assert values == sorted(values, reverse=True) and values[0] == 8e11
    assert "8,000亿元" in page.locator("svg.bars").text_content()
    page.goto("/ui/queries/regions-overview")
    page.wait_for_selector("svg.map a.region-mark")
    marks = page.locator("svg.map a.region-mark").evaluate_all(
        "ms => ms.map(m => [m.dataset.region, Number(m.dataset.value)])")
    placed = dict(marks)
    assert {"Beijing", "Shanghai", "Shenzhen"} <= set(placed)
    assert page.locator("svg.map circle.division").count() > 300
    assert "China" in page.locator(".unplaced").inner_text()


@pytest.mark.parametrize("text", ["量子", "quantum"])
def test_search_finds_quantum_sectors_and_plans(page: Any, text: str) -> None:
    page.goto("/")
    page.locator("form.search.big input[name=q]").fill(text)
    page.locator("form.search.big button").click()
    page.wait_for_selector("#search-results.ready")
    links = page.locator("#search-results a.hit-label").evaluate_all(
        "as => as.map(a => a.pathname)")
    assert {"/id/sector/quantum-information", "/id/sector/quantum-technology"} <= set(links)
    assert "/id/plan/beijing-future-industry-implementation-plan" in links
    assert page.locator("#search-results mark").first.inner_text().lower() == text.lower()


def test_editor_loads_an_example_and_runs_it_offline(page: Any) -> None:
    page.goto("/ui/sparql?example=region-sectors")
    page.wait_for_selector("#yasgui[data-ready=true]")
    text = page.evaluate("() => window.kgYasgui.getTab().getQuery()")
    assert "VALUES (?region ?lang)" in text and "/region/shandong>" in text
    page.locator("[data-example=plans-timeline]").click()
    assert "dcterms:title" in page.evaluate("() => window.kgYasgui.getTab().getQuery()")
    page.locator(".yasqe_queryButton").click()
    page.wait_for_selector(".yasr table.dataTable tbody tr")
    assert "Jiangxi" in page.locator(".yasr").inner_text()
    # Autocompletion of a property would ask an online vocabulary service: it must not.
    page.evaluate("""() => { window.kgYasgui.getTab().setQuery(
        'PREFIX foaf: <http://xmlns.com/foaf/0.1/>\\nSELECT * WHERE {\\n'); }""")
    page.locator(".yasqe .CodeMirror").click()
    page.keyboard.press("Control+End")
    page.keyboard.type("?s foaf:nam")
    page.keyboard.press("Control+Space")
    page.wait_for_timeout(500)


def test_chart_helpers(page: Any) -> None:
    page.goto("/ui/queries")
    got = page.evaluate("""async () => {
      const t = await import("/ui/static/charts/timeline.js");
      const m = await import("/ui/static/charts/matrix.js");
      const ui = await import("/ui/static/ui.js");
      const wide = { rows: [{}, {}], cols: Array.from({ length: 40 }, () => ({})),
                     cells: [{ row: "r", col: "c" }] };
      return {
        years: [t.yearOf("2023"), t.yearOf("2023-09"), t.yearOf("2023-09-01"), t.yearOf("")],
        yuan: [ui.formatYuan(8e11, "zh"), ui.formatYuan(8e11, "en"), ui.formatYuan(1.2e13, "zh")],
        fit: ui.fit("北京市促进未来产业创新发展实施方案", 6),
        turned: m.oriented(wide).cells[0],
        merged: m.layout([
          { r: { value: "Jiangxi" }, c: { value: "6G" }, t: { value: "focus field" } },
          { r: { value: "Jiangxi" }, c: { value: "6G" }, t: { value: "breakthrough" } },
          { r: { value: "Jiangxi" }, c: { value: "6G" }, t: { value: "focus field" } },
          { r: { value: "Henan" }, c: { value: "6G" }, t: { value: "listed" } },
        ], ["r", "c", "t"], { rows: "r", cols: "c", cell: "t" }),
        columns: ui.tableColumns(["region", "regionLabel", "entity", "label", "lang"], ["lang"]),
      };
    }""")
    assert got["years"][0] == 2023.5 and got["years"][1] == pytest.approx(2023 + 8 / 12 + 1 / 24)
    assert got["years"][2] == pytest.approx(2023 + 8 / 12) and math.isnan(got["years"][3])
    assert got["yuan"] == ["8,000亿元", "800 bn yuan", "12万亿元"]
    assert got["fit"] == "北京市促进…"
    assert got["turned"] == {"row": "c", "col": "r"}
    assert [(c["row"], c["value"]) for c in got["merged"]["cells"]] == [
        ("Jiangxi", "focus field, breakthrough"), ("Henan", "listed")]  # one cell, values joined
    assert got["merged"]["cols"][0]["filled"] == 2
    assert got["columns"] == ["region", "entity"]


def test_table_sorts_by_a_column(page: Any) -> None:
    page.goto("/ui/queries/count-targets")
    page.wait_for_selector(".results.ready")
    column = page.locator("table.results-table th[data-column=count]")
    index = page.locator("table.results-table th").evaluate_all(
        "hs => hs.findIndex(h => h.dataset.column === 'count')")

    def counts() -> list[int]:
        cells = page.locator(f"table.results-table tbody tr td:nth-child({index + 1})")
        return [int(c.replace(",", "")) for c in cells.all_inner_texts()]

    column.click()
    assert counts() == sorted(counts()) and len(set(counts())) > 1
    column.click()
    assert counts() == sorted(counts(), reverse=True)


def test_entity_pages_link_to_one_another_in_one_language(page: Any) -> None:
    page.goto("/id/region/shandong?lang=zh")
    assert page.locator("h1").inner_text().startswith("山东省")
    page.locator("table.facts a", has_text="量子科技").first.click()
    page.wait_for_url("**/id/sector/quantum-technology?lang=zh")
    assert page.locator("h1").inner_text().startswith("量子科技")
    page.locator("a.lang-switch").click()
    page.wait_for_url("**/id/sector/quantum-technology?lang=en")
    assert page.locator("h1").inner_text().startswith("quantum")
    page.locator("header.site input[name=q]").fill("量子")
    page.locator("header.site form.search button").click()
    page.wait_for_selector("#search-results.ready")
    assert query_of(page.url) == {"q": ["量子"], "lang": ["en"]}


@pytest.mark.parametrize(("media", "body", "shown"), [
    ("application/sparql-results+json", '{"head": {}, "boolean": true}', "true"),
    ("text/turtle", "<http://e/a> <http://e/b> <http://e/c> .", "<http://e/a> <http://e/b>"),
])
def test_ask_and_graph_answers_are_shown_as_text(page: Any, media: str, body: str,
                                                 shown: str) -> None:
    page.route("**/queries/plans-timeline?*",
            lambda route: route.fulfill(status=200, content_type=media, body=body))
    page.goto("/ui/queries/plans-timeline")
    page.wait_for_selector(".results.ready")
    assert shown in page.locator(".results pre.graph").inner_text()


def test_pages_of_an_answer(page: Any) -> None:
    page.goto("/ui/queries/region-sector-matrix?limit=50")
    page.wait_for_selector(".results.ready")
    status = page.locator(".results .status")
    assert status.inner_text() == "50 rows (1–50)"
    assert page.locator("table.results-table tbody tr").count() == 50
    assert page.locator("nav.pages a.prev").count() == 0
    page.locator("nav.pages a.next").click()
    page.wait_for_selector(".results.ready")
    asked = query_of(page.url)  # region-sector-matrix is paged by key: the next page's token
    assert asked["limit"] == ["50"] and asked["offset"] == ["50"] and asked["after"][0]
    assert status.inner_text() == "50 rows (51–100)"
    page.locator("nav.pages a.next").click()
    page.wait_for_selector(".results.ready")
    assert status.inner_text() == "7 rows (101–107)" and page.locator("nav.pages a.next").count() == 0
    page.locator("nav.pages a.prev").click()
    page.wait_for_selector(".results.ready")
    assert query_of(page.url)["offset"] == ["50"] and "after" not in query_of(page.url)
    page.locator("nav.pages a.all").click()
    page.wait_for_selector(".results.ready")
    assert status.inner_text() == "107 rows" and page.locator("nav.pages").count() == 0
    page.goto("/ui/queries/region-sector-matrix")  # the UI's own page size holds it all
    page.wait_for_selector(".results.ready")
    assert status.inner_text() == "107 rows"
