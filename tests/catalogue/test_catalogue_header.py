"""A malformed query file stops the catalogue from loading, naming file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.catalogue import Catalogue
from kg.catalogue.header import parse
from kg.errors import CatalogueError, ExitCode

GOOD = """# title@en: Sectors of a region
# title@zh: 地区的领域
# description@en: What the region's plans name.
# param: region type=region required default=shandong example=zhejiang — the region
# tags: region, sector
# view: table

PREFIX fi: <https://w3id.org/future-industries/ontology#>
SELECT ?region ?sector WHERE { ?region fi:targetsSector ?sector }
"""


def write(folder: Path, text: str, name: str = "q.rq") -> Path:
    path = folder / name
    path.write_text(text, "utf-8")
    return path


def load_error(tmp_path: Path, text: str, name: str = "q.rq") -> CatalogueError:
    write(tmp_path, text, name)
    with pytest.raises(CatalogueError) as info:
        Catalogue.load(tmp_path)
    return info.value


def test_a_good_file_loads(tmp_path: Path) -> None:
    write(tmp_path, GOOD)
    query = Catalogue.load(tmp_path).get("q")
    assert query.title == {"en": "Sectors of a region", "zh": "地区的领域"}
    assert query.tags == ("region", "sector")
    assert [(p.name, p.type, p.required, p.default, p.example) for p in query.params] == [
        ("region", "region", True, "shandong", "zhejiang")
    ]
    assert query.text.startswith("PREFIX fi:") and query.text_line == 8


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        ("# tags:", "# tagz:", 5, "unknown header key 'tagz'"),
        ("# title@zh: 地区的领域\n", "", 1, "missing header key 'title@zh'"),
        ("# tags: region, sector", "# view: bar", 6, "duplicate key 'view' (first on line 5)"),
        ("type=region", "type=place", 4, "unknown type 'place'"),
        ("default=shandong", "default=Shan Dong", 4, "unexpected 'Dong'"),
        ("default=shandong", "default=山东", 4, "expected a region slug"),
        ("# view: table", "# view: pie", 6, "unknown view 'pie'"),
        ("# view: table", "# view: matrix rows=a cols=b colour=c", 6, "unexpected 'colour=c'"),
        ("# tags:", "#   tags:", 4, None),  # a continuation line is fine after param
        ("# tags: region, sector\n", "# tags: region\n#\n#   orphan\n", 7, "nothing to continue"),
        ("# view: table", "#view: table", 6, "expected '# key: value'"),
        ("# description@en: What the region's plans name.",
         "# description@en:", 3, "empty value for 'description@en'"),
        ("{ ?region fi:targetsSector ?sector }", "{ ?region fi:targetsSector }", 9,
         "SPARQL syntax error"),
        ("SELECT ?region ?sector", "SELECT ?sector", None, "?region in its SELECT projection"),
    ],
)
def test_malformed_files_name_file_and_line(
    tmp_path: Path, old: str, new: str, line: int | None, message: str | None
) -> None:
    text = GOOD.replace(old, new)
    assert text != GOOD
    if message is None:
        write(tmp_path, text)
        Catalogue.load(tmp_path)
        return
    error = load_error(tmp_path, text)
    assert error.path.endswith("q.rq") and error.line == line
    assert message in str(error)
    assert str(error).startswith(f"{tmp_path / 'q.rq'}{'' if line is None else f':{line}'}: ")
    assert error.exit_code == ExitCode.INVALID_SYNTAX


def test_a_bad_file_name_is_refused(tmp_path: Path) -> None:
    error = load_error(tmp_path, GOOD, name="Bad_Name.rq")
    assert "file name must match" in str(error)


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError, match="no such query folder"):
        Catalogue.load(tmp_path / "nope")


def test_continuations_join_values() -> None:
    header = parse("x.rq", "# title@en: A\n#   long title\n# title@zh: 长\n"
                   "# description@en: D\n# view: table\nASK {}\n")
    assert header.value("title@en") == "A long title"
    assert header.body_line == 6


def test_the_project_catalogue_loads() -> None:
    catalogue = Catalogue.load()
    assert len(catalogue) >= 15
    for query in catalogue.queries():
        assert query.title["en"] and query.title["zh"] and query.description
