"""Answers without the cache: `kg serve` against `oxigraph serve` in memory and on disk.

Same data (the curated build), same sitting, wrk (``bench/server_mix.lua``) on two
workloads: one join (:data:`JOIN`, 33 rows on the curated build) and the packaged
questions' standalone texts (their parameters substituted, as ``bench_server.py`` sends
them). Contenders: ``kg serve --no-cache`` at ``/sparql``, ``kg serve`` with its response
cache at ``/sparql``, ``oxigraph serve --union-default-graph`` with the data in memory
(loaded over its Graph Store endpoint: the fair peer of a small build, which kg copies
into its workers' memory) and on disk (``oxigraph load``).

Equal work first: every contender's answer to every request is fetched and compared with
``kg serve``'s as a multiset of rows (terms by their N-Triples text, blank nodes alike); a
request any contender fails, answers differently or cuts short is left out for all (and
counted). Then ``--rounds`` rounds, each running every contender once, in turn (the
contenders interleaved); the table gives each one's median and the ratios of the medians.
Beside each run, the CPU time each process used (from /proc) per request: where the time
goes between the server process (Starlette, the pipe's parent end) and the query workers
(pyoxigraph and serialisation).

    python bench/bench_answers.py [--seconds 8] [--rounds 3] [--connections 8]
                                  [--before OLD/src] [--location BUILT]
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
from pyoxigraph import RdfFormat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_server import (
    HOST,
    VENV,
    free_port,
    oxigraph,
    server_args,
    sparql_paths,
    start,
    stop,
    workspace,
    wrk,
)
from kg import __version__
from kg.catalogue import Catalogue
from kg.sparql.syntax import substitute
from kg.store import Location

JOIN = """PREFIX fi: <https://w3id.org/future-industries/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?target ?label ?regionLabel WHERE {
  ?plan fi:hasTarget ?target ; fi:forRegion ?region .
  ?target rdfs:label ?label .
  ?region rdfs:label ?regionLabel
  FILTER(LANG(?label) = "en" && LANG(?regionLabel) = "en")
}"""
ACCEPT = {"Accept": "application/sparql-results+json"}


def workload(location: Path) -> list[str]:
    """The packaged questions but the federated ones, their example (else default)
    parameters substituted where the grammar reads the variables (as /queries binds them)."""
    store = Location(location).require_current().open()
    out = []
    for query in Catalogue.load().queries():
        if query.federated:
            continue
        raw = {p.name: p.example or p.default for p in query.params if p.example or p.default}
        bound = query.bind(raw, store)
        out.append(substitute(query.text, bound) if bound else query.text)
    return out


def kg_serve(location: Path, work: Path, src: Path, *extra: str
             ) -> tuple[subprocess.Popen[bytes], str]:
    """`kg serve` from the source tree ``src`` (this checkout's, or an older one's)."""
    port = free_port()
    base = f"http://{HOST}:{port}"
    cmd = [sys.executable, "-m", "kg", "serve", "--location", str(location), "--bind",
           f"{HOST}:{port}", *extra]
    return start(cmd, base + "/health", work / f"kg-{port}.log",
                 env={"PYTHONPATH": str(src)}), base


def oxigraph_memory(location: Path, work: Path) -> tuple[subprocess.Popen[bytes], str]:
    """`oxigraph serve` without a location (in memory), the build's quads POSTed to it."""
    port = free_port()
    base = f"http://{HOST}:{port}"
    cmd = [str(VENV / "oxigraph"), "serve", "--bind", f"{HOST}:{port}", "--union-default-graph"]
    proc = start(cmd, base + "/", work / "oxigraph-memory.log")
    data = Location(location).require_current().open().dump(format=RdfFormat.N_QUADS)
    httpx.post(base + "/store", content=data, headers={"Content-Type": "application/n-quads"},
               timeout=120).raise_for_status()
    return proc, base


def rows(body: bytes) -> Counter[tuple[tuple[str, str], ...]] | None:
    """A SPARQL JSON answer as a multiset of rows (None if it is not one)."""
    try:
        data = json.loads(body)
        out: Counter[tuple[tuple[str, str], ...]] = Counter()
        for binding in data["results"]["bindings"]:
            out[tuple(sorted((k, "_:b" if v["type"] == "bnode" else
                              f"{v['type']}|{v['value']}|{v.get('xml:lang', '').lower()}|"
                              f"{v.get('datatype', '')}") for k, v in binding.items()))] += 1
        return out
    except (ValueError, KeyError, TypeError):
        return None


def answers(base: str, paths: list[str]) -> list[Any]:
    with httpx.Client(base_url=base, timeout=60) as client:
        out = []
        for p in paths:
            r = client.get(p, headers=ACCEPT)
            out.append(rows(r.content) if r.status_code == 200
                       and r.headers.get("x-kg-truncated") != "true" else None)
        return out


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


def measured(proc: subprocess.Popen[bytes], base: str, paths: list[str], args: Any,
             work: Path) -> dict[str, Any]:
    """One wrk run, with the CPU time per request of the server process and of the rest of
    its process tree (the query workers)."""
    pids = tree(proc.pid)
    before = cpu(pids)
    result = wrk(base, paths, args.seconds, args.connections, work)
    after = cpu(pids)
    requests = max(1.0, result["rps"] * args.seconds)
    used = {p: after.get(p, 0.0) - before.get(p, 0.0) for p in pids}
    result["server_cpu_ms"] = used.get(proc.pid, 0.0) / requests * 1000
    result["workers_cpu_ms"] = sum(v for p, v in used.items() if p != proc.pid) / requests * 1000
    return result


def main() -> None:
    ap = server_args(__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--before", type=Path, default=None, metavar="SRC",
                    help="also an older kg's source tree (e.g. from git archive)")
    args = ap.parse_args()
    work, location = workspace("bench-answers-", args.location)
    texts = workload(location)
    src = Path(__file__).resolve().parent.parent / "src"
    servers = {
        "kg serve, no cache": kg_serve(location, work, src, "--no-cache"),
        "kg serve, cache": kg_serve(location, work, src),
        "oxigraph serve, memory": oxigraph_memory(location, work),
        "oxigraph serve, disk": oxigraph(location, work),
    }
    if args.before:
        servers["kg serve before, no cache"] = kg_serve(location, work, args.before,
                                                        "--no-cache")
        servers["kg serve before, cache"] = kg_serve(location, work, args.before)
    prefix = {name: "/query" if name.startswith("oxigraph") else "/sparql" for name in servers}
    loads = {"join": [JOIN], "mix": texts}
    try:
        kept: dict[str, list[str]] = {}
        for load, queries in loads.items():
            got = {name: answers(base, sparql_paths(prefix[name], queries))
                   for name, (_, base) in servers.items()}
            ours_ = got["kg serve, no cache"]
            same = [i for i in range(len(queries)) if ours_[i] is not None
                    and all(got[n][i] == ours_[i] for n in servers)]
            kept[load] = [queries[i] for i in same]
            print(f"{load}: {len(same)} of {len(queries)} requests answered alike by every "
                  f"contender (left out: {len(queries) - len(same)})", file=sys.stderr)
        runs: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for _ in range(args.rounds):
            for load in loads:
                for name, (proc, base) in servers.items():
                    paths = sparql_paths(prefix[name], kept[load])
                    runs.setdefault((load, name), []).append(
                        measured(proc, base, paths, args, work))
    finally:
        for proc, _ in servers.values():
            stop(proc)
    report(runs, kept, args)


def median(runs: list[dict[str, Any]], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def report(runs: dict[tuple[str, str], list[dict[str, Any]]], kept: dict[str, list[str]],
           args: Any) -> None:
    oxigraph_version = subprocess.run([str(VENV / "oxigraph"), "--version"],
                                      capture_output=True, text=True).stdout.strip()
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"{platform.node()}: {os.cpu_count()} cores, load {load}, Python "
          f"{platform.python_version()}, kg {__version__}, {oxigraph_version}, wrk -t1 "
          f"-c{args.connections} -d{args.seconds}s, {args.rounds} rounds interleaved")
    for load in kept:
        memory = median(runs[(load, "oxigraph serve, memory")], "rps")
        disk = median(runs[(load, "oxigraph serve, disk")], "rps")
        print(f"\n{load} ({len(kept[load])} requests)\n")
        print("| server | req/s (median) | runs | p50 ms | p99 ms | non-2xx | ÷ oxigraph memory "
              "| ÷ oxigraph disk | CPU ms/request: server · workers |")
        print("|---|---:|---|---:|---:|---:|---:|---:|---|")
        for (name_load, name), rs in runs.items():
            if name_load != load:
                continue
            rps = median(rs, "rps")
            each = " / ".join(f"{r['rps']:.0f}" for r in rs)
            print(f"| {name} | {rps:.0f} | {each} | "
                  f"{median(rs, 'p50_ms'):.2f} | {median(rs, 'p99_ms'):.2f} | "
                  f"{sum(r['non2xx'] for r in rs)} | {rps / memory:.2f} | {rps / disk:.2f} | "
                  f"{median(rs, 'server_cpu_ms'):.2f} · {median(rs, 'workers_cpu_ms'):.2f} |")


if __name__ == "__main__":
    main()
