"""The ``kg`` command in-process: one test per exit code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.cli import main
from kg.errors import ExitCode

FIXTURES = Path(__file__).parent / "fixtures" / "build"


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == ExitCode.OK
    assert capsys.readouterr().out.startswith("kg ")


@pytest.mark.parametrize("argv", [[], ["frobnicate"], ["build", "--no-such-flag"]])
def test_usage_errors(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == ExitCode.USAGE
    assert capsys.readouterr().err


def test_stats_without_build_is_not_found(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["stats", "--location", str(tmp_path)]) == ExitCode.NOT_FOUND
    assert "run `kg build` first" in capsys.readouterr().err


def test_stats_json(curated_location: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stats", "--location", str(curated_location), "--format", "json"]) == 0
    manifest = json.loads(capsys.readouterr().out)
    assert manifest["triples"] > 1000


def test_sparql_formats(curated_location: Path, capsys: pytest.CaptureFixture[str]) -> None:
    query = (
        "SELECT (COUNT(*) AS ?n) WHERE { ?p a <https://w3id.org/future-industries/ontology#Plan> }"
    )
    assert main(["sparql", query, "--location", str(curated_location), "--format", "csv"]) == 0
    lines = capsys.readouterr().out.split()
    assert lines[0] == "n" and int(lines[1]) >= 9


def test_sparql_table_and_unknown_format(
    curated_location: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    loc = ["--location", str(curated_location)]
    assert main(["sparql", "ASK { ?s ?p ?o }", *loc]) == 0
    assert "yes" in capsys.readouterr().out
    assert main(["sparql", "ASK { ?s ?p ?o }", *loc, "--format", "docx"]) == ExitCode.USAGE
    assert "use one of" in capsys.readouterr().err


def test_bad_query(curated_location: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["sparql", "SELECT WHERE {", "--location", str(curated_location)])
        == ExitCode.BAD_QUERY
    )
    assert "line 1, column 8: " in capsys.readouterr().err  # the position in the user's text


@pytest.mark.parametrize(
    ("fixture", "code", "fragment"),
    [
        ("syntax-error.ttl", ExitCode.INVALID_SYNTAX, "syntax-error.ttl:6:"),
        ("target-without-year.ttl", ExitCode.INVALID_DATA, "targetYear"),
        ("disjoint-region.ttl", ExitCode.INCONSISTENT, "disjoint"),
    ],
)
def test_bad_data_exit_codes(
    fixture: str, code: ExitCode, fragment: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from kg import settings

    data = [str(p) for p in sorted(settings.resources().data.glob("*.ttl"))]
    assert main(["check", *data, str(FIXTURES / fixture)]) == code
    assert fragment in capsys.readouterr().err


def test_build_and_check_succeed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build", "--location", str(tmp_path)]) == ExitCode.OK
    assert "built" in capsys.readouterr().err
    assert (tmp_path / "current").is_symlink()


def test_missing_source_is_usage(tmp_path: Path) -> None:
    assert main(["check", str(tmp_path / "nope.ttl")]) == ExitCode.USAGE
