"""The servers and the load generator the serving benchmarks share (bench/bench_answers.py,
bench/bench_fairness.py, bench/profile_answers.py): `kg serve`, `oxigraph serve` on disk and
in memory, rdflib-endpoint, wrk with ``bench/server_mix.lua``, the CPU time of a process
tree. Not a benchmark itself (bench/run_all.py runs ``bench_*.py`` only).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
from pyoxigraph import RdfFormat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the servers' start-up is shared with the tests

from _server import HOST, free_port, start, stop  # noqa: E402
from kg.build import build  # noqa: E402
from kg.store import Location  # noqa: E402

__all__ = ["HOST", "LUA", "VENV", "free_port", "start", "stop"]

VENV = Path(sys.executable).parent
LUA = ROOT / "bench" / "server_mix.lua"
LOAD_S = 1800  # how long a server may take to receive a build's quads (10M: minutes)


def server_args(description: str) -> argparse.ArgumentParser:
    """The options every server benchmark takes (wrk's duration and connections, a built
    location to reuse, where to write the JSON figures)."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=8)
    ap.add_argument("--location", type=Path, default=None, help="a built location to reuse")
    ap.add_argument("--json", type=Path, default=None)
    return ap


def workspace(prefix: str, reuse: Path | None) -> tuple[Path, Path]:
    """A temporary folder and the built location to serve: ``reuse``, else a fresh curated
    build in that folder."""
    work = Path(tempfile.mkdtemp(prefix=prefix))
    location = reuse or work / "kg"
    if reuse is None:
        build(location)
    return work, location


def sparql_paths(prefix: str, texts: list[str]) -> list[str]:
    return [f"{prefix}?query={quote(t)}" for t in texts]


def keep_working(base: str, paths: list[str]) -> list[str]:
    """Only the requests that a server answers with 200 (all servers get the same list)."""
    with httpx.Client(base_url=base, timeout=60) as client:
        ok = [p for p in paths if client.get(p, headers={"Accept": "application/sparql-results"
              "+json, text/turtle;q=0.9"}).status_code == 200]
    return ok


def kg_serve(location: Path, work: Path, *extra: str, src: Path | None = None
             ) -> tuple[subprocess.Popen[bytes], str]:
    """`kg serve` on ``location`` from the source tree ``src`` (else this checkout's)."""
    port = free_port()
    base = f"http://{HOST}:{port}"
    cmd = [sys.executable, "-m", "kg", "serve", "--location", str(location), "--bind",
           f"{HOST}:{port}", *extra]
    env = {"PYTHONPATH": str(src or ROOT / "src")}
    return start(cmd, base + "/health", work / f"kg-{port}.log", env=env), base


def dump(location: Path, work: Path) -> Path:
    """Every quad of the build as one N-Quads file (written once per workspace)."""
    path = work / "all.nq"
    if not path.exists():
        Location(location).require_current().open().dump(str(path), format=RdfFormat.N_QUADS)
    return path


def oxigraph_disk(location: Path, work: Path) -> tuple[subprocess.Popen[bytes], str]:
    """`oxigraph serve --union-default-graph` on a copy loaded with `oxigraph load`."""
    data = work / "oxigraph"
    subprocess.run([str(VENV / "oxigraph"), "load", "--location", str(data), "--file",
                    str(dump(location, work))], check=True, capture_output=True)
    port = free_port()
    cmd = [str(VENV / "oxigraph"), "serve", "--location", str(data), "--bind", f"{HOST}:{port}",
           "--union-default-graph"]
    return start(cmd, f"http://{HOST}:{port}/", work / "oxigraph.log"), f"http://{HOST}:{port}"


def oxigraph_memory(location: Path, work: Path) -> tuple[subprocess.Popen[bytes], str]:
    """`oxigraph serve --union-default-graph` without a location (in memory), the build's
    quads POSTed to its Graph Store endpoint."""
    port = free_port()
    base = f"http://{HOST}:{port}"
    cmd = [str(VENV / "oxigraph"), "serve", "--bind", f"{HOST}:{port}", "--union-default-graph"]
    proc = start(cmd, base + "/", work / "oxigraph-memory.log")
    with dump(location, work).open("rb") as body:
        httpx.post(base + "/store", content=body, timeout=LOAD_S,
                   headers={"Content-Type": "application/n-quads"}).raise_for_status()
    return proc, base


def rdflib_endpoint(location: Path, work: Path) -> tuple[subprocess.Popen[bytes], str]:
    """rdflib-endpoint (the ``bench`` extra) on the union of the build's graphs."""
    store = Location(location).require_current().open()
    triples = {q.triple for q in store}  # the union of the graphs, as one default graph
    nt = work / "all.nt"
    nt.write_bytes(b"".join(f"{t} .\n".encode() for t in triples))
    port = free_port()
    cmd = [str(VENV / "rdflib-endpoint"), "serve", "--host", HOST, "--port", str(port), str(nt)]
    return start(cmd, f"http://{HOST}:{port}/", work / "rdflib.log"), f"http://{HOST}:{port}"


def wrk(url: str, paths: list[str], seconds: int, connections: int, work: Path,
        timeout_s: float = 10) -> dict[str, Any]:
    """One wrk run (1 thread) cycling through ``paths``: requests per second, p50, p99 and
    the failures: non-2xx answers, 200s whose body is cut short (``server_mix.lua``) and
    socket errors (timeouts after ``timeout_s`` among them)."""
    listing = work / f"paths-{abs(hash((url, tuple(paths))))}.txt"
    listing.write_text("\n".join(paths) + "\n")
    cmd = ["/usr/bin/wrk", "-t", "1", "-c", str(connections), "-d", f"{seconds}s",
           "--timeout", f"{timeout_s:g}s", "--latency", "-s", str(LUA), url, "--",
           str(listing)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), "
                              r"timeout (\d+)", out)
    return {"rps": float(wrk_field(r"Requests/sec:\s+([\d.]+)", out)),
            "p50_ms": wrk_ms(wrk_field(r"50%\s+([\d.]+\w+)", out)),
            "p99_ms": wrk_ms(wrk_field(r"99%\s+([\d.]+\w+)", out)),
            "non2xx": int(m.group(1)) if (m := re.search(r"Non-2xx.*?(\d+)", out)) else 0,
            "cut_short": int(m.group(1)) if (m := re.search(r"Cut short: (\d+)", out)) else 0,
            "socket_errors": sum(map(int, socket_errors.groups())) if socket_errors else 0}


def wrk_field(pattern: str, text: str) -> str:
    """The first group of ``pattern`` in wrk's output (RuntimeError when it is not there)."""
    match = re.search(pattern, text)
    if match is None:
        raise RuntimeError(f"wrk's output has no {pattern!r}: {text[-1000:]}")
    return match.group(1)


def wrk_ms(text: str) -> float:
    """One of wrk's durations (``812.00us``, ``3.41ms``, ``1.20s``) in milliseconds."""
    value, unit = float(re.sub(r"[a-z]+$", "", text)), re.sub(r"[\d.]", "", text)
    return value * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def tree(pid: int) -> list[int]:
    """A process and its descendants (Linux /proc)."""
    out = [pid]
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as fh:
                for child in fh.read().split():
                    out += tree(int(child))
    except OSError:
        pass
    return out


def cpu(pids: list[int]) -> dict[int, float]:
    """CPU seconds (user + system) each process has used."""
    out = {}
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            out[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except OSError:
            continue
    return out
