"""The web interface's pages over HTTP (no browser): forms, links, language, places, examples."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import httpx

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
    home = page(client, "/")
    assert home.lang == "en"
    names = Catalogue.load().names()
    assert {f"/ui/queries/{n}?lang=en" for n in names} <= set(home.links)
    regions = {link for link in home.links if link.startswith("/id/region/")}
    assert {"/id/region/beijing?lang=en", "/id/region/shandong?lang=en"} <= regions
    assert "/?lang=zh" in home.links  # the language switch


def test_language_switch_keeps_the_parameters(client: httpx.Client) -> None:
    zh = page(client, "/ui/queries/region-sectors?region=beijing&lang=zh")
    assert zh.lang == "zh"
    switch = [link for link in zh.links if "lang=en" in link and "region-sectors" in link]
    assert switch and parse_qs(urlsplit(switch[0]).query) == {"region": ["beijing"],
                                                              "lang": ["en"]}
    assert page(client, "/ui/queries/region-sectors?lang=fr").lang == "en"


def test_region_dropdown_comes_from_the_graph_with_both_labels(client: httpx.Client,
                                                               curated_build: Build) -> None:
    form = page(client, "/ui/queries/region-sectors?lang=zh")
    options = form.selects["region"]
    assert ("shandong", "山东省 · Shandong", True) in options  # the default, selected
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
    assert [v for v, _, s in form.selects["lang"] if s] == ["en"]  # the page's language
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
    assert "/ui/static/vendor/yasgui/yasgui.min.js" in r.text
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
        assert inner and all(link.endswith(f"?lang={lang}") for link in inner)
    plain = Parsed(client.get("/id/region/shandong", headers={"Accept": "text/html"}).text)
    assert plain.lang == "en"
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
