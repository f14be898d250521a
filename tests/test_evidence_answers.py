"""Evidence with every answer: each row's facts and quotes, the spans of the source they
rest on, region and sector pages with their quotes, and the source's reader page.

The build is the curated one (`kg build` writes the evidence graph), served by a real
`kg serve`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from html import escape, unescape
from pathlib import Path
from typing import Any

import httpx
import pytest
from pyoxigraph import NamedNode, RdfFormat, Store

from _server import Server
from _ui import browser, have_chromium, pages
from kg.catalogue import Catalogue, answer, evidence
from kg.sparql import queryable
from kg.store import Location
from kg.vocab import EVIDENCE_BASE, EVIDENCE_GRAPH, ID_BASE, RDF

ARTICLE = ID_BASE + "source/article"
PROV_DERIVED = NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom")
ARTICLE_TEXT = Path(__file__).resolve().parent.parent / "sources" / "article.zh.txt"
CATALOGUE = Catalogue.load()
WITH_EVIDENCE = [q.name for q in CATALOGUE.queries() if q.evidence]
# rows that rest on no quoted fact, and why: regions no plan is made for
NO_FACTS = {"regions-map"}


@pytest.fixture(scope="module")
def built(curated_location: Path) -> tuple[Path, str]:
    """The curated build (with its evidence graph); its location and the source's text."""
    return curated_location, ARTICLE_TEXT.read_text("utf-8")


@pytest.fixture(scope="module")
def store(built: tuple[Path, str]) -> Store:
    return Location(built[0]).require_current().open()


@pytest.fixture(scope="module")
def text(built: tuple[Path, str]) -> str:
    return built[1]


@pytest.fixture(scope="module")
def srv(built: tuple[Path, str]) -> Iterator[Server]:
    with Server(built[0], "--workers", "1") as s:
        yield s


@pytest.fixture(scope="module")
def http(srv: Server) -> Iterator[httpx.Client]:
    with srv.client() as c:
        yield c


def positions(store: Store) -> dict[str, tuple[int, int, str]]:
    """Every annotation's span: anchor (ev-…) → (start, end, exact)."""
    rows = store.query(f"""PREFIX oa: <http://www.w3.org/ns/oa#>
      SELECT ?a ?s ?e ?x {{ GRAPH {EVIDENCE_GRAPH} {{ ?a oa:hasTarget ?t .
        ?t oa:hasSelector ?p , ?q . ?p oa:start ?s ; oa:end ?e . ?q oa:exact ?x }} }}""")
    return {"ev-" + r["a"].value[len(EVIDENCE_BASE):]: (int(r["s"].value), int(r["e"].value),
                                                       r["x"].value) for r in rows}


def test_every_row_of_every_question_rests_on_located_quotes(store: Store, text: str) -> None:
    """Catalogue level: with its defaults, each row of each question with evidence has
    facts whose quote is in the source's text, at exactly the span its annotation says."""
    assert len(WITH_EVIDENCE) >= 19
    for name in WITH_EVIDENCE:
        query = CATALOGUE.get(name)
        result = answer(store, query, {})
        data = json.loads(result.serialize("json"))
        columns = data["head"]["vars"]
        assert not set(evidence.COLUMNS) & set(columns), name  # not without the option
        rows = [{c: s[c] for c in columns if s[c] is not None}
                for s in answer(store, query, {}).value]  # type: ignore[union-attr]
        facts = evidence.gather(queryable(store), query, rows, columns, "zh")
        assert len(facts) == len(rows) > 0, name
        for row in facts:
            assert row or name in NO_FACTS, name
            for fact in row:
                assert fact.reason and fact.quote in text, (name, fact)
                assert fact.start is not None and fact.end is not None, (name, fact)
                assert text[fact.start:fact.end] == fact.quote, (name, fact)
                assert fact.source == ARTICLE and fact.href == f"{ARTICLE}#{fact.anchor}"


def test_headline_row_says_why_and_where(store: Store) -> None:
    """Shandong qualifies for 6G and quantum technology by 2025: its two sector links, the
    plan whose period ends in 2025 and its target due in 2025, each with its clause."""
    result = answer(store, "regions-targeting-sectors", {"lang": "zh"}, evidence=True)
    (row,) = json.loads(result.serialize("json"))["results"]["bindings"]
    facts = row["facts"]["value"].split("\n")
    assert sorted(f.rsplit("/", 2)[1] for f in facts) == [
        "plan", "sector-link", "sector-link", "target"]
    reasons = row["reasons"]["value"].split("\n")
    assert any("6G" in r for r in reasons) and any("量子科技" in r for r in reasons)
    assert any(r.endswith("· 2025") for r in reasons)  # the target, with its year
    assert "推进6G技术研发和应用" in row["quotes"]["value"].split("\n")


@pytest.mark.parametrize("name", WITH_EVIDENCE)
def test_served_rows_carry_their_evidence(http: httpx.Client, store: Store, text: str,
                                          name: str) -> None:
    """Server level: ?evidence=1 adds the four columns; every quote is in the source, and
    the span its link names holds exactly that quote. Without it, the answer is as before."""
    plain = http.get(f"/queries/{name}", params={"format": "json", "limit": "all"})
    shown = http.get(f"/queries/{name}", params={"format": "json", "limit": "all",
                                                 "evidence": "1"})
    assert plain.status_code == shown.status_code == 200
    before, after = plain.json(), shown.json()
    assert after["head"]["vars"] == before["head"]["vars"] + list(evidence.COLUMNS)
    spans = positions(store)
    rows = after["results"]["bindings"]
    assert len(rows) == len(before["results"]["bindings"])
    for row, old in zip(rows, before["results"]["bindings"], strict=True):
        assert {k: v for k, v in row.items() if k not in evidence.COLUMNS} == old
        if "facts" not in row:
            assert name in NO_FACTS
            continue
        quotes = row["quotes"]["value"].split("\n")
        links = row["evidence"]["value"].split("\n")
        assert len(quotes) == len(links) == len(row["reasons"]["value"].split("\n"))
        for quote, link in zip(quotes, links, strict=True):
            start, end, exact = spans[link.partition("#")[2]]
            assert quote in text and text[start:end] == quote == exact


def test_evidence_in_csv_and_a_bad_option(http: httpx.Client) -> None:
    csv = http.get("/queries/region-sectors", params={"format": "csv", "evidence": "1"})
    assert csv.status_code == 200
    assert csv.text.splitlines()[0].endswith(",facts,reasons,quotes,evidence")
    bad = http.get("/queries/region-sectors", params={"evidence": "yes"})
    assert bad.status_code == 400 and "evidence must be 1 or 0" in bad.text
    doc = http.get("/openapi.json").json()
    names = [p["name"] for p in doc["paths"]["/queries/region-sectors"]["get"]["parameters"]]
    assert "evidence" in names


def page_quotes(html: str) -> set[str]:
    return {unescape(q) for q in re.findall(r'<blockquote lang="zh">(.*?)</blockquote>', html)}


@pytest.mark.parametrize(("path", "where"), [
    ("/id/region/shandong", "{ ?f fi:forRegion ?e } UNION { ?p fi:forRegion ?e ; "
     "fi:hasSectorLink|fi:hasTarget|fi:hasAction ?f }"),
    ("/id/sector/quantum-technology", "?m skos:broader* ?e . ?f fi:linkedSector ?m ."),
])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_region_and_sector_pages_show_their_quotes(http: httpx.Client, store: Store, path: str,
                                                   where: str, lang: str) -> None:
    iri = "https://w3id.org/future-industries" + path
    expected = {r["q"].value for r in store.query(
        "PREFIX fi: <https://w3id.org/future-industries/ontology#> "
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
        f"SELECT DISTINCT ?q {{ BIND(<{iri}> AS ?e) {where} ?f fi:sourceQuote ?q }}",
        use_default_graph_as_union=True)}
    page = http.get(path, params={"lang": lang}, headers={"Accept": "text/html"})
    assert page.status_code == 200
    section = page.text.split('<section class="evidence-facts">')[1].split("</section>")[0]
    assert expected and page_quotes(section) == expected
    crumbs = page.text.split('<nav class="breadcrumbs"')[1].split("</nav>")[0]
    assert crumbs.count("<li") == 3 and ('首页' if lang == "zh" else "Home") in crumbs
    assert "fi:" not in section and "skos:" not in section  # plain words


def test_reader_highlights_exactly_the_annotated_spans(http: httpx.Client, store: Store,
                                                       text: str) -> None:
    spans = positions(store)
    page = http.get("/id/source/article", params={"lang": "en"},
                    headers={"Accept": "text/html"}).text
    reader = page.split('<div class="source-text" lang="zh">')[1].split("</div>")[0]
    distinct = {(s, e) for s, e, _x in spans.values()}
    assert reader.count("<mark id=") == len(distinct) > 50
    ids = set(re.findall(r' id="(ev-[0-9a-f]{16})"', reader))
    assert ids == set(spans)  # every annotation has its anchor
    assert unescape(re.sub(r"<sup.*?</sup>|<[^>]+>", "", reader)) == text  # all the text
    assert page.count("none: the source does not give one") == 2  # no date, no URL
    assert "Redian新闻" in page


def test_reader_page_is_light_and_links_every_span_to_its_facts(http: httpx.Client,
                                                                 store: Store) -> None:
    """The source's page lists no derived fact one by one (~255 KB before): it counts them
    by kind, with a link to the SPARQL editor that lists them; each span's mark still
    links to its facts' pages."""
    for lang in ("zh", "en"):
        r = http.get("/id/source/article", params={"lang": lang},
                     headers={"Accept": "text/html"})
        assert r.status_code == 200 and len(r.content) < 70_000, len(r.content)
        reader = r.text.split('<div class="source-text" lang="zh">')[1].split("</div>")[0]
        marks = re.findall(r'<mark id="(ev-[0-9a-f]{16})">', reader)
        assert marks and len(re.findall(r"<sup>(.*?)</sup>", reader)) == len(marks)
        facts = set(re.findall(r'<sup>.*?href="(/id/[^"?]+)\?lang=', reader))
        derived = {q.subject.value[len(ID_BASE) - 4:] for q in store.quads_for_pattern(
            None, PROV_DERIVED, NamedNode(ARTICLE)) if q.subject.value.startswith(ID_BASE)}
        assert facts and facts <= derived | {"/id/" + f[4:] for f in facts}
        assert "/id/evidence/" not in r.text.split("</div>", 1)[1]  # not listed one by one
        listing = re.search(r'href="(/ui/sparql\?query=[^"]+)"', r.text)
        assert listing and ("列出全部" if lang == "zh" else "list them all") in r.text
        editor = http.get(unescape(listing.group(1)))
        assert editor.status_code == 200


def test_editorial_notes_in_the_page_language_only(http: httpx.Client, store: Store) -> None:
    """The source's page shows its editor's note in the page's language, not both."""
    notes = {q.object.language: q.object.value for q in store.quads_for_pattern(
        NamedNode(ARTICLE), NamedNode("http://www.w3.org/2004/02/skos/core#editorialNote"),
        None)}
    assert set(notes) == {"zh", "en"}
    for lang, other in (("zh", "en"), ("en", "zh")):
        page = http.get("/id/source/article", params={"lang": lang},
                        headers={"Accept": "text/html"}).text
        assert escape(notes[lang]) in page and escape(notes[other]) not in page


def test_annotations_are_linked_data(http: httpx.Client, store: Store) -> None:
    anchor = next(iter(positions(store)))
    ttl = http.get(f"/id/evidence/{anchor[3:]}", headers={"Accept": "text/turtle"})
    assert ttl.status_code == 200
    got = Store()
    got.load(ttl.content, format=RdfFormat.TURTLE, base_iri=str(http.base_url))
    kinds = {q.object.value.rsplit("#")[-1] for q in got.quads_for_pattern(None, RDF.type, None)}
    assert {"Annotation", "SpecificResource", "TextQuoteSelector",
            "TextPositionSelector"} <= kinds
    assert http.get("/context.jsonld").json()["@context"]["oa"] == "http://www.w3.org/ns/oa#"
    ask = http.get("/sparql", params={"query": "PREFIX oa: <http://www.w3.org/ns/oa#> ASK { "
                                      f"GRAPH {EVIDENCE_GRAPH} {{ ?a a oa:Annotation }} }}"},
                   headers={"Accept": "application/sparql-results+json"})
    assert ask.json()["boolean"] is True


sync_api = pytest.importorskip("playwright.sync_api")


@pytest.mark.browser
@pytest.mark.skipif(not have_chromium(), reason="needs Debian's chromium (scripts/setup.sh)")
def test_a_rows_evidence_opens_and_leads_to_its_span(srv: Server) -> None:
    """In zh and en: the headline answer's row opens its evidence; its link goes to the
    reader page, where the span it names is highlighted."""
    with sync_api.sync_playwright() as p:
        b = browser(p)
        try:
            for lang, words in (("zh", "条依据"), ("en", "facts")):
                page_: Any
                for page_ in pages(b, srv.url):
                    page_.goto(f"/ui/queries/regions-targeting-sectors?lang={lang}")
                    page_.wait_for_selector("#results.ready")
                    summary = page_.locator("details.evidence summary").first
                    assert summary.inner_text() == f"4 {words}"
                    summary.click()
                    link = page_.locator("details.evidence a.in-source").first
                    assert link.is_visible()
                    quote = page_.locator("details.evidence blockquote").first.inner_text()
                    href = link.get_attribute("href") or ""
                    assert href.startswith(f"/id/source/article?lang={lang}#ev-")
                    link.click()
                    page_.wait_for_url(re.compile(r".*/id/source/article.*#ev-"))
                    shown = page_.evaluate("""() => {
                      const mark = document.querySelector(":target").closest("mark").cloneNode(true);
                      mark.querySelectorAll("sup").forEach((s) => s.remove());
                      return mark.textContent; }""")
                    assert shown == quote
        finally:
            b.close()
