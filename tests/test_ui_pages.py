"""The web interface's pages over HTTP (no browser): forms, links, language, places, examples."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from typing import ClassVar
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from kg.catalogue import Catalogue
from kg.store import Build

ID = "https://w3id.org/future-industries/id/"


class Parsed(HTMLParser):
    """Links, options of each select, inputs, and the html lang of a page."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.links: list[str] = []
        self.selects: dict[str, list[tuple[str, str, bool]]] = {}
        self.inputs: dict[str, dict[str, str | None]] = {}
        self.lang = ""
        self._select: str | None = None
        self._option: tuple[str, bool] | None = None
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang") or ""
        elif tag == "a" and a.get("href"):
            self.links.append(a["href"] or "")
        elif tag == "select":
            self._select = a.get("name") or ""
            self.selects[self._select] = []
        elif tag == "option" and self._select is not None:
            self._option = (a.get("value") or "", "selected" in a)
        elif tag == "input" and a.get("name"):
            self.inputs[a["name"] or ""] = a

    def handle_data(self, data: str) -> None:
        if self._option is not None and self._select is not None:
            value, selected = self._option
            self.selects[self._select].append((value, data, selected))
            self._option = None

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def page(client: httpx.Client, url: str) -> Parsed:
    r = client.get(url)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/html")
    return Parsed(r.text)


def test_home_lists_every_question_and_the_regions(client: httpx.Client,
                                                  curated_build: Build) -> None:
    home = page(client, "/?lang=en")
    assert home.lang == "en"
    names = Catalogue.load().names()
    assert {f"/ui/queries/{n}?lang=en" for n in names} <= set(home.links)
    regions = {link for link in home.links if link.startswith("/id/region/")}
    assert {"/id/region/beijing?lang=en", "/id/region/shandong?lang=en"} <= regions
    assert "/?lang=zh" in home.links  # the language switch
    assert page(client, "/").lang == "zh"  # Chinese first


def test_language_switch_keeps_the_parameters(client: httpx.Client) -> None:
    zh = page(client, "/ui/queries/region-sectors?region=beijing&lang=zh")
    assert zh.lang == "zh"
    switch = [link for link in zh.links if "lang=en" in link and "region-sectors" in link]
    assert switch and parse_qs(urlsplit(switch[0]).query) == {"region": ["beijing"],
                                                              "lang": ["en"]}
    assert page(client, "/ui/queries/region-sectors?lang=fr").lang == "zh"


def test_region_dropdown_comes_from_the_graph_with_both_labels(client: httpx.Client,
                                                               curated_build: Build) -> None:
    form = page(client, "/ui/queries/region-sectors?lang=zh")
    options = form.selects["region"]
    assert ("shandong", "山东省", True) in options  # the default, selected
    rows = curated_build.open().query(
        "SELECT DISTINCT ?r WHERE { ?r a <https://w3id.org/future-industries/ontology#Region> }",
        use_default_graph_as_union=True)
    slugs = {str(row["r"].value).removeprefix(ID + "region/") for row in rows}
    assert {value for value, _, _ in options} == slugs
    chosen = page(client, "/ui/queries/region-sectors?region=zhejiang&lang=en")
    assert [v for v, _, s in chosen.selects["region"] if s] == ["zhejiang"]


def test_optional_sector_and_year_fields(client: httpx.Client) -> None:
    form = page(client, "/ui/queries/regions-targeting-sectors")
    assert [v for v, _, s in form.selects["sector1"] if s] == ["6g"]
    assert form.inputs["year"]["value"] == "2025"
    assert [v for v, _, s in form.selects["lang"] if s] == ["zh"]  # the page's language
    assert [v for v, _, s in page(client, "/ui/queries/plans-timeline?lang=zh").selects["lang"]
            if s] == ["zh"]
    plan = page(client, "/ui/queries/plan-actions")
    assert plan.inputs["plan"]["value"] == ""  # optional, no default


def test_results_point_at_the_api_and_download_links_work(client: httpx.Client) -> None:
    r = client.get("/ui/queries/region-sectors?region=beijing&lang=zh")
    api = re.search(r'data-api="([^"]+)"', r.text)
    assert api is not None
    url = api.group(1).replace("&amp;", "&")
    assert parse_qs(urlsplit(url).query) == {"region": ["beijing"], "lang": ["zh"],
                                             "limit": ["500"]}  # a page of the answer
    downloads = [link for link in Parsed(r.text).links if "format=" in link]
    assert {parse_qs(urlsplit(d).query)["format"][0] for d in downloads} >= {"csv", "json"}
    assert {parse_qs(urlsplit(d).query)["limit"][0] for d in downloads} == {"all"}
    csv = client.get(next(d for d in downloads if d.endswith("format=csv")))
    assert csv.status_code == 200 and "量子信息" in csv.text


def test_unknown_question_is_404(client: httpx.Client) -> None:
    r = client.get("/ui/queries/no-such-question")
    assert r.status_code == 404
    assert "region-sectors" in r.text


def test_places_join_region_codes_to_division_coordinates(client: httpx.Client) -> None:
    data = client.get("/ui/places.json").json()
    beijing = data["regions"][ID + "region/beijing"]
    assert beijing["code"] == "110000"
    assert 39 < beijing["lat"] < 41 and 116 < beijing["lon"] < 117
    assert ID + "region/china" not in data["regions"]  # no division code for the country
    assert len(data["divisions"]) > 300  # provinces and prefecture-level cities
    assert any(p[3] == "440300" and p[2] == "深圳市" for p in data["divisions"])


def test_search_page_binds_the_text_as_a_parameter(client: httpx.Client) -> None:
    tricky = '量子" } ; DROP ALL ; {'
    r = client.get("/ui/search", params={"q": tricky, "lang": "zh"})
    api = re.search(r'data-api="([^"]+)"', r.text)
    assert api is not None
    url = api.group(1).replace("&amp;", "&")
    assert parse_qs(urlsplit(url).query)["text"] == [tricky]
    answer = client.get(url + "&format=json")
    assert answer.status_code == 200 and answer.json()["results"]["bindings"] == []
    r = client.get("/ui/search", params={"q": "量子"})
    url = re.search(r'data-api="([^"]+)"', r.text).group(1).replace("&amp;", "&")  # type: ignore[union-attr]
    hits = {b["entity"]["value"] for b in client.get(url + "&format=json").json()["results"]["bindings"]}
    assert {ID + "sector/quantum-information", ID + "sector/quantum-technology"} <= hits


def test_editor_page_serves_yasgui_locally_with_examples(client: httpx.Client) -> None:
    r = client.get("/ui/sparql")
    assert re.search(r"/ui/static/[0-9a-f]{12}/vendor/yasgui/yasgui.min.js", r.text)
    assert not re.search(r'(src|href)="https?://', r.text)
    js = client.get("/ui/static/vendor/yasgui/yasgui.min.js")
    assert js.status_code == 200 and len(js.content) > 500_000
    assert 'data-example="plans-timeline"' in r.text


def test_every_editor_example_runs_at_the_endpoint(client: httpx.Client) -> None:
    """Regression: the federated questions were offered and /sparql refused them (SERVICE)."""
    from kg.catalogue import Catalogue
    from kg.html.examples import examples

    found = examples(Catalogue.load())
    assert len(found) >= 20
    for example in found:
        r = client.get("/sparql", params={"query": example["text"], "format": "json"})
        assert r.status_code == 200, (example["name"], r.text[:200])


def test_entity_pages_follow_the_language_in_the_url(client: httpx.Client) -> None:
    for lang, heading in (("zh", "山东省"), ("en", "Shandong"), ("zh", "山东省")):
        r = client.get("/id/region/shandong", params={"lang": lang},
                       headers={"Accept": "text/html"})
        parsed = Parsed(r.text)
        assert parsed.lang == lang
        assert f"<h1>{heading}" in r.text
        other = "en" if lang == "zh" else "zh"
        switch = f"/id/region/shandong?lang={other}"
        assert switch in parsed.links
        inner = [link for link in parsed.links
                 if link.startswith("/id/") and link != switch and "format=" not in link]
        assert inner and all(link.split("#")[0].endswith(f"?lang={lang}") for link in inner)
    plain = Parsed(client.get("/id/region/shandong", headers={"Accept": "text/html"}).text)
    assert plain.lang == "zh"  # Chinese first
    assert "/id/plan/shandong-manufacturing-innovation-action-plan-2023-2025" in plain.links


def test_only_fixed_parameters_are_hidden_from_the_table(client: httpx.Client) -> None:
    def hidden(url: str) -> list[str]:
        found = re.search(r'data-hide="([^"]+)"', client.get(url).text)
        assert found is not None
        return json.loads(found.group(1).replace("&quot;", '"'))

    assert hidden("/ui/queries/plan-actions") == ["lang"]  # no plan given: a column per row
    chosen = "/ui/queries/plan-actions?plan=id:plan/beijing-future-industry-implementation-plan"
    assert hidden(chosen) == ["plan", "lang"]


def test_the_page_asked_for_goes_to_the_api(client: httpx.Client) -> None:
    r = client.get("/ui/queries/region-sector-matrix?limit=50&offset=100&lang=zh")
    section = re.search(r'<section id="results"[^>]*>', r.text)
    assert section is not None
    assert 'data-limit="50"' in section.group(0) and 'data-offset="100"' in section.group(0)
    api = re.search(r'data-api="([^"]+)"', section.group(0)).group(1)  # type: ignore[union-attr]
    assert parse_qs(urlsplit(api.replace("&amp;", "&")).query) == {
        "lang": ["zh"], "limit": ["50"], "offset": ["100"]}
    federated = client.get("/ui/queries/wikidata-region-labels?limit=5").text
    assert "data-limit" not in federated  # answered whole, not in pages


# --- Chinese first (issue 15) -------------------------------------------------------------

class Shown(HTMLParser):
    """The words a reader sees on a page: text and the placeholder and aria-label of fields,
    leaving out what is not in the page's language (``lang`` other than zh), code, scripts,
    IRIs shown as identifiers (``.iri``) and URLs."""

    VOID: ClassVar[set[str]] = {"meta", "link", "input", "br", "img", "hr", "source", "col", "area", "base", "wbr"}

    def __init__(self, text: str) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._stack: list[tuple[str, bool]] = []
        self.feed(text)

    def _hidden(self) -> bool:
        return any(h for _, h in self._stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if not self._hidden() and a.get("type") != "hidden":
            self.parts += [a.get("placeholder") or "", a.get("aria-label") or ""]
        if tag in self.VOID:
            return
        hide = (tag in ("script", "style", "code", "pre") or a.get("lang") not in (None, "zh")
                or "iri" in (a.get("class") or "").split())
        self._stack.append((tag, hide))

    def handle_endtag(self, tag: str) -> None:
        while self._stack and self._stack.pop()[0] != tag:
            pass

    def handle_data(self, data: str) -> None:
        if not self._hidden():
            self.parts.append(data)

    def words(self) -> set[str]:
        text = re.sub(r"https?://\S+", " ", " ".join(self.parts))
        return {w.lower() for w in re.findall(r"[A-Za-z@][A-Za-z@_:-]*[A-Za-z]", text)}


def english_interface_words() -> set[str]:
    """Every word of the English side of the interface table that its Chinese side does not
    also use (SPARQL, JSON, OpenAPI…), at least three letters long."""
    from kg.html import i18n

    def words(lang: str) -> set[str]:
        return {w.lower() for v in i18n.STRINGS.values()
                for w in re.findall(r"[A-Za-z@][A-Za-z@_:-]*[A-Za-z]", v[lang])}

    return {w for w in words("en") - words("zh") if len(w) >= 3}


def test_every_interface_word_is_in_both_languages() -> None:
    from kg.html import i18n

    missing = [k for k, v in i18n.STRINGS.items() if set(v) != set(i18n.LANGS)
               or not all(v[lang].strip() for lang in i18n.LANGS)]
    assert missing == []
    english = english_interface_words()
    assert {"run", "download", "rows", "first", "sector"} <= english  # the list is a real one


ZH_PAGES = [
    "/", "/ui/queries", "/ui/queries/regions-targeting-sectors",
    "/ui/queries/region-sector-matrix", "/ui/queries/plan-actions",
    "/ui/queries/regions-targeting-sectors?year=20x5", "/ui/queries/region-sectors?region=nowhere",
    "/ui/search?q=6G", "/ui/sparql", "/id/region/shandong", "/id/sector/quantum-technology",
    "/id/plan/beijing-future-industry-implementation-plan",
]


def test_chinese_pages_show_no_english_interface_words(client: httpx.Client) -> None:
    english = english_interface_words()
    for path in ZH_PAGES:
        r = client.get(path, headers={"Accept": "text/html", "Accept-Language": "zh-CN,zh;q=0.9"})
        assert r.status_code == 200, (path, r.status_code)
        assert Parsed(r.text).lang == "zh"
        found = Shown(r.text).words()
        assert found & english == set(), path
        assert not found & {"sector1", "sector2", "skos:broader", "dcterms:identifier",
                            "xsd:integer", "@zh"}, path


@pytest.mark.parametrize(("accept", "lang"), [
    ("zh-CN,zh;q=0.9,en;q=0.8", "zh"), ("en-US,en;q=0.9", "en"),
    ("fr-FR, en;q=0.3, zh;q=0.2", "en"), ("en;q=0.1, zh-TW;q=0.5", "zh"), ("de", "zh"), ("", "zh"),
])
def test_language_from_accept_language(client: httpx.Client, accept: str, lang: str) -> None:
    for path in ("/ui/queries", "/id/region/shandong"):
        r = client.get(path, headers={"Accept": "text/html", "Accept-Language": accept})
        assert Parsed(r.text).lang == lang, path
        assert "accept-language" in r.headers["vary"].lower()
    asked = client.get("/ui/queries?lang=en", headers={"Accept-Language": "zh"})
    assert Parsed(asked.text).lang == "en"  # the URL first


def test_a_refused_value_is_explained_in_the_page_language(client: httpx.Client) -> None:
    zh = client.get("/ui/queries/regions-targeting-sectors?year=20x5&lang=zh").text
    assert "该取值不可用" in zh and "四位数年份" in zh and "data-api" not in zh
    en = client.get("/ui/queries/region-sectors?region=nowhere&lang=en").text
    assert "This value is not allowed" in en and "Beijing" in en and "Shandong" in en
    assert "parameter 'region'" not in en


def test_lists_follow_pinyin_in_chinese_and_letters_in_english(client: httpx.Client) -> None:
    from kg.html.i18n import sort_key

    for lang in ("zh", "en"):
        labels = [label for value, label, _ in
                  page(client, f"/ui/queries/region-sectors?lang={lang}").selects["region"]]
        assert labels == sorted(labels, key=lambda t: sort_key(t, lang)) and len(labels) > 5
    zh = [label for _, label, _ in page(client, "/ui/queries/region-sectors").selects["region"]]
    assert zh.index("北京市") < zh.index("上海市") < zh.index("浙江省")  # bei < shang < zhe


# --- Questions easy to find (issue 15) ------------------------------------------------------

def test_the_headline_question_comes_first_and_answers_in_one_click(client: httpx.Client) -> None:
    for lang, headline in (("zh", "哪些地区到2025年同时布局6G和量子科技?"),
                           ("en", "Which regions target both 6G and quantum technology by 2025?")):
        home = client.get(f"/?lang={lang}").text
        first = re.search(r'<a class="featured-link" href="([^"]+)">([^<]+)</a>', home)
        assert first is not None and first.group(2) == headline
        assert first.group(1) == f"/ui/queries/regions-targeting-sectors?lang={lang}"
        question = client.get(first.group(1)).text  # runs with the defaults: the answer
        api = re.search(r'data-api="([^"]+)"', question).group(1).replace("&amp;", "&")  # type: ignore[union-attr]
        rows = client.get(api + "&format=json").json()["results"]["bindings"]
        assert [r["region"]["value"] for r in rows] == [ID + "region/shandong"]


def test_search_finds_questions_as_well_as_entities(client: httpx.Client) -> None:
    for q in ("6G", "量子科技"):
        r = client.get("/ui/search", params={"q": q, "lang": "zh"}).text
        found = re.search(r'<section class="found-questions">.*?</section>', r, re.S)
        assert found is not None and "/ui/queries/regions-targeting-sectors" in found.group(0)
        assert 'id="search-results"' in r  # and the entities, below


def test_the_sector_picker_is_grouped_by_domain(client: httpx.Client) -> None:
    r = client.get("/ui/queries/regions-targeting-sectors?lang=zh").text
    select = re.search(r'<select name="sector1" data-picker="sector">(.*?)</select>', r, re.S)
    assert select is not None
    groups = re.findall(r'<optgroup label="([^"]+)">', select.group(1))
    assert {"未来信息", "未来制造"} <= set(groups)
    info = re.search(r'<optgroup label="未来信息">(.*?)</optgroup>', select.group(1), re.S)
    assert info is not None and 'value="6g"' in info.group(1)
    assert 'data-search="量子科技 liangzikeji quantum science and technology quantum-technology"' in r


# --- Compression and caching (issue 15) -----------------------------------------------------

def test_the_editor_page_is_under_350_kb_on_the_wire(client: httpx.Client) -> None:
    """The page and every file it loads, as a browser asking for gzip gets them."""
    gz = {"Accept-Encoding": "gzip"}
    page_ = client.get("/ui/sparql", headers=gz)
    assert page_.headers["content-encoding"] == "gzip"
    assets = re.findall(r'(?:src|href)="(/ui/static/[^"]+)"', page_.text)
    assert any(a.endswith("yasgui.min.js") for a in assets)
    total = 0
    for url in ["/ui/sparql", *assets]:
        with client.stream("GET", url, headers=gz) as r:
            assert r.status_code == 200
            wire = sum(len(chunk) for chunk in r.iter_raw())
        total += wire
    assert total < 350_000, total


def test_static_files_are_kept_by_version(client: httpx.Client) -> None:
    html = client.get("/ui/queries").text
    css = re.search(r'href="(/ui/static/([0-9a-f]{12})/ui.css)"', html)
    assert css is not None
    r = client.get(css.group(1))
    assert r.status_code == 200 and "immutable" in r.headers["cache-control"]
    assert "max-age=31536000" in r.headers["cache-control"]
    assert client.get("/ui/static/ui.css").content == r.content  # the same file, revalidated
    assert "immutable" not in client.get("/ui/static/ui.css").headers.get("cache-control", "")


def test_compressed_answers_are_the_same_bytes(client: httpx.Client) -> None:
    query = "SELECT * WHERE { ?s ?p ?o } LIMIT 2000"
    plain = client.get("/sparql", params={"query": query, "format": "csv"},
                       headers={"Accept-Encoding": "identity"})
    packed = client.get("/sparql", params={"query": query, "format": "csv"},
                        headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in plain.headers
    assert packed.headers["content-encoding"] == "gzip"
    assert packed.content == plain.content  # httpx decodes the gzip
    page_ = client.get("/ui/queries", headers={"Accept-Encoding": "gzip"})
    etag = page_.headers["etag"]
    assert etag.startswith('W/"')  # not the identity body's bytes
    again = client.get("/ui/queries", headers={"Accept-Encoding": "gzip", "If-None-Match": etag})
    assert again.status_code == 304
