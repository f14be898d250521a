"""docs/queries.md is generated from the query headers and must not be stale."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.catalogue import Catalogue
from kg.errors import KgError
from kg.gen import queries_doc as docs


def test_docs_are_up_to_date(catalogue: Catalogue) -> None:
    checked_in = docs.path().read_text("utf-8") if docs.path().is_file() else ""
    assert checked_in == docs.render(catalogue), (
        f"{docs.DOC_PATH} is stale: regenerate it with `{docs.REGENERATE}` and commit it"
    )


def test_every_query_is_documented(catalogue: Catalogue) -> None:
    text = docs.render(catalogue)
    for query in catalogue.queries():
        assert f'<a id="{query.name}"></a>' in text
        assert query.title["zh"] in text and query.text.rstrip() in text
        for param in query.params:
            assert f"| `{param.name}` | {param.type} |" in text


def test_check_names_the_regenerate_command(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    stale = tmp_path / "queries.md"
    stale.write_text("# old\n", "utf-8")
    monkeypatch.setattr(docs, "path", lambda: stale)
    with pytest.raises(KgError, match="regenerate it with `kg docs"):
        docs.check()
    assert docs.main(["--check"]) == 1
    assert docs.main([]) == 0 and stale.read_text("utf-8").startswith("# Packaged questions")
    docs.check()
