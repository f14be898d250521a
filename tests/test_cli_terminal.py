"""The ``kg`` command in a terminal and in a pipe: tables, progress, the server's first
line and its exit on Ctrl-C, the exit codes the README documents."""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
from rich.console import Console

from _server import free_port
from kg.catalogue import Catalogue
from kg.cli.table import show
from kg.errors import ExitCode

ROOT = Path(__file__).resolve().parent.parent
KG = [sys.executable, "-m", "kg"]


def kg(*args: str) -> subprocess.CompletedProcess[str]:
    """``kg`` in a child process, its standard output and error pipes (not terminals)."""
    return subprocess.run([*KG, *args], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "COLUMNS": "80"})


def test_exit_code_table_is_the_enum() -> None:
    """The README's table of exit codes lists exactly kg.errors.ExitCode, code and name."""
    text = (ROOT / "README.md").read_text("utf-8")
    section = text.split("### Exit codes", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| (\d+) \| (\w+) \|", section, re.MULTILINE)
    assert {(int(code), name) for code, name in rows} == {(c.value, c.name) for c in ExitCode}


def test_queries_piped_are_whole() -> None:
    """Piped, `kg queries` prints every name and title whole: no ellipsis, no cut."""
    done = kg("queries")
    assert done.returncode == 0, done.stderr
    assert "…" not in done.stdout
    lines = done.stdout.splitlines()
    for query in Catalogue.load().queries():
        assert any(line.startswith(query.name + " ") and query.title["en"] in line
                   for line in lines), query.name


def test_query_table_piped_has_prefixed_names(curated_location: Path) -> None:
    done = kg("query", "regions-targeting-sectors", "--format", "table",
              "--location", str(curated_location))
    assert done.returncode == 0, done.stderr
    header, *rows = done.stdout.splitlines()
    assert header.split() == ["sector1", "sector2", "year", "region", "regionLabel", "plans",
                              "lang"]
    assert rows and "…" not in done.stdout
    assert all(row.split()[:2] == ["id:sector/6g", "id:sector/quantum-technology"]
               for row in rows)


def test_terminal_table_wraps_instead_of_cutting() -> None:
    """On a narrow terminal a long cell is folded over lines, every character kept."""
    name = "regions-targeting-sectors-" * 3
    out = io.StringIO()
    show(["name", "title"], [[name, "a long title " * 6]],
         Console(file=out, force_terminal=True, width=40, color_system=None))
    drawn = out.getvalue()
    assert "…" not in drawn
    first_column = "".join(line.split("│")[1].strip() for line in drawn.splitlines()
                           if line.startswith("│"))
    assert first_column == name


def test_build_log_names_sources_by_path(tmp_path: Path) -> None:
    """Regression: the log said `parse regions.ttl` twice (data/ and data/links/)."""
    done = kg("build", "--location", str(tmp_path / "kg"))
    assert done.returncode == 0, done.stderr
    parsed = [line for line in done.stderr.splitlines() if line.startswith("kg: parse ")]
    assert "kg: parse data/regions.ttl" in parsed
    assert "kg: parse data/links/regions.ttl" in parsed
    assert len(parsed) == len(set(parsed))


def test_serve_says_where_and_exits_130_on_sigint(curated_location: Path,
                                                   tmp_path: Path) -> None:
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as err:
        proc = subprocess.Popen([*KG, "serve", "--location", str(curated_location),
                                 "--bind", f"127.0.0.1:{port}", "--workers", "2"],
                                stdout=subprocess.DEVNULL, stderr=err)
    try:
        deadline = time.monotonic() + 120
        while "listening on" not in log.read_text() and proc.poll() is None:
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        line = next(x for x in log.read_text().splitlines() if "listening on" in x)
        assert line == f"kg: listening on http://127.0.0.1:{port}/"
        assert httpx.get(line.split()[-1] + "health", timeout=60).status_code == 200
        proc.send_signal(signal.SIGINT)
        assert proc.wait(60) == ExitCode.INTERRUPTED
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_query_evidence_csv(curated_location: Path) -> None:
    """`kg query --evidence` adds the four evidence columns; each row's quotes are in the
    source text and its evidence links point at spans of the source's reader page."""
    import csv

    done = kg("query", "regions-targeting-sectors", "--evidence", "--format", "csv",
              "--location", str(curated_location))
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert rows and list(rows[0])[-4:] == ["facts", "reasons", "quotes", "evidence"]
    article = (ROOT / "sources" / "article.zh.txt").read_text("utf-8")
    for row in rows:
        quotes = row["quotes"].splitlines()
        assert quotes and all(q in article for q in quotes), row
        assert len(row["facts"].splitlines()) == len(quotes) == len(row["evidence"].splitlines())
        assert all("/id/source/article#ev-" in e for e in row["evidence"].splitlines())
    plain = kg("query", "regions-targeting-sectors", "--format", "csv",
               "--location", str(curated_location))
    assert "facts" not in plain.stdout.splitlines()[0]
