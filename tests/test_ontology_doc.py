"""docs/ontology.md is generated from the ontology and kept fresh."""

from __future__ import annotations

from kg.cli import main
from kg.gen import ontology_doc


def test_checked_in_page_is_fresh() -> None:
    """Fails when the ontology changed without `kg docs`."""
    ontology_doc.check()


def test_page_lists_every_class_and_chain() -> None:
    text = ontology_doc.render()
    for name in ("Region", "Plan", "Sector", "Target", "Action", "SectorLink"):
        assert f"### `fi:{name}`" in text
    assert "*Property chain:* `fi:hasPlan` ∘ `fi:coversSector`" in text
    assert text == ontology_doc.render()


def test_kg_docs_check() -> None:
    assert main(["docs", "--check"]) == 0
