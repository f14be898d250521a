"""Real SPARQL engines for the conformance tests: Virtuoso and `oxigraph serve`, on loopback.

Each engine runs as a subprocess with its own database in a temporary folder, is loaded from
an N-Quads file (so our named graphs are kept) and is stopped, and its folder removed, by the
context manager that started it. tests/conftest.py turns them into session fixtures.

Virtuoso (Debian's ``virtuoso-opensource``, installed by scripts/setup.sh) runs from a copy of
the package's ``virtuoso.ini`` with every file in the temporary folder, both ports on
127.0.0.1, and the SPARQL limits that our packaged questions need (:data:`VIRTUOSO_SETTINGS`).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from _server import HOST, OXIGRAPH, free_port, start, stop
from _server import oxigraph_server as serve_oxigraph

VIRTUOSO_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")
# What starting, loading and querying the engines took, in seconds (printed at the end of a
# pytest run by tests/conftest.py).
TIMINGS: dict[str, float] = {}

# [section] -> key -> value, set in the copy of Debian's virtuoso.ini ({dir}: the temp folder,
# {host}, {sql}/{http}: the ports). Paths and ports keep the server inside its folder and on
# loopback; NumberOfBuffers stays at Debian's modest 10000 pages of 8 kB (80 MB).
# [SPARQL], measured with the catalogue on the curated build (8,385 quads):
# - MaxQueryCostEstimationTime: Debian ships 400 (s). Virtuoso then refuses, before running
#   them, monetary-targets, plans-timeline and regions-targeting-sectors as kg.remote sends
#   them (a VALUES block in every group): "The estimated execution time 3936 (sec) exceeds
#   the limit of 400 (sec)" (for the first two the estimate even overflows, e.g.
#   -1641802752 s). With one VALUES block at the top the same questions pass the estimate,
#   and every question runs in milliseconds. 0 turns the estimate check off.
# - MaxQueryExecutionTime: Debian's 60 s stays, as a guard against a runaway query in a test
#   (no question takes more than a few ms here). On a time-out Virtuoso returns a partial
#   answer (with an X-SQL-State header), which the matrix would report as a wrong answer.
# - ResultSetMaxRows caps every SELECT silently: Debian's 10000 is above our largest answer,
#   raised anyway so that a capped answer can never pass for a complete one.
VIRTUOSO_SETTINGS: dict[str, dict[str, str]] = {
    "Database": {
        "DatabaseFile": "{dir}/virtuoso.db",
        "ErrorLogFile": "{dir}/virtuoso.log",
        "LockFile": "{dir}/virtuoso.lck",
        "TransactionFile": "{dir}/virtuoso.trx",
        "xa_persistent_file": "{dir}/virtuoso.pxa",
        "Striping": "0",
    },
    "TempDatabase": {
        "DatabaseFile": "{dir}/virtuoso-temp.db",
        "TransactionFile": "{dir}/virtuoso-temp.trx",
        "Striping": "0",
    },
    "Parameters": {
        "ServerPort": "{host}:{sql}",
        "DirsAllowed": "., {dir}",
        "NumberOfBuffers": "10000",   # 8 kB pages: 80 MB, Debian's own modest default
        "MaxDirtyBuffers": "6000",
        "ThreadsPerQuery": "2",       # the machine has 2 cores
        "CheckpointInterval": "0",    # a checkpoint is made once, after the bulk load
        # kg sends a SELECT with LIMIT row cap + 1 (10,001 by default, to tell a truncated
        # answer); Debian's 10000 refuses an ORDER BY with that LIMIT (SR353)
        "MaxSortedTopRows": "100000",
    },
    "HTTPServer": {
        "ServerPort": "{host}:{http}",
    },
    "URIQA": {
        "DefaultHost": "{host}:{http}",
    },
    "Striping": {
        "Segment1": "100M, {dir}/db-seg1-1.db, {dir}/db-seg1-2.db",
        "Segment2": "100M, {dir}/db-seg2-1.db",
    },
    "SPARQL": {
        "ResultSetMaxRows": "1000000",
        "MaxQueryCostEstimationTime": "0",
        "MaxQueryExecutionTime": "60",
    },
}


def virtuoso_ini(template: str, values: dict[str, str],
                 settings: dict[str, dict[str, str]] | None = None) -> str:
    """Debian's virtuoso.ini with :data:`VIRTUOSO_SETTINGS` applied (comments kept).

    A key is set where the section has it (every occurrence) and added at the section's
    end otherwise.

    >>> ini = "[Parameters]\\nServerPort = 1111 ; sql\\n[HTTPServer]\\nServerPort = 8890\\n"
    >>> print(virtuoso_ini(ini, {"dir": "/t", "host": "127.0.0.1", "sql": "1", "http": "2"}))
    ... # doctest: +ELLIPSIS
    [Parameters]
    ServerPort = 127.0.0.1:1
    DirsAllowed = ., /t
    ...
    [HTTPServer]
    ServerPort = 127.0.0.1:2
    ...
    """
    wanted = {section: {k: v.format(**values) for k, v in keys.items()}
              for section, keys in (settings or VIRTUOSO_SETTINGS).items()}
    out: list[str] = []
    section: str | None = None
    done: set[tuple[str, str]] = set()

    def close_section() -> None:
        for key, value in wanted.get(section or "", {}).items():
            if (section, key) not in done:
                out.append(f"{key} = {value}")

    for line in template.splitlines():
        header = re.match(r"\s*\[([^\]]+)\]", line)
        if header:
            close_section()
            section = header.group(1)
            out.append(line)
            continue
        setting = re.match(r"\s*([A-Za-z_0-9]+)\s*=", line)
        keys = wanted.get(section or "", {})
        if setting and setting.group(1) in keys:
            key = setting.group(1)
            out.append(f"{key} = {keys[key]}")
            done.add((section or "", key))
        else:
            out.append(line)
    close_section()
    for section_name in wanted.keys() - {s for s, _ in done} - _sections(template):
        out.append(f"[{section_name}]")
        out += [f"{k} = {v}" for k, v in wanted[section_name].items()]
    return "\n".join(out) + "\n"


def _sections(text: str) -> set[str]:
    return set(re.findall(r"^\s*\[([^\]]+)\]", text, re.M))


@dataclass
class Engine:
    """A running engine: its SPARQL query URL and what starting and loading it took."""

    name: str
    url: str
    timings: dict[str, float] = field(default_factory=dict)
    sql_port: int = 0  # Virtuoso's SQL port (isql-vt), for bench/bench_backend.py
    folder: Path | None = None  # its temporary folder (Virtuoso reads files placed there)


@contextmanager
def virtuoso(nquads: Path, start_timeout: float = 120.0,
             settings: dict[str, dict[str, str]] | None = None) -> Iterator[Engine]:
    """Virtuoso on 127.0.0.1 with a fresh database holding ``nquads``; yields its /sparql.

    ``settings`` replaces :data:`VIRTUOSO_SETTINGS` (to try other limits).

    The quads are bulk-loaded with ``ld_dir`` / ``rdf_loader_run`` through ``isql-vt``.
    Virtuoso's default graph is the union of all its graphs, as our questions expect.
    """
    folder = Path(tempfile.mkdtemp(prefix="kg-virtuoso-"))
    sql, http = free_port(), free_port()
    values = {"dir": str(folder), "host": HOST, "sql": str(sql), "http": str(http)}
    ini = folder / "virtuoso.ini"
    ini.write_text(virtuoso_ini(VIRTUOSO_INI.read_text("utf-8"), values, settings), "utf-8")
    data = folder / "load"
    data.mkdir()
    shutil.copy(nquads, data / "all.nq")
    engine = Engine("virtuoso", f"http://{HOST}:{http}/sparql", sql_port=sql, folder=folder)
    started = time.monotonic()
    proc = None
    try:  # up when its SPARQL endpoint answers ASK {} (its log goes to stdout.log as well)
        proc = start(["virtuoso-t", "+configfile", str(ini), "+foreground"],
                     f"{engine.url}?query=ASK%20%7B%7D", folder / "stdout.log",
                     timeout=start_timeout, cwd=folder, ready=lambda r: r.status_code == 200)
        engine.timings["start_s"] = time.monotonic() - started
        loaded = time.monotonic()
        isql(sql, f"ld_dir('{data}', '*.nq', 'http://fallback/'); rdf_loader_run(); "
                  "checkpoint;")
        errors = isql(sql, "SELECT ll_file, ll_error FROM DB.DBA.load_list "
                           "WHERE ll_error IS NOT NULL OR ll_state <> 2;")
        if not re.search(r"^0 Rows\.", errors, re.M):
            raise RuntimeError(f"Virtuoso bulk load failed: {errors}")
        engine.timings["load_s"] = time.monotonic() - loaded
        yield engine
    finally:
        if proc is not None:
            stop(proc, grace=20.0)  # it checkpoints on the way out
        shutil.rmtree(folder, ignore_errors=True)


def isql(port: int, statements: str, timeout: float = 300.0) -> str:
    """Run SQL statements with ``isql-vt`` as dba on 127.0.0.1:port; their output."""
    done = subprocess.run(["isql-vt", f"{HOST}:{port}", "dba", "dba", f"exec={statements}"],
                          capture_output=True, timeout=timeout, check=False)
    text = (done.stdout + done.stderr).decode("utf-8", "replace")
    if done.returncode != 0 or re.search(r"\*\*\* Error", text):
        raise RuntimeError(f"isql-vt failed ({done.returncode}): {text}")
    return text


@contextmanager
def oxigraph_server(nquads: Path, start_timeout: float = 30.0) -> Iterator[Engine]:
    """`oxigraph serve-read-only --union-default-graph` on a store loaded from ``nquads``.

    Our questions read the union of the named graphs as their default graph
    (docs/scaling.md); Oxigraph's own default graph is a separate, empty graph, hence the
    option."""
    folder = Path(tempfile.mkdtemp(prefix="kg-oxigraph-"))
    store = folder / "store"
    try:
        loaded = time.monotonic()
        subprocess.run([str(OXIGRAPH), "load", "--location", str(store), "--file", str(nquads)],
                       check=True, capture_output=True, timeout=300)
        load_s, started = time.monotonic() - loaded, time.monotonic()
        with serve_oxigraph(store, read_only=True, timeout=start_timeout) as base:
            engine = Engine("oxigraph", f"{base}/query", {"load_s": load_s})
            engine.timings["start_s"] = time.monotonic() - started
            yield engine
    finally:
        shutil.rmtree(folder, ignore_errors=True)
