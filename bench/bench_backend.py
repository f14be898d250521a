"""Latency of `kg serve --backend` against the backend itself and the local server.

Same data (the curated build, pushed to `oxigraph serve --union-default-graph`), same
sitting, one client, requests one after the other (median of N after a warm-up):

    python bench/bench_backend.py [--requests 200] [--json out.json]

Servers: `oxigraph serve` queried directly (/query), `kg serve` on the local build (with
and without its response cache), and `kg serve --backend` in front of the Oxigraph server,
with its cache (a repeated request inside --backend-ttl) and without (--backend-ttl 0:
every request goes to the backend).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench_server import HOST, free_port, start, stop  # tests/_server.py's start-up
from kg.build import build
from kg.remote.push import push
from kg.store import Location

VENV = Path(sys.executable).parent
JSON = {"Accept": "application/sparql-results+json"}
SPARQL = ("SELECT ?plan ?label WHERE { ?plan a <https://w3id.org/future-industries/ontology#Plan>"
          " ; <http://www.w3.org/2000/01/rdf-schema#label> ?label }")
CASES = {  # name -> (path, params, headers)
    "sparql SELECT (plans)": ("/sparql", {"query": SPARQL}, JSON),
    "question region-sectors": ("/queries/region-sectors", {"region": "shandong"}, JSON),
    "question plans-timeline": ("/queries/plans-timeline", {}, JSON),
    "entity page (Turtle)": ("/id/region/beijing", {"format": "ttl"}, {}),
}


def median_ms(client: httpx.Client, url: str, params: dict[str, str],
              headers: dict[str, str], n: int) -> float:
    for _ in range(5):
        client.get(url, params=params, headers=headers).raise_for_status()
    times = []
    for _ in range(n):
        t = time.perf_counter()
        client.get(url, params=params, headers=headers).raise_for_status()
        times.append(time.perf_counter() - t)
    return 1000 * statistics.median(times)


def serve(tmp: Path, name: str, *args: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    url = f"http://{HOST}:{port}"
    cmd = [sys.executable, "-m", "kg", "serve", "--bind", f"{HOST}:{port}", *args]
    return start(cmd, url + "/health", tmp / f"{name}.log"), url


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        build(tmp / "loc")
        port = free_port()
        oxigraph = f"http://{HOST}:{port}"
        procs = [start([str(VENV / "oxigraph"), "serve", "--location", str(tmp / "ox"),
                        "--bind", f"{HOST}:{port}", "--union-default-graph"],
                       oxigraph + "/query?query=ASK%7B%7D", tmp / "ox.log")]
        push(Location(tmp / "loc").require_current().open(), oxigraph + "/store")
        try:
            servers = {}
            local = ["--location", str(tmp / "loc"), "--workers", "2"]
            for name, extra in (("local, cached", local), ("local, no cache", [*local, "--no-cache"]),
                                ("backend, cached", ["--backend", oxigraph + "/query"]),
                                ("backend, ttl 0", ["--backend", oxigraph + "/query",
                                                    "--backend-ttl", "0"])):
                proc, url = serve(tmp, name.replace(" ", "_").replace(",", ""), *extra)
                procs.append(proc)
                servers[name] = url
            report(servers, oxigraph, args.requests, args.json)
        finally:
            for proc in procs:
                stop(proc)


def report(servers: dict[str, str], oxigraph: str, n: int, out: Path | None) -> None:
    results: dict[str, dict[str, float]] = {}
    with httpx.Client(timeout=30) as client:
        direct = median_ms(client, oxigraph + "/query", {"query": SPARQL}, JSON, n)
        for case, (path, params, headers) in CASES.items():
            results[case] = {name: median_ms(client, url + path, params, headers, n)
                             for name, url in servers.items()}
    print(f"oxigraph serve direct, sparql SELECT (plans): {direct:.2f} ms")
    print("case | " + " | ".join(servers) + " (median ms)")
    for case, row in results.items():
        print(case + " | " + " | ".join(f"{v:.2f}" for v in row.values()))
    if out:
        out.write_text(json.dumps({"oxigraph_direct_ms": direct, "cases": results}, indent=1))


if __name__ == "__main__":
    main()
