"""``kg queries`` and ``kg query``: listing, running, formats, errors and exit codes."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from kg.cli import main
from kg.errors import ExitCode


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "400")  # rich tables unwrapped


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_queries_lists_names_and_titles(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "queries", "--format", "json")
    assert code == ExitCode.OK
    listed = {q["name"]: q for q in json.loads(out)}
    assert listed["monetary-targets"]["title"]["zh"] == "金额目标(从大到小)"
    assert listed["region-sectors"]["url"] == "/queries/region-sectors"
    code, out, _ = run(capsys, "queries", "--lang", "zh")
    assert code == ExitCode.OK and "地区布局的领域及其定位" in out


def test_query_csv_with_params(capsys: pytest.CaptureFixture[str], curated_location: Path) -> None:
    code, out, _ = run(capsys, "query", "regions-targeting-sectors", "--location",
                       str(curated_location), "--format", "csv", "--param", "year=2030",
                       "--lang", "zh")
    assert code == ExitCode.OK
    rows = list(csv.DictReader(io.StringIO(out)))
    assert sorted(r["regionLabel"] for r in rows) == ["上海市", "北京市", "山东省"]
    assert {r["lang"] for r in rows} == {"zh"} and {r["year"] for r in rows} == {"2030"}


def test_query_json_and_table(capsys: pytest.CaptureFixture[str], curated_location: Path) -> None:
    code, out, _ = run(capsys, "query", "monetary-targets", "--location", str(curated_location),
                       "--format", "json")
    assert code == ExitCode.OK
    bindings = json.loads(out)["results"]["bindings"]
    assert [b["amount"]["value"] for b in bindings] == [
        "800000000000", "500000000000", "100000000000"
    ]
    code, out, _ = run(capsys, "query", "monetary-targets", "--location", str(curated_location))
    assert code == ExitCode.OK and "8000亿元" in out


def test_show_prints_the_sparql(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "query", "sector-regions", "--show")
    assert code == ExitCode.OK and "skos:broader* ?sector" in out and "sector (sector" in out


@pytest.mark.parametrize(
    ("argv", "exit_code", "message"),
    [
        (["query", "no-such"], ExitCode.NOT_FOUND, "no packaged query 'no-such'; available:"),
        (["query", "region-sectors", "-p", "region=atlantis"], ExitCode.USAGE, "allowed: "),
        (["query", "targets-by-year", "-p", "year=soon"], ExitCode.USAGE, "4-digit year"),
        (["query", "region-sectors", "-p", "colour=red"], ExitCode.USAGE, "declared: region"),
        (["query", "region-sectors", "-p", "oops"], ExitCode.USAGE, "NAME=VALUE"),
        (["query", "region-sectors", "-p", "region=a", "-p", "region=b"], ExitCode.USAGE,
         "given twice"),
        (["query", "region-sectors", "--format", "ttl"], ExitCode.USAGE, "unknown format"),
    ],
)
def test_errors_and_exit_codes(
    capsys: pytest.CaptureFixture[str], curated_location: Path, argv: list[str],
    exit_code: int, message: str
) -> None:
    code, _, err = run(capsys, *argv, "--location", str(curated_location))
    assert code == exit_code
    assert message in err


def test_no_build_is_not_found(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "query", "region-sectors", "--location", str(tmp_path))
    assert code == ExitCode.NOT_FOUND and "kg build" in err


def test_query_pages(capsys: pytest.CaptureFixture[str], curated_location: Path) -> None:
    """region-sector-matrix is paged by key: each page names the next by its token
    (``--after``); following them gives the answer by offset, row for row."""
    base = ["query", "region-sector-matrix", "--location", str(curated_location), "--format",
            "csv"]
    code, out, err = run(capsys, *base)
    whole = list(csv.DictReader(io.StringIO(run(capsys, *base, "--limit", "all")[1])))
    # the largest curated answer (107 rows until Jiangxi's 5 advantage fields stopped being
    # sector links of its plan: issue 16)
    assert code == ExitCode.OK and len(whole) == 102
    assert list(csv.DictReader(io.StringIO(out))) == whole[:100]  # a page of 100 by default
    assert "more rows: 1-100 shown; next page: --after " in err
    code, out, err = run(capsys, *base, "--limit", "1", "--offset", "100")
    assert list(csv.DictReader(io.StringIO(out))) == whole[100:101] and "--limit 1" in err
    code, out, err = run(capsys, *base, *err.split("next page: ")[1].split(" (")[0].split())
    assert list(csv.DictReader(io.StringIO(out))) == whole[101:] and err == ""
    code, out, err = run(capsys, *base, "--offset", "101")
    assert list(csv.DictReader(io.StringIO(out))) == whole[101:] and err == ""
    code, out, err = run(capsys, "query", "sector-hierarchy", "--location",
                         str(curated_location), "--limit", "2", "--format", "csv")
    assert "next page: --offset 2 --limit 2" in err  # not paged by key
    code, _, err = run(capsys, *base, "--after", "nonsense")
    assert code == ExitCode.USAGE and "not a page token" in err
    code, _, err = run(capsys, *base, "--limit", "ten")
    assert code == ExitCode.USAGE and "limit must be a whole number" in err
    code, _, err = run(capsys, *base, "--offset", "-1")
    assert code == ExitCode.USAGE and "offset must be a whole number" in err


HEAVY = ("starlette", "uvicorn", "rdflib", "owlready2", "pyshacl", "httpx", "rich.console",
         "kg.build", "kg.engine", "kg.http", "kg.html", "kg.gen", "kg.remote")


@pytest.mark.parametrize("fmt", ["table", "csv"])
def test_kg_query_imports_only_what_it_answers_with(curated_location: Path, fmt: str) -> None:
    """``kg query NAME`` in a script (output to a pipe) answers without importing the server,
    rdflib, owlready2, an HTTP client, rich's console or the build pipeline (a quick start:
    docs/benchmarks.md), and reads no question but the one asked for."""
    code = ("import sys; from kg.cli import main; "
            f"code = main(['query', 'regions-overview', '--location', {str(curated_location)!r},"
            f" '--format', {fmt!r}]); "
            "print('|'.join(sorted(m for m in sys.modules)), file=sys.stderr); sys.exit(code)")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, check=False)
    assert run.returncode == 0, run.stderr
    assert "Shanxi" in run.stdout
    loaded = set(run.stderr.strip().splitlines()[-1].split("|"))
    heavy = sorted(m for m in loaded if any(m == h or m.startswith(h + ".") for h in HEAVY))
    assert heavy == []
