"""The web interface in a real headless browser (Debian's Chromium) against the real server.

Each test opens pages as a person would, checks what is drawn against the curated data,
and fails on any console error or any request to another host.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from _server import Server
from _ui import Watch, browser, have_chromium, pages

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
    page.get_by_role("link", name="Which sectors does each region take up, and how?").click()
    page.wait_for_selector("svg.matrix rect.cell")
    cell = page.locator('svg.matrix rect.cell[data-row="Shandong"][data-col="6G"], '
                     'svg.matrix rect.cell[data-row="6G"][data-col="Shandong"]')
    assert cell.count() == 1
    assert "listed" in cell.locator("title").text_content()
    labels = {t.lstrip("↳ ") for t in
              page.locator("svg.matrix .row-label, svg.matrix .col-label").all_text_contents()}
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
    items = page.locator(".chart .item")
    count = int(page.locator(".results .status").inner_text().split()[0])
    assert items.count() == count >= 10
    dated = page.locator("svg.timeline g.item circle.dot")
    assert 0 < dated.count() < count  # some plans have no issue date in the article
    undated = page.locator(".chart ul.undated li")  # listed apart, not on the axis
    assert undated.count() == count - dated.count()
    assert page.locator(".chart .chart-legend li").count() == 2  # dot and bar explained
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
    bars = " ".join(page.locator("svg.bars").all_text_contents())
    assert "8,000亿元" in bars and "5,000亿元左右" in bars  # the qualifier kept
    metrics = page.locator("h3.metric").all_inner_texts()  # one scale per metric
    assert len(metrics) == 3 and any("产值" in m for m in metrics)
    page.goto("/ui/queries/regions-overview")
    page.wait_for_selector("svg.map a.region-mark")
    marks = page.locator("svg.map a.region-mark").evaluate_all(
        "ms => ms.map(m => [m.dataset.region, Number(m.dataset.value)])")
    placed = dict(marks)
    assert {"Beijing", "Shanghai", "Shenzhen"} <= set(placed)
    assert page.locator("svg.map").get_attribute("data-framed") == "true"  # on the results
    page.locator("button.map-toggle").click()
    assert page.locator("svg.map").get_attribute("data-framed") == "false"
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
    assert status.inner_text() == "2 rows (101–102)" and page.locator("nav.pages a.next").count() == 0
    page.locator("nav.pages a.prev").click()
    page.wait_for_selector(".results.ready")
    assert query_of(page.url)["offset"] == ["50"] and "after" not in query_of(page.url)
    page.locator("nav.pages a.all").click()
    page.wait_for_selector(".results.ready")
    assert status.inner_text() == "102 rows" and page.locator("nav.pages").count() == 0
    page.goto("/ui/queries/region-sector-matrix")  # the UI's own page size holds it all
    page.wait_for_selector(".results.ready")
    assert status.inner_text() == "102 rows"


# --- Issue 15: both languages, phone and desktop, legends, alignment, axe-core ---------------

AXE = Path(__file__).parent / "clients" / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
# One page of each type, and what shows it is drawn.
PAGE_TYPES = [
    ("/", "ul.featured"), ("/ui/queries", "ul.questions"),
    ("/ui/queries/regions-targeting-sectors", ".results.ready"),
    ("/ui/queries/region-sector-matrix", ".results.ready"),
    ("/ui/queries/plans-timeline", ".results.ready"),
    ("/ui/queries/monetary-targets", ".results.ready"),
    ("/ui/queries/regions-overview", ".results.ready"),
    ("/ui/search?q=6G", "#search-results.ready"), ("/ui/sparql", "#yasgui[data-ready=true]"),
    ("/id/region/shandong", "h1"), ("/id/sector/quantum-technology", "h1"),
    ("/id/plan/beijing-future-industry-implementation-plan", "h1"), ("/ontology", "h1"),
]


@contextmanager
def opened(chromium: Any, server: Server, viewport: dict[str, int],
           lang: str) -> Iterator[Any]:
    """A page in a browser whose language is ``lang`` (Accept-Language), at a viewport size,
    watched like the others (no console error, nothing asked of another host)."""
    locale = "zh-CN" if lang == "zh" else "en-US"
    context = chromium.new_context(viewport=viewport, base_url=server.url, locale=locale)
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        watch = Watch(server.url)
        watch.attach(page)
        context.route(lambda url: not url.startswith((server.url, "data:")),
                      lambda route: route.abort())
        yield page
        watch.assert_clean()
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_headline_question_answered_from_home_in_two_clicks(chromium: Any, server: Server,
                                                              viewport: dict[str, int],
                                                              lang: str) -> None:
    headline = {"zh": "哪些地区到2025年同时布局6G和量子科技?",
                "en": "Which regions target both 6G and quantum technology by 2025?"}[lang]
    with opened(chromium, server, viewport, lang) as page:
        page.goto("/")
        assert page.locator("html").get_attribute("lang") == lang
        link = page.locator("a.featured-link").first
        assert link.inner_text() == headline and link.is_visible()
        link.click()  # one click
        page.wait_for_selector(".results.ready")
        rows = page.locator("table.results-table tbody tr").all_inner_texts()
        assert len(rows) == 1 and ("山东" in rows[0] or "Shandong" in rows[0])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_sideways_scroll_on_a_phone(chromium: Any, server: Server, lang: str) -> None:
    """At 390 × 844 no page type is wider than the screen (charts and tables scroll inside
    their own boxes)."""
    wide = []
    with opened(chromium, server, PHONE, lang) as page:
        for path, ready in PAGE_TYPES:
            page.goto(path)
            page.wait_for_selector(ready)
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > PHONE["width"]:
                wide.append((path, width))
    assert wide == []


def test_legends_and_headers_aligned_with_their_cells(chromium: Any, server: Server) -> None:
    with opened(chromium, server, DESKTOP, "zh") as page:
        page.goto("/ui/queries/regions-overview")
        page.wait_for_selector(".results.ready")
        assert page.locator(".chart .chart-legend li").count() == 2  # circles and dots
        misaligned = page.evaluate("""() => {
          const table = document.querySelector("table.results-table");
          const heads = [...table.querySelectorAll("thead th")];
          const cells = [...table.querySelectorAll("tbody tr:first-child td")];
          const textBox = (node) => { const r = document.createRange(); r.selectNodeContents(node);
                                      return r.getBoundingClientRect(); };
          return heads.map((th, i) => {
            const num = cells[i].classList.contains("num");
            const head = textBox(th), cell = textBox(cells[i]);
            // numbers: right edges of heading and number meet; text: left edges
            const gap = num ? Math.abs(head.right - cell.right) : Math.abs(head.left - cell.left);
            return [th.dataset.column, num, gap];
          }).filter(([, , gap]) => gap > 2);
        }""")
        assert misaligned == []
        nums = page.locator("table.results-table th.num").count()
        assert nums >= 3  # plans, sectors, targets…: right-aligned over right-aligned numbers
        page.goto("/ui/queries/plans-timeline")
        page.wait_for_selector(".results.ready")
        assert page.locator(".chart .chart-legend li").count() == 2


@pytest.mark.skipif(not AXE.exists(), reason="needs axe-core (npm install in tests/clients)")
def test_axe_finds_nothing_serious(chromium: Any, server: Server) -> None:
    """axe-core on every page type (in Chinese; the English pages are the same markup): no
    critical or serious violation in our own markup (YASGUI's widgets labelled from outside)."""
    source = AXE.read_text("utf-8")
    found = {}
    with opened(chromium, server, DESKTOP, "zh") as page:
        for path, ready in PAGE_TYPES:
            page.goto(path)
            page.wait_for_selector(ready)
            page.evaluate(source + "\n;0")  # evaluated by the browser's debugger: no CSP
            bad = page.evaluate("""async () => (await axe.run(document, {
                resultTypes: ["violations"] })).violations
              .filter(v => v.impact === "critical" || v.impact === "serious")
              .map(v => [v.id, v.impact, v.nodes.slice(0, 3).map(n => n.target.join(" "))])""")
            if bad:
                found[path] = bad
    assert found == {}


def test_federated_question_offline_says_so_in_both_languages(chromium: Any,
                                                              server: Server) -> None:
    """The remote service cannot be reached: a plain message, no exception text, and no
    download link that would fail."""
    for lang, words in (("zh", "无法从本服务器访问"), ("en", "cannot be reached")):
        context = chromium.new_context(base_url=server.url, locale="zh-CN")
        try:
            page = context.new_page()
            page.route(lambda url: url.startswith(server.url + "/queries/wikidata-region-labels?"),
                       lambda route: route.fulfill(
                status=502, content_type="text/plain",
                body="https://query.wikidata.org/sparql: ConnectError: [Errno -3] no route"))
            page.goto(f"/ui/queries/wikidata-region-labels?lang={lang}")
            page.wait_for_selector(".results.failed")
            text = page.locator(".results").inner_text()
            assert words in text and "ConnectError" not in text and "502" not in text
            assert page.locator(".downloads a").count() == 0
            assert page.locator(".downloads .disabled").count() == 4
        finally:
            context.close()


def test_changed_form_marks_the_answer_stale_and_the_picker_filters(page: Any) -> None:
    page.goto("/ui/queries/regions-targeting-sectors?lang=zh")
    page.wait_for_selector(".results.ready")
    assert page.locator(".stale-note").count() == 0
    picker = page.locator("label.field", has=page.locator("select[name=sector1]"))
    picker.locator("input.picker-filter").fill("liangzixinxi")  # pinyin
    shown = page.locator("select[name=sector1] option:not([hidden])").all_inner_texts()
    assert shown == ["量子信息"]
    assert page.locator("select[name=sector1]").input_value() == "quantum-information"
    assert page.locator(".results").get_attribute("class").split().count("stale") == 1
    assert page.locator(".stale-note").is_visible()
    picker.locator("input.picker-filter").fill("humanoid")  # English
    assert page.locator("select[name=sector1] option:not([hidden])").all_inner_texts() == [
        "人形机器人"]


def test_a_third_sector_added_in_the_form_narrows_the_answer(chromium: Any,
                                                            server: Server) -> None:
    """On a phone, in Chinese: metaverse and humanoid robots by 2035 (Beijing, Shandong);
    another sector added with the form's button, gene technology chosen in it: Shandong."""
    with opened(chromium, server, PHONE, "zh") as page:
        page.goto("/ui/queries/regions-targeting-sectors?sector1=metaverse"
                  "&sector2=humanoid-robot&year=2035")
        page.wait_for_selector(".results.ready")
        rows = page.locator("table.results-table tbody tr")
        assert rows.count() == 2
        lists = page.locator("fieldset[data-list=sectors]")
        assert lists.locator("select").count() == 1
        page.get_by_role("button", name="添加领域").click()
        assert lists.locator("select").count() == 2
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        lists.locator("input.picker-filter").nth(1).fill("jiyinjishu")  # 基因技术, by pinyin
        assert lists.locator("select").nth(1).input_value() == "gene-technology"
        assert page.locator(".stale-note").is_visible()
        page.locator("form.question button[type=submit]").click()
        page.wait_for_selector(".results.ready")
        assert query_of(page.url)["sectors"] == ["gene-technology"]  # (the empty one: "")
        assert rows.count() == 1 and "山东" in rows.first.inner_text()
        assert [s.input_value() for s in lists.locator("select").all()] == [
            "gene-technology", ""]


def test_source_page_lists_its_many_facts_in_the_editor(page: Any) -> None:
    """The source's page counts the facts derived from it; its link opens the SPARQL editor
    with the query that lists them (every one of them: as many as the page counts)."""
    page.goto("/id/source/article?lang=en")
    counted = page.locator("a.list-all").last.locator("xpath=..").inner_text().split(":")[0]
    page.locator("a.list-all").last.click()
    page.wait_for_selector("#yasgui[data-ready=true]")
    text = page.evaluate("() => window.kgYasgui.getTab().getQuery()")
    assert "prov#wasDerivedFrom>" in text and "/id/source/article>" in text
    answer = page.request.get("/sparql", params={"query": text},
                              headers={"Accept": "application/sparql-results+json"})
    assert str(len(answer.json()["results"]["bindings"])) == counted
