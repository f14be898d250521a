"""Throughput and latency of `kg serve` against `oxigraph serve` and rdflib-endpoint.

Same data (the curated build), same queries (the packaged queries with their
default or example parameters), same sitting, measured with wrk and the Lua
script bench/server_mix.lua:

    python bench/bench_server.py [--seconds 10] [--connections 8] [--json out.json]

Servers: ours with and without its response cache (``/queries/NAME?…`` and
the same SPARQL text at ``/sparql``), ``oxigraph serve --union-default-graph``
on a copy loaded with ``oxigraph load``, and rdflib-endpoint on the same
triples. A second part measures our p99 with and without a runaway query
(a cartesian product, killed at its time limit over and over) running beside.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

import httpx
from pyoxigraph import RdfFormat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the servers' start-up is shared with the tests

from _server import HOST, free_port, start, stop  # noqa: E402
from kg.build import build  # noqa: E402
from kg.catalogue import Catalogue  # noqa: E402
from kg.sparql.syntax import substitute  # noqa: E402
from kg.store import Location  # noqa: E402

VENV = Path(sys.executable).parent
LUA = ROOT / "bench" / "server_mix.lua"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { " + " ".join(
    f"?s{i} ?p{i} ?o{i} ." for i in range(7)) + " }"


def workload(location: Path) -> list[tuple[str, str, str]]:
    """(name, /queries path, standalone SPARQL) for every packaged query."""
    store = Location(location).require_current().open()
    out = []
    for name in Catalogue.load().names():
        query = Catalogue.load().get(name)
        raw = {p.name: p.example or p.default for p in query.params if p.example or p.default}
        bound = query.bind(raw, store)
        # the same work as /queries/NAME: the terms substituted where the grammar reads the
        # variables (a trailing VALUES joins after the fact, and answered differently)
        text = substitute(query.text, bound) if bound else query.text
        params = "&".join(f"{k}={quote(v or '')}" for k, v in raw.items())
        out.append((name, f"/queries/{name}" + (f"?{params}" if params else ""), text))
    return out


def wrk(url: str, paths: list[str], seconds: int, connections: int, work: Path) -> dict:
    listing = work / f"paths-{abs(hash(url))}.txt"
    listing.write_text("\n".join(paths) + "\n")
    cmd = ["/usr/bin/wrk", "-t", "1", "-c", str(connections), "-d", f"{seconds}s",
           "--latency", "-s", str(LUA), url, "--", str(listing)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "p50_ms": _ms(re.search(r"50%\s+([\d.]+\w+)", out).group(1)),
            "p99_ms": _ms(re.search(r"99%\s+([\d.]+\w+)", out).group(1)),
            "non2xx": int(m.group(1)) if (m := re.search(r"Non-2xx.*?(\d+)", out)) else 0}


def _ms(text: str) -> float:
    value, unit = float(re.match(r"[\d.]+", text).group()), re.sub(r"[\d.]", "", text)
    return value * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def sparql_paths(prefix: str, texts: list[str]) -> list[str]:
    return [f"{prefix}?query={quote(t)}" for t in texts]


def keep_working(base: str, paths: list[str]) -> list[str]:
    """Only the requests that a server answers with 200 (all servers get the same list)."""
    with httpx.Client(base_url=base, timeout=60) as client:
        ok = [p for p in paths if client.get(p, headers={"Accept": "application/sparql-results"
              "+json, text/turtle;q=0.9"}).status_code == 200]
    return ok


def ours(location: Path, work: Path, *extra: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    base = f"http://{HOST}:{port}"
    cmd = [str(VENV / "kg"), "serve", "--location", str(location), "--bind", f"{HOST}:{port}",
           *extra]
    return start(cmd, base + "/health", work / f"kg-{port}.log"), base


def oxigraph(location: Path, work: Path) -> tuple[subprocess.Popen[bytes], str]:
    data = work / "oxigraph"
    dump = work / "all.nq"
    dump.write_bytes(Location(location).require_current().open().dump(format=RdfFormat.N_QUADS))
    subprocess.run([str(VENV / "oxigraph"), "load", "--location", str(data), "--file", str(dump)],
                   check=True, capture_output=True)
    port = free_port()
    cmd = [str(VENV / "oxigraph"), "serve", "--location", str(data), "--bind", f"{HOST}:{port}",
           "--union-default-graph"]
    return start(cmd, f"http://{HOST}:{port}/", work / "oxigraph.log"), f"http://{HOST}:{port}"


def rdflib_endpoint(location: Path, work: Path) -> tuple[subprocess.Popen[bytes], str]:
    store = Location(location).require_current().open()
    triples = {q.triple for q in store}  # the union of the graphs, as one default graph
    nt = work / "all.nt"
    nt.write_bytes(b"".join(f"{t} .\n".encode() for t in triples))
    port = free_port()
    cmd = [str(VENV / "rdflib-endpoint"), "serve", "--host", HOST, "--port", str(port), str(nt)]
    return start(cmd, f"http://{HOST}:{port}/", work / "rdflib.log"), f"http://{HOST}:{port}"


def runaway_load(base: str, stop_flag: threading.Event) -> None:
    with httpx.Client(base_url=base, timeout=60) as client:
        while not stop_flag.is_set():
            client.get("/sparql", params={"query": RUNAWAY, "timeout": "5"})


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


def main() -> None:
    args = server_args(__doc__ or "").parse_args()
    work, location = workspace("bench-server-", args.location)
    mix = workload(location)
    results: dict[str, dict] = {}
    run = lambda base, paths: wrk(base, paths, args.seconds, args.connections, work)  # noqa: E731

    proc, base = oxigraph(location, work)
    texts = [t for _, _, t in mix]
    ox_paths = keep_working(base, sparql_paths("/query", texts))
    working = {p.split("?query=", 1)[1] for p in ox_paths}
    texts = [t for t in texts if quote(t) in working]
    results["oxigraph serve"] = run(base, ox_paths)
    stop(proc)

    proc, base = ours(location, work)
    stored = [p for _, p, t in mix if quote(t) in working]
    results["kg serve, /queries, cache"] = run(base, stored)
    results["kg serve, /sparql, cache"] = run(base, sparql_paths("/sparql", texts))
    stop(proc)
    proc, base = ours(location, work, "--no-cache")
    results["kg serve, /queries, no cache"] = run(base, stored)
    results["kg serve, /sparql, no cache"] = run(base, sparql_paths("/sparql", texts))
    flag = threading.Event()
    thread = threading.Thread(target=runaway_load, args=(base, flag))
    thread.start()
    time.sleep(1)
    results["kg serve, /sparql, no cache, runaway beside"] = run(base, sparql_paths("/sparql",
                                                                                   texts))
    flag.set()
    thread.join()
    stop(proc)

    proc, base = rdflib_endpoint(location, work)
    results["rdflib-endpoint"] = run(base, sparql_paths("/", texts))
    stop(proc)
    report(results, len(texts))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


def report(results: dict[str, dict], queries: int) -> None:
    ox_rps = results["oxigraph serve"]["rps"]
    rdflib_rps = results["rdflib-endpoint"]["rps"]
    print(f"{queries} packaged queries in the mix\n")
    print("| server | req/s | p50 ms | p99 ms | non-2xx | × oxigraph | × rdflib-endpoint |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, r in results.items():
        print(f"| {name} | {r['rps']:.0f} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | "
              f"{r['non2xx']} | {r['rps'] / ox_rps:.2f} | {r['rps'] / rdflib_rps:.1f} |")


if __name__ == "__main__":
    main()
