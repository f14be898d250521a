"""Packaged queries over HTTP and the OpenAPI document generated from the catalogue."""

from __future__ import annotations

from typing import Any

import httpx
import pyoxigraph as ox
import pytest

from _server import Served
from kg.catalogue import Catalogue, answer
from kg.store import Build


def rows(result: ox.QuerySolutions) -> set[tuple[str | None, ...]]:
    names = [v.value for v in result.variables]
    return {tuple(r[n].value if r[n] is not None else None for n in names) for r in result}


def test_listing_is_the_catalogue(client: httpx.Client) -> None:
    r = client.get("/queries")
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    assert r.json() == Catalogue.load().to_json()


@pytest.mark.parametrize(("name", "params"), [
    ("region-sectors", {"region": "zhejiang", "lang": "zh"}),
    ("plans-timeline", {}),
    ("region-sectors", {"region": ("https://w3id.org/future-industries/id/region/shandong")}),
])
def test_results_match_the_service(client: httpx.Client, curated_build: Build, name: str,
                                   params: dict[str, str]) -> None:
    r = client.get(f"/queries/{name}", params=params,
                   headers={"Accept": "application/sparql-results+xml"})
    assert r.status_code == 200, r.text
    got = ox.parse_query_results(r.content, format=ox.QueryResultsFormat.XML)
    want = answer(curated_build.open(), name, params).value
    assert isinstance(got, ox.QuerySolutions) and isinstance(want, ox.QuerySolutions)
    expected = rows(want)
    assert rows(got) == expected and expected


def test_format_parameter(client: httpx.Client) -> None:
    r = client.get("/queries/plans-timeline", params={"format": "tsv"})
    assert r.headers["content-type"].startswith("text/tab-separated-values")


def test_unknown_query_lists_the_names(served: Served) -> None:
    r = served.client.get("/queries/no-such-question")
    assert r.status_code == 404
    assert all(name in r.text for name in Catalogue.load().names())


def test_openapi_is_valid_and_covers_every_query(client: httpx.Client) -> None:
    validator = pytest.importorskip("openapi_spec_validator")
    doc = client.get("/openapi.json").json()
    validator.validate(doc)
    for name in Catalogue.load().names():
        assert f"/queries/{name}" in doc["paths"]
    params = {p["name"]: p for p in doc["paths"]["/queries/region-sectors"]["get"]["parameters"]}
    assert params["lang"]["schema"]["enum"] == ["zh", "en"]
    assert params["limit"]["schema"]["pattern"] == "^(all|[1-9][0-9]{0,8})$"
    assert "offset" in params and "limit" not in {
        p["name"] for p in doc["paths"]["/queries/wikidata-region-labels"]["get"]["parameters"]}


def bindings(r: httpx.Response) -> list[dict[str, Any]]:
    assert r.status_code == 200, r.text
    found: list[dict[str, Any]] = r.json()["results"]["bindings"]
    return found


def follow(client: httpx.Client, response: httpx.Response) -> list[httpx.Response]:
    """A response and every page after it, by their Link rel=next headers."""
    seen = [response]
    while "link" in seen[-1].headers:
        link = seen[-1].headers["link"]
        assert link.endswith('>; rel="next"') and seen[-1].headers["x-kg-truncated"] == "true"
        seen.append(client.get(link[1:link.index(">")],
                               headers={"Accept": "application/sparql-results+json"}))
    return seen


def test_answers_come_in_pages_linked_to_the_next(served: Served) -> None:
    """Pages of 100 by default, or ``limit``; the backend server asks its backend for one
    page at a time (test_server_backend compares the whole answer with the local one).
    region-sector-matrix is paged by key: its next page is linked by an ``after`` token
    (also in X-KG-After), and the pages it links are the pages by offset, row for row."""
    client, json_ = served.client, {"Accept": "application/sparql-results+json"}
    whole = bindings(client.get("/queries/region-sector-matrix", params={"limit": "all"},
                                headers=json_))
    assert len(whole) == 102  # the largest curated answer (107 before issue 16: Jiangxi's strengths)
    for size, params in ((100, {}), (60, {"limit": "60"})):
        first = client.get("/queries/region-sector-matrix", params=params, headers=json_)
        assert bindings(first) == whole[:size] and first.headers["x-kg-truncated"] == "true"
        token = first.headers["x-kg-after"]
        assert first.headers["link"] == (f'</queries/region-sector-matrix?limit={size}'
                                         f'&after={token}>; rel="next"')
        again = client.get("/queries/region-sector-matrix", params=params, headers=json_)
        assert again.headers["link"] == first.headers["link"]  # from the cache, as linked
        last = follow(client, first)[1:]
        assert len(last) == 1 and bindings(last[0]) == whole[size:]
        assert "link" not in last[0].headers and "x-kg-truncated" not in last[0].headers
    middle = client.get("/queries/region-sector-matrix",
                        params={"lang": "en", "limit": "3", "offset": "50", "format": "json"})
    assert bindings(middle) == whole[50:53]
    # its 3 rows are one region's: rows before offset 50 may be that region's too, so the
    # next page goes by offset (a token would not know how many of them to skip)
    assert middle.headers["link"] == ('</queries/region-sector-matrix?lang=en&format=json'
                                      '&offset=53&limit=3>; rel="next"')
    wider = client.get("/queries/region-sector-matrix", params={"limit": "30", "offset": "50"},
                       headers=json_)
    assert "&after=" in wider.headers["link"]  # 30 rows span regions: the next goes by key
    assert [row for r in follow(client, wider) for row in bindings(r)] == whole[50:]
    small = follow(client, client.get("/queries/region-sector-matrix",
                                      params={"limit": "7"}, headers=json_))
    assert [row for r in small for row in bindings(r)] == whole and len(small) == 15  # ceil(102 / 7)
    by_offset = client.get("/queries/sector-hierarchy", params={"limit": "2"}, headers=json_)
    assert "offset=2&limit=2" in by_offset.headers["link"]  # not paged by key
    assert "x-kg-after" not in by_offset.headers


def test_a_page_token_is_checked(client: httpx.Client) -> None:
    """A token that is not one, or one for another question, is a 400 that says to start
    again; an offset that contradicts the token too."""
    first = client.get("/queries/region-sector-matrix", params={"limit": "5"})
    token = first.headers["x-kg-after"]
    for name, params in (("region-sector-matrix", {"after": "nonsense!"}),
                         ("region-sector-matrix", {"after": token[:-4] + "AAAA"}),
                         ("region-sector-matrix", {"after": token, "offset": "3"}),
                         ("plans-timeline", {"after": token})):
        r = client.get(f"/queries/{name}", params=params)
        assert r.status_code == 400, (name, params, r.text)
        assert "after" in r.text or "offset" in r.text


@pytest.mark.parametrize(("params", "message"), [
    ({"limit": "0"}, "limit must be a whole number from 1"),
    ({"limit": "everything"}, "or 'all'"),
    ({"offset": "-1"}, "offset must be a whole number from 0"),
])
def test_bad_pages_are_refused(client: httpx.Client, params: dict[str, str], message: str) -> None:
    r = client.get("/queries/plans-timeline", params=params)
    assert r.status_code == 400 and message in r.text


def test_a_list_of_sectors_over_http(client: httpx.Client) -> None:
    """`sectors` takes several sectors, comma-separated or repeated (the form sends them
    repeated): the same answer; a bad one is a 400 naming the item and the allowed values."""
    base = {"sector1": "metaverse", "sector2": "humanoid-robot", "year": "2035",
            "format": "json"}
    def regions(params: Any) -> set[str]:
        r = client.get("/queries/regions-targeting-sectors", params=params)
        assert r.status_code == 200, r.text
        return {b["region"]["value"].rsplit("/", 1)[1] for b in r.json()["results"]["bindings"]}
    assert regions(base) == {"beijing", "shandong"}
    joined = regions({**base, "sectors": "gene-technology,future-health"})
    repeated = regions([*base.items(), ("sectors", "gene-technology"), ("sectors", "future-health")])
    assert joined == repeated == {"shandong"}
    r = client.get("/queries/regions-targeting-sectors",
                   params={**base, "sectors": "future-health,} UNION { ?s ?p ?o"})
    assert r.status_code == 400 and "(item 2)" in r.text and "6g" in r.text
    r = client.get("/queries/regions-targeting-sectors",
                   params=[("sector1", "6g"), ("sector1", "metaverse")])
    assert r.status_code == 400 and "more than once" in r.text
