"""China's administrative divisions (GB/T 2260 codes, names, coordinates) as RDF.

The data come from a maintained dataset shipped on PyPI, never typed by hand:
the file ``cpca/resources/adcodes.csv`` of the package ``cpca`` (MIT licence),
read as a file through the package metadata, without importing ``cpca``
(its import pulls in pandas). Rows hold a 12-digit code (the 6-digit GB/T 2260
code followed by zeros), a Chinese name, longitude and latitude (WGS 84).

Kept: provinces (and municipalities, autonomous regions) and prefecture-level
cities. Each becomes ``division:{code}`` with ``rdfs:label``/``schema:name``,
``dcterms:identifier`` (the 6-digit code), ``schema:containedInPlace`` (its
province) and ``schema:geo`` → ``schema:GeoCoordinates`` (``schema:latitude``,
``schema:longitude`` as xsd:decimal). Our regions are joined to them by code:
:func:`match` finds each region's division by its Chinese name at its level.

Regenerate the shipped files with::

    python -m kg.gen.divisions --output data/external/cn-admin-divisions.ttl \\
        --links data/links/region-codes.ttl

>>> rows = [("140000000000", "山西省", "112.56", "37.87"), ("610000000000", "陕西省", "", ""),
...         ("140100000000", "太原市", "112.54", "37.87"), ("140101000000", "市辖区", "", ""),
...         ("140105000000", "小店区", "112.56", "37.73")]
>>> for d in select(rows): print(d.code, d.name, d.level, d.parent)
140000 山西省 province None
140100 太原市 prefecture 140000
610000 陕西省 province None
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad, QuerySolutions, RdfFormat, Store, Triple, serialize

from kg import settings
from kg.errors import NotFoundError
from kg.rdf.dcat import sha256_checksum
from kg.vocab import (
    DCAT,
    DCTERMS,
    DIVISION_BASE,
    DIVISIONS,
    FI,
    LICENSES,
    PREFIXES,
    PROV,
    PYPI_PROJECTS,
    RDF,
    RDFS,
    SCHEMA,
    VOID,
    XSD,
    graph_for,
)

PACKAGE = "cpca"
RESOURCE = "cpca/resources/adcodes.csv"
LICENSE = LICENSES.MIT
DATASET = DIVISIONS
GRAPH_NAME = settings.DIVISIONS_GRAPH
PLACEHOLDERS = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})


@dataclass(frozen=True)
class Division:
    """One province-level or prefecture-level division."""

    code: str  # 6-digit GB/T 2260 code
    name: str
    level: str  # province | prefecture
    parent: str | None  # the province's code, for prefectures
    lon: str
    lat: str

    @property
    def iri(self) -> NamedNode:
        return NamedNode(DIVISION_BASE + self.code)


@dataclass(frozen=True)
class Origin:
    """Where the rows came from: package, version, file and its SHA-256."""

    package: str
    version: str
    file: str
    sha256: str

    @property
    def url(self) -> NamedNode:
        return NamedNode(f"{PYPI_PROJECTS}{self.package}/{self.version}/")


def read_source() -> tuple[bytes, Origin]:
    """The CSV bytes from the installed ``cpca`` distribution, and their origin.

    >>> data, origin = read_source()
    >>> origin.package, origin.version, origin.file
    ('cpca', '0.5.5', 'cpca/resources/adcodes.csv')"""
    try:
        dist = metadata.distribution(PACKAGE)
    except metadata.PackageNotFoundError:
        raise NotFoundError(f"package {PACKAGE!r} is not installed: pip install cpca") from None
    path = Path(str(dist.locate_file(RESOURCE)))
    if not path.is_file():
        raise NotFoundError(f"{RESOURCE} not found in {PACKAGE} {dist.version}")
    data = path.read_bytes()
    return data, Origin(PACKAGE, dist.version, RESOURCE, hashlib.sha256(data).hexdigest())


def parse_rows(data: bytes) -> list[tuple[str, str, str, str]]:
    """(adcode, name, longitude, latitude) rows of the CSV, header checked.

    >>> parse_rows("adcode,name,longitude,latitude\\n110000000000,北京市,116.4,39.9".encode())
    [('110000000000', '北京市', '116.4', '39.9')]"""
    reader = csv.reader(io.StringIO(data.decode("utf-8-sig")))
    header = next(reader)
    if header[:4] != ["adcode", "name", "longitude", "latitude"]:
        raise ValueError(f"unexpected header in {RESOURCE}: {header}")
    return [(r[0], r[1], r[2], r[3]) for r in reader if len(r) >= 4]


def select(rows: list[tuple[str, str, str, str]]) -> list[Division]:
    """Province-level and prefecture-level divisions, by code, placeholders dropped."""
    out = []
    for code, name, lon, lat in rows:
        if len(code) != 12 or not code.isdigit() or name in PLACEHOLDERS:
            continue
        if code[2:] == "0" * 10:
            out.append(Division(code[:6], name, "province", None, lon, lat))
        elif code[4:] == "0" * 8:
            out.append(Division(code[:6], name, "prefecture", code[:2] + "0000", lon, lat))
    return sorted(out, key=lambda d: d.code)


def triples(divisions: list[Division], origin: Origin) -> list[Triple]:
    """The divisions and a description of the dataset they come from.

    >>> d = Division("110000", "北京市", "province", None, "116.4", "39.9")
    >>> len(triples([d], Origin("cpca", "0.5.5", RESOURCE, "00")))
    24"""
    out = _dataset(origin)
    for d in divisions:
        out += [
            Triple(d.iri, RDF.type, SCHEMA.AdministrativeArea),
            Triple(d.iri, RDFS.label, Literal(d.name, language="zh")),
            Triple(d.iri, SCHEMA.name, Literal(d.name, language="zh")),
            Triple(d.iri, DCTERMS.identifier, Literal(d.code)),
            Triple(d.iri, VOID.inDataset, DATASET),
        ]
        if d.parent:
            out.append(Triple(d.iri, SCHEMA.containedInPlace, NamedNode(DIVISION_BASE + d.parent)))
        if d.lat and d.lon:
            geo = NamedNode(d.iri.value + "#geo")
            out += [
                Triple(d.iri, SCHEMA.geo, geo),
                Triple(geo, RDF.type, SCHEMA.GeoCoordinates),
                Triple(geo, SCHEMA.latitude, Literal(d.lat, datatype=XSD.decimal)),
                Triple(geo, SCHEMA.longitude, Literal(d.lon, datatype=XSD.decimal)),
            ]
    return out


def _dataset(origin: Origin) -> list[Triple]:
    file = NamedNode(DATASET.value + "#source-file")
    title = "China's administrative divisions (GB/T 2260): provinces and prefecture-level cities"
    return [
        Triple(DATASET, RDF.type, DCAT.Dataset),
        Triple(DATASET, RDF.type, VOID.Dataset),
        Triple(DATASET, DCTERMS.title, Literal(title, language="en")),
        Triple(DATASET, DCTERMS.title, Literal("中国行政区划（省级、地级）", language="zh")),
        Triple(DATASET, DCTERMS.source, origin.url),
        Triple(DATASET, DCTERMS.license, LICENSE),
        Triple(DATASET, VOID.uriSpace, Literal(DIVISION_BASE)),
        Triple(DATASET, PROV.wasDerivedFrom, file),
        Triple(file, DCTERMS.title, Literal(f"{origin.file} in {origin.package} {origin.version}")),
        Triple(file, DCTERMS.isPartOf, origin.url),
        Triple(file, DCTERMS.license, LICENSE),
        *sha256_checksum(file, NamedNode(DATASET.value + "#source-file-sha256"), origin.sha256),
    ]


def turtle(items: list[Triple], header: str) -> bytes:
    """Triples as Turtle with the project's prefixes, after a comment header.

    >>> turtle([], "a note").decode().splitlines()[0]
    '# a note'"""
    body = serialize(items, format=RdfFormat.TURTLE, prefixes=PREFIXES) or b""
    comment = "".join(f"# {line}\n" for line in header.splitlines())
    return comment.encode() + b"\n" + body


_REGIONS = """SELECT ?region ?name ?kind ?parent WHERE {
  VALUES ?kind { fi:Province fi:Municipality fi:City }
  ?region a ?kind ; rdfs:label ?name FILTER(LANG(?name) = "zh")
  OPTIONAL { ?region fi:partOf ?parent } } ORDER BY ?region"""


def match(store: Store, divisions: list[Division]) -> dict[str, str]:
    """Region IRI → GB/T 2260 code, matching Chinese names at the region's level.

    Provinces and municipalities match province-level names exactly (山西省 ≠ 陕西省);
    cities match prefecture-level names inside their matched province.

    >>> s = Store()
    >>> s.update('''PREFIX fi: <https://w3id.org/future-industries/ontology#>
    ...   INSERT DATA { <http://e/sx> a fi:Province ;
    ...     <http://www.w3.org/2000/01/rdf-schema#label> "山西省"@zh }''')
    >>> match(s, select(parse_rows(read_source()[0])))
    {'http://e/sx': '140000'}
    """
    solutions = store.query(_REGIONS, prefixes=PREFIXES, use_default_graph_as_union=True)
    assert isinstance(solutions, QuerySolutions)
    by_level = {(d.level, d.name, d.parent): d.code for d in divisions}
    codes: dict[str, str] = {}
    for row in sorted(solutions, key=lambda r: r["kind"] == FI.City):  # provinces first
        region, name, kind = str(row["region"].value), str(row["name"].value), row["kind"]
        if kind != FI.City:
            code = by_level.get(("province", name, None))
        else:
            parent = row["parent"]
            province = codes.get(str(parent.value)) if parent is not None else None
            code = by_level.get(("prefecture", name, province))
        if code:
            codes[region] = code
    return codes


def link_quads(codes: dict[str, str]) -> list[Quad]:
    """The code links, in the linkset graph.

    >>> link_quads({"http://e/r": "110000"})[0].object.value
    '110000'"""
    links = graph_for("links")
    return [Quad(NamedNode(r), DCTERMS.identifier, Literal(c), links) for r, c in codes.items()]


def shipped_path() -> Path:
    """The shipped Turtle file of divisions.

    >>> shipped_path().name
    'cn-admin-divisions.ttl'"""
    return settings.divisions_path()


def curated_store() -> Store:
    """The curated data files (not the ontology) loaded into one in-memory store.

    >>> len(curated_store()) > 1000
    True"""
    store = Store()
    for path in sorted(settings.resources().data.glob("*.ttl")):
        store.load(path=str(path), format=RdfFormat.TURTLE)
    return store


def generate(output: Path | None, links: Path | None, regions: Store | None = None) -> Report:
    """Write the divisions file and/or the region-code links file; report the counts.

    >>> report = generate(None, None)  # write nothing, just count
    >>> report.divisions, len(report.codes)
    (368, 11)"""
    data, origin = read_source()
    divisions = select(parse_rows(data))
    codes = match(regions if regions is not None else curated_store(), divisions)
    if output is not None:
        note = (f"Generated by `python -m kg.gen.divisions` from {origin.file} of {origin.package} "
                f"{origin.version} (MIT licence), sha256 {origin.sha256}. Do not edit by hand.")
        _write(output, turtle(triples(divisions, origin), note))
    if links is not None:
        note = ("GB/T 2260 codes of our regions, joined by Chinese name at the region's level "
                f"with {origin.package} {origin.version}. "
                "Generated by `python -m kg.gen.divisions`.")
        items = [q.triple for q in link_quads(codes)]
        _write(links, turtle(items, note))
    return Report(origin, len(divisions), codes)


@dataclass(frozen=True)
class Report:
    """What :func:`generate` found."""

    origin: Origin
    divisions: int
    codes: dict[str, str]


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def main(argv: list[str] | None = None) -> int:
    """``python -m kg.gen.divisions [--output FILE] [--links FILE]``."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m kg.gen.divisions", description=__doc__.split(
        "\n")[0])
    parser.add_argument("--output", type=Path, help="Turtle file of the divisions")
    parser.add_argument("--links", type=Path, help="Turtle file of our regions' codes")
    args = parser.parse_args(argv)
    report = generate(args.output, args.links)
    print(f"{report.divisions} divisions from {report.origin.package} {report.origin.version}; "
          f"{len(report.codes)} regions matched")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
