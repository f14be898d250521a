"""GB/T 2260 divisions from the cpca package, the shipped files, and the join by code."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from pathlib import Path

import pytest
from pyoxigraph import NamedNode, RdfFormat, Store, parse

from _linking import clone_location
from kg import settings
from kg.catalogue import answer
from kg.cli import main
from kg.gen import divisions
from kg.store import Location
from kg.vocab import DCTERMS, DIVISION_BASE, SCHEMA, SPDX, entity, graph_for

EXPECTED = {  # region slug → GB/T 2260 code (provinces/municipalities, then prefecture cities)
    "beijing": "110000", "shanxi": "140000", "shanghai": "310000", "zhejiang": "330000",
    "jiangxi": "360000", "shandong": "370000", "henan": "410000", "guangdong": "440000",
    "jinan": "370100", "qingdao": "370200", "shenzhen": "440300",
}
IDENTIFIERS = Path("/work/shared/reference/identifiers.md")


@pytest.fixture(scope="module")
def source() -> tuple[bytes, divisions.Origin]:
    return divisions.read_source()


@pytest.fixture(scope="module")
def selected(source: tuple[bytes, divisions.Origin]) -> list[divisions.Division]:
    return divisions.select(divisions.parse_rows(source[0]))


def test_origin_is_the_installed_package_file(source: tuple[bytes, divisions.Origin]) -> None:
    data, origin = source
    assert (origin.package, origin.version, origin.file) == ("cpca", "0.5.5",
                                                             "cpca/resources/adcodes.csv")
    assert origin.sha256 == hashlib.sha256(data).hexdigest()
    assert data.startswith(b"adcode,name,longitude,latitude")


def test_reading_does_not_import_cpca() -> None:
    code = ("import sys; from kg.gen import divisions; divisions.read_source(); "
            "print('cpca' in sys.modules, 'pandas' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_levels_and_the_shanxi_shaanxi_pair(selected: list[divisions.Division]) -> None:
    by_code = {d.code: d for d in selected}
    assert by_code["140000"].name == "山西省" and by_code["610000"].name == "陕西省"
    assert by_code["370200"].level == "prefecture" and by_code["370200"].parent == "370000"
    assert {d.level for d in selected} == {"province", "prefecture"}
    assert len([d for d in selected if d.level == "province"]) == 34
    assert not any(d.name in divisions.PLACEHOLDERS for d in selected)
    assert all(re.fullmatch(r"\d{6}", d.code) for d in selected)


def test_regions_match_their_codes(selected: list[divisions.Division]) -> None:
    codes = divisions.match(divisions.curated_store(), selected)
    assert codes == {entity("region", slug).value: code for slug, code in EXPECTED.items()}


def test_city_matches_only_inside_its_province(selected: list[divisions.Division]) -> None:
    store = Store()
    store.update("""PREFIX fi: <https://w3id.org/future-industries/ontology#>
      PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
      INSERT DATA { <http://e/p> a fi:Province ; rdfs:label "陕西省"@zh .
                    <http://e/c> a fi:City ; rdfs:label "济南市"@zh ; fi:partOf <http://e/p> . }""")
    assert divisions.match(store, selected) == {"http://e/p": "610000"}


def test_shipped_files_are_exactly_what_the_script_makes(tmp_path: Path) -> None:
    out, links = tmp_path / "divisions.ttl", tmp_path / "codes.ttl"
    divisions.generate(out, links)
    data = settings.resources().data
    assert out.read_bytes() == (data / "external" / "cn-admin-divisions.ttl").read_bytes()
    assert links.read_bytes() == (data / "links" / "region-codes.ttl").read_bytes()
    assert out.stat().st_size < 2_000_000


def test_shipped_file_states_origin_and_licence(source: tuple[bytes, divisions.Origin]) -> None:
    triples = list(parse(path=str(divisions.shipped_path()), format=RdfFormat.TURTLE))
    about = {(t.predicate, t.object) for t in triples if t.subject == divisions.DATASET}
    assert (DCTERMS.source, NamedNode("https://pypi.org/project/cpca/0.5.5/")) in about
    assert (DCTERMS.license, divisions.LICENSE) in about
    digests = {t.object.value for t in triples if t.predicate == SPDX.checksumValue}
    assert digests == {source[1].sha256}
    beijing = NamedNode(DIVISION_BASE + "110000")
    geo = next(t.object for t in triples if t.subject == beijing and t.predicate == SCHEMA.geo)
    lat = next(t.object for t in triples if t.subject == geo and t.predicate == SCHEMA.latitude)
    assert 39 < float(lat.value) < 41


def test_link_files_use_only_verified_identifiers() -> None:
    text = IDENTIFIERS.read_text("utf-8") if IDENTIFIERS.is_file() else pytest.skip("no list")
    verified_q = set(re.findall(r"\bQ\d+\b", text))
    verified_gn = set(re.findall(r"\b\d{6,8}\b", text))
    found = 0
    for path in sorted((settings.resources().data / "links").glob("*.ttl")):
        for t in parse(path=str(path), format=RdfFormat.TURTLE):
            value = t.object.value
            if value.startswith("http://www.wikidata.org/entity/"):
                assert value.rsplit("/", 1)[1] in verified_q, (path, value)
                found += 1
            elif value.startswith("https://sws.geonames.org/"):
                assert value.strip("/").rsplit("/", 1)[1] in verified_gn, (path, value)
                found += 1
    assert found >= 40
    regions = settings.resources().data / "links" / "regions.ttl"
    shanxi = {t.object.value for t in parse(path=str(regions), format=RdfFormat.TURTLE)
              if t.subject == entity("region", "shanxi")}
    assert "http://www.wikidata.org/entity/Q46913" in shanxi  # 山西, not 陕西 Shaanxi Q47974
    assert "http://www.wikidata.org/entity/Q47974" not in shanxi


def test_links_graph_in_the_build(curated_build: object) -> None:
    store = curated_build.open()  # type: ignore[attr-defined]
    quads = store.quads_for_pattern(entity("region", "shanxi"), DCTERMS.identifier, None,
                                    graph_for("links"))
    assert [q.object.value for q in quads] == ["140000"]


def _map_rows(loc: Path) -> list[tuple[str, ...]]:
    rows = answer(Location(loc).require_current().open(), "regions-map", {}).value
    return sorted(tuple(str(t) for t in row) for row in rows)  # type: ignore[union-attr]


def test_the_build_feeds_the_map_query_and_reimport_changes_nothing(
    curated_location: Path, tmp_path: Path
) -> None:
    """The build loads data/external; `kg import-divisions` on top of it is idempotent."""
    loc = clone_location(curated_location, tmp_path / "loc")
    before = _map_rows(loc)
    assert main(["import-divisions", "--location", str(loc)]) == 0
    assert _map_rows(loc) == before
    store = Location(loc).require_current().open()
    rows = list(answer(store, "regions-map", {}).value)  # type: ignore[arg-type]
    placed = {r["region"].value: (r["code"].value, float(r["lat"].value), float(r["lon"].value))
              for r in rows if r["lat"] is not None}
    assert {k: v[0] for k, v in placed.items()} == {
        entity("region", s).value: c for s, c in EXPECTED.items()}
    assert all(18 < lat < 54 and 73 < lon < 135 for _c, lat, lon in placed.values())
    check = {r["code"].value: r["divisionName"].value
             for r in answer(store, "regions-codes", {}).value}  # type: ignore[union-attr]
    assert check["140000"] == "山西省" and check["370200"] == "青岛市"
