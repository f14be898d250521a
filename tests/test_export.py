"""The export service: round trips in every format, JSON-LD context, dumps with checksums, DCAT."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from pyoxigraph import DefaultGraph, Quad, RdfFormat, Store, parse, serialize

from _linking import canonical
from kg.cli import main
from kg.errors import NotFoundError, UsageError
from kg.rdf import dcat, export, formats
from kg.store import Build
from kg.vocab import DCAT, SPDX, graph_for

GRAPHS = ["ontology", "links", "data/beijing", "inferred", "build"]


@pytest.fixture(scope="module")
def store(curated_build: Build) -> Store:
    return curated_build.open()


def _as_default(quads: object) -> list[Quad]:
    return [Quad(q.subject, q.predicate, q.object, DefaultGraph()) for q in quads]  # type: ignore[attr-defined]


@pytest.mark.parametrize("fmt", formats.DATASET_EXPORTS)
def test_whole_dataset_round_trips(store: Store, fmt: str) -> None:
    data = export.dump(store, fmt)
    back = parse(data, format=formats.export_format(fmt))
    assert canonical(back) == canonical(store)


@pytest.mark.parametrize("fmt", formats.GRAPH_EXPORTS)
@pytest.mark.parametrize("graph", GRAPHS)
def test_one_graph_round_trips_in_triple_formats(store: Store, fmt: str, graph: str) -> None:
    data = export.dump(store, fmt, graph)
    expected = _as_default(store.quads_for_pattern(None, None, None, graph_for(graph)))
    assert expected, f"graph {graph} is empty in the curated build"
    back = list(parse(data, format=formats.export_format(fmt)))
    assert canonical(_as_default(back)) == canonical(expected)


@pytest.mark.parametrize("fmt", formats.DATASET_EXPORTS)
def test_one_graph_in_a_dataset_format_keeps_its_name(store: Store, fmt: str) -> None:
    data = export.dump(store, fmt, "links")
    back = list(parse(data, format=formats.export_format(fmt)))
    assert {q.graph_name for q in back} == {graph_for("links")}
    assert canonical(back) == canonical(store.quads_for_pattern(None, None, None,
                                                                graph_for("links")))


def test_turtle_uses_the_project_prefixes(store: Store) -> None:
    text = export.dump(store, "ttl", "links").decode()
    assert "@prefix wd: <http://www.wikidata.org/entity/> ." in text
    assert "schema:sameAs wd:Q956" in text


def test_jsonld_has_a_context_and_compact_iris(store: Store) -> None:
    doc = json.loads(export.dump(store, "jsonld", "links"))
    assert doc["@context"]["schema"] == "https://schema.org/"
    nodes = [n for g in doc["@graph"] for n in g.get("@graph", [g])]
    beijing = next(n for n in nodes if n["@id"] == "id:region/beijing")
    assert {"@id": "wd:Q956"} in beijing["schema:sameAs"]


def test_triple_format_for_all_graphs_is_a_usage_error(store: Store) -> None:
    for fmt in formats.GRAPH_EXPORTS:
        with pytest.raises(UsageError, match="one graph only"):
            export.dump(store, fmt, "all")


def test_unknown_graph_and_format(store: Store) -> None:
    with pytest.raises(NotFoundError, match=r"graphs: .*links"):
        export.dump(store, "ttl", "data/atlantis")
    with pytest.raises(UsageError, match="unknown export format"):
        export.dump(store, "n3")
    with pytest.raises(UsageError, match="bad graph name"):
        export.dump(store, "ttl", "../ontology")


def test_server_names_are_accepted(store: Store) -> None:
    """The server passes pyoxigraph extensions (``rdf``) and graph IRIs."""
    a = export.dump(store, "rdf", graph_for("ontology"))
    b = export.dump(store, "rdfxml", "ontology")
    assert a == b and a.startswith(b"<?xml")


def test_write_all_with_checksums(store: Store, tmp_path: Path) -> None:
    dumps = export.write_all(store, tmp_path, ["links", "ontology"])
    names = {d.filename for d in dumps}
    assert names == {"all.nq", "all.trig", "all.jsonld", "links.ttl", "links.nt",
                     "ontology.ttl", "ontology.nt"}
    lines = (tmp_path / export.CHECKSUMS).read_text().splitlines()
    assert len(lines) == len(dumps)
    for line in lines:
        digest, name = line.split("  ")
        assert hashlib.sha256((tmp_path / name).read_bytes()).hexdigest() == digest
    nq = parse(path=str(tmp_path / "all.nq"), format=RdfFormat.N_QUADS)
    assert canonical(nq) == canonical(store)


def test_dcat_distributions_carry_size_and_checksum(store: Store, tmp_path: Path) -> None:
    dumps = export.write_all(store, tmp_path)
    triples = dcat.dcat_triples("http://127.0.0.1:7878/", "b1", {}, dumps)
    by_dist = {t.object.value for t in triples if t.predicate == DCAT.distribution}
    assert by_dist >= {f"http://127.0.0.1:7878/dumps/{d.filename}" for d in dumps}
    values = {t.object.value for t in triples if t.predicate == SPDX.checksumValue}
    assert values == {d.sha256 for d in dumps}
    sizes = {int(t.object.value) for t in triples if t.predicate == DCAT.byteSize}
    assert sizes == {d.size for d in dumps}
    turtle = serialize(triples, format=RdfFormat.TURTLE)
    assert len(list(parse(turtle, format=RdfFormat.TURTLE))) == len(set(triples))


def test_cli_export(curated_location: Path, tmp_path: Path) -> None:
    out = tmp_path / "links.nt"
    assert main(["export", "--location", str(curated_location), "--graph", "links",
                 "--format", "nt", "--output", str(out)]) == 0
    assert len(list(parse(path=str(out), format=RdfFormat.N_TRIPLES))) > 20
    assert main(["export", "--location", str(curated_location), "--format", "ttl"]) == 2
    assert main(["export", "--location", str(curated_location), "--graph", "nope"]) == 6
    folder = tmp_path / "dumps"
    assert main(["export", "--location", str(curated_location), "--all-formats",
                 "--output-dir", str(folder)]) == 0
    assert (folder / "all.trig").is_file() and (folder / "data-beijing.ttl").is_file()
    assert main(["export", "--location", str(tmp_path / "empty")]) == 6
