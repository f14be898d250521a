"""Serving on equal work: `kg serve` against `oxigraph serve` in memory and on disk.

Same build (the curated one, or ``--location`` of any build: bench/synth.py's 1M graph
beside the curated data, say), same sitting, wrk (1 thread, ``bench/server_mix.lua``) on
two workloads:

- **join**: one join (:data:`JOIN`: 33 rows on the curated build, 20,166 on the 1M one,
  whose answer needs ``--row-cap`` above kg's default 10,000 to be whole) at ``/sparql``;
- **questions**: every packaged question but the federated ones (which need the Web), its
  first page as ``/queries/NAME?…`` (example, else default, parameters) does it: the text
  that page runs (its parameters substituted where the grammar reads the variables, its
  LIMIT) sent to ``/sparql`` and to oxigraph's ``/query``, and ``/queries/NAME?…`` itself.

Contenders: ``kg serve --no-cache`` and ``kg serve`` (its response cache), each at
``/sparql`` and (questions) ``/queries``; ``oxigraph serve --union-default-graph`` with the
data in memory (the quads POSTed to its Graph Store endpoint: the fair peer of a small
build, which kg copies into its workers' memory; ``--no-memory`` leaves it out) and on disk
(``oxigraph load``); with ``--rdflib``, rdflib-endpoint (the ``bench`` extra; slow: small
builds only); with ``--before SRC``, an older kg's source tree beside.

Equal work first: every contender's answer to every request is fetched and compared with
``kg serve --no-cache``'s at ``/sparql`` as a multiset of rows (terms by their N-Triples
text, blank nodes alike); a ``/queries`` page must hold the first page's rows of that
answer (its columns, as many rows as the page size allows). An answer that fails, times
out, is not a whole JSON document (oxigraph answers some timeouts with a 200 and a body cut
short), is cut by kg's row cap (``X-KG-Truncated`` at ``/sparql``) or differs is a
failure: that request is left out for every contender (and counted). While timing, a non-2xx answer, a 200 cut short and a socket error
(wrk's ``--timeout`` among them) are failures, in the table's last column. Then
``--rounds`` rounds, each running every contender once, in turn (interleaved); the table
gives each one's median and the ratios of the medians to oxigraph's, with the CPU time per
request of the server process and of the rest of its process tree (kg's query workers).
Prints the machine, its load average and the versions with each table; its temporary folder
(the dump, oxigraph's store, a fresh curated build) is removed at the end.

    python bench/bench_answers.py [--seconds 8] [--rounds 3] [--connections 8]
        [--location BUILT] [--row-cap N] [--no-memory] [--rdflib] [--before OLD/src]
        [--json out.json]
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from kg import __version__
from kg.catalogue import Catalogue, Page
from kg.sparql.syntax import substitute
from kg.store import Location
from serving import (
    VENV,
    cpu,
    kg_serve,
    oxigraph_disk,
    oxigraph_memory,
    rdflib_endpoint,
    server_args,
    stop,
    tree,
    workspace,
    wrk,
)

JOIN = """PREFIX fi: <https://w3id.org/future-industries/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?target ?label ?regionLabel WHERE {
  ?plan fi:hasTarget ?target ; fi:forRegion ?region .
  ?target rdfs:label ?label .
  ?region rdfs:label ?regionLabel
  FILTER(LANG(?label) = "en" && LANG(?regionLabel) = "en")
}"""
ACCEPT = {"Accept": "application/sparql-results+json"}
OURS = "kg serve, no cache, /sparql"  # the answers every other contender's are checked against
Rows = Counter[tuple[tuple[str, str], ...]]


def questions(location: Path) -> tuple[list[tuple[str, str]], int]:
    """(/queries path, the text its first page runs) of every packaged question but the
    federated ones, and how many federated ones were left out."""
    store = Location(location).require_current().open()
    out, federated = [], 0
    for query in Catalogue.load().queries():
        if query.federated:
            federated += 1
            continue
        raw = {p.name: p.example or p.default for p in query.params if p.example or p.default}
        filled = query.filled(raw, store)
        text = Page().query(filled).text
        bound = query.bind(raw, store)
        params = "&".join(f"{k}={quote(v or '')}" for k, v in raw.items())
        out.append((f"/queries/{query.name}" + (f"?{params}" if params else ""),
                    substitute(text, bound) if bound else text))
    return out, federated


def rows(body: bytes) -> Rows | None:
    """A whole SPARQL JSON answer as a multiset of rows (None if it is not one: a body cut
    short does not parse)."""
    try:
        data = json.loads(body)
        out: Rows = Counter()
        for binding in data["results"]["bindings"]:
            out[_row(binding)] += 1
        return out
    except (ValueError, KeyError, TypeError):
        return None


def _row(binding: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((k, "_:b" if v["type"] == "bnode" else
                         f"{v['type']}|{v['value']}|{v.get('xml:lang', '').lower()}|"
                         f"{v.get('datatype', '')}") for k, v in binding.items()))


def answers(base: str, paths: list[str], timeout_s: float) -> list[Rows | None]:
    """Each request's answer as rows; None for a failure (an error, a timeout, a body that
    is not a whole answer, an answer kg marks truncated)."""
    out: list[Rows | None] = []
    with httpx.Client(base_url=base, timeout=timeout_s) as client:
        for path in paths:
            try:
                r = client.get(path, headers=ACCEPT)
            except httpx.HTTPError:
                out.append(None)
                continue
            # at /queries the header says that more pages follow; elsewhere, a row cap
            whole = r.status_code == 200 and (path.startswith("/queries/")
                                              or r.headers.get("x-kg-truncated") != "true")
            out.append(rows(r.content) if whole else None)
    return out


def page_of(page: Rows | None, whole: Rows | None) -> bool:
    """Whether ``page`` (a /queries answer) holds the first page of ``whole`` (the answer
    to the text that page runs, one row more): its rows among ``whole``'s, on its columns,
    and as many as the page size allows."""
    if page is None or whole is None:
        return False
    columns = {k for row in page for k, _ in row}
    projected: Rows = Counter()
    for row, n in whole.items():
        projected[tuple(kv for kv in row if kv[0] in columns)] += n
    size = Page().size
    return (sum(page.values()) == min(size, sum(whole.values()))
            and all(projected[row] >= n for row, n in page.items()))


class Contender:
    """A running server and how it is asked: ``path(i)`` is its request for request ``i``
    of a workload."""

    def __init__(self, proc: subprocess.Popen[bytes], base: str,
                 path: Callable[[str, int], str | None]) -> None:
        self.proc, self.base, self.path = proc, base, path


def contenders(location: Path, work: Path, args: Any, loads: dict[str, list[tuple[str, str]]]
               ) -> dict[str, Contender]:
    """Every server, started (and loaded) in turn; the seconds each took to load go to
    stderr."""
    def text(prefix: str) -> Callable[[str, int], str | None]:
        return lambda load, i: f"{prefix}?query={quote(loads[load][i][1])}"

    def stored(load: str, i: int) -> str | None:
        return loads[load][i][0] or None

    starters: dict[str, tuple[Callable[[], tuple[subprocess.Popen[bytes], str]], list[str]]]
    cap = ["--row-cap", str(args.row_cap)] if args.row_cap else []
    starters = {"kg serve, no cache": (lambda: kg_serve(location, work, "--no-cache", *cap),
                                       [""]),
                "kg serve, cache": (lambda: kg_serve(location, work, *cap), [""])}
    if args.before:
        starters["kg serve before, no cache"] = (
            lambda: kg_serve(location, work, "--no-cache", *cap, src=args.before), [""])
        starters["kg serve before, cache"] = (
            lambda: kg_serve(location, work, *cap, src=args.before), [""])
    if not args.no_memory:
        starters["oxigraph serve, memory"] = (lambda: oxigraph_memory(location, work), [])
    starters["oxigraph serve, disk"] = (lambda: oxigraph_disk(location, work), [])
    if args.rdflib:
        starters["rdflib-endpoint"] = (lambda: rdflib_endpoint(location, work), [])
    out: dict[str, Contender] = {}
    for name, (starter, kg) in starters.items():
        began = time.monotonic()
        proc, base = starter()
        print(f"{name}: ready in {time.monotonic() - began:.1f} s", file=sys.stderr)
        prefix = "/sparql" if kg else "/" if name == "rdflib-endpoint" else "/query"
        out[f"{name}, /sparql" if kg else name] = Contender(proc, base, text(prefix))
        if kg:
            out[f"{name}, /queries"] = Contender(proc, base, stored)
    return out


def equal(servers: dict[str, Contender], load: str, n: int, timeout_s: float) -> list[int]:
    """The requests of ``load`` every contender answers as ``OURS`` does (the others are
    left out for all, and counted on stderr)."""
    got = {}
    for name, c in servers.items():
        paths = [c.path(load, i) for i in range(n)]
        asked = answers(c.base, [p for p in paths if p], timeout_s)
        got[name] = [asked.pop(0) if p else None for p in paths]
    ours = got[OURS]
    names = {i: path.split("?")[0].rsplit("/", 1)[-1]
             for i in range(n) if (path := servers[OURS.replace("/sparql", "/queries")]
                                   .path(load, i))}
    kept = []
    for i in range(n):
        askers = [name for name in servers if servers[name].path(load, i)]
        alike = [name for name in askers if (page_of(got[name][i], ours[i])
                 if name.endswith("/queries") else got[name][i] == ours[i])]
        if ours[i] is not None and len(alike) == len(askers):
            kept.append(i)
        else:
            what = names.get(i, f"#{i}")
            print(f"{load} {what}: left out (failed or differs: "
                  f"{', '.join(sorted(set(askers) - set(alike)))})", file=sys.stderr)
    print(f"{load}: {len(kept)} of {n} requests answered alike by every contender",
          file=sys.stderr)
    return kept


def measured(c: Contender, paths: list[str], args: Any, work: Path) -> dict[str, Any]:
    """One wrk run, with the CPU time per request of the server process and of the rest of
    its process tree (the query workers: those started during the run count from their
    start; one that ended during it, a worker replaced after a long query, is not counted)."""
    before = cpu(tree(c.proc.pid))
    result = wrk(c.base, paths, args.seconds, args.connections, work, args.timeout)
    after = cpu(tree(c.proc.pid))
    requests = max(1.0, result["rps"] * args.seconds)
    used = {p: seconds - before.get(p, 0.0) for p, seconds in after.items()}
    result["server_cpu_ms"] = used.get(c.proc.pid, 0.0) / requests * 1000
    result["workers_cpu_ms"] = sum(v for p, v in used.items() if p != c.proc.pid) \
        / requests * 1000
    return result


def main() -> None:
    ap = server_args(__doc__.splitlines()[0])
    ap.set_defaults(seconds=8)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=10,
                    help="seconds an answer may take (the check's and wrk's)")
    ap.add_argument("--row-cap", type=int, default=None,
                    help="kg serve's --row-cap (the join has 20,166 rows at 1M: above the "
                    "default cap, kg's answer is cut, so it is left out)")
    ap.add_argument("--no-memory", action="store_true",
                    help="leave out oxigraph serve in memory (a build too big to POST)")
    ap.add_argument("--rdflib", action="store_true", help="also rdflib-endpoint")
    ap.add_argument("--before", type=Path, default=None, metavar="SRC",
                    help="also an older kg's source tree (e.g. from git archive)")
    args = ap.parse_args()
    work, location = workspace("bench-answers-", args.location)
    asked, federated = questions(location)
    loads = {"join": [("", JOIN)], "questions": asked}
    print(f"questions: {len(asked)} packaged questions ({federated} federated left out)",
          file=sys.stderr)
    servers = contenders(location, work, args, loads)
    runs: dict[tuple[str, str], list[dict[str, Any]]] = {}
    try:
        kept = {load: equal(servers, load, len(reqs), args.timeout)
                for load, reqs in loads.items()}
        for _ in range(args.rounds):
            for load in loads:
                for name, c in servers.items():
                    paths = [p for i in kept[load] if (p := c.path(load, i))]
                    if paths:
                        runs.setdefault((load, name), []).append(
                            measured(c, paths, args, work))
    finally:
        for c in {id(c.proc): c for c in servers.values()}.values():
            stop(c.proc)
        manifest = Location(location).require_current().manifest()
        shutil.rmtree(work, ignore_errors=True)  # the dump and oxigraph's store: GBs at 10M
    report(runs, {load: (len(kept[load]), len(loads[load])) for load in loads}, manifest,
           args)
    if args.json:
        args.json.write_text(json.dumps({f"{load} | {name}": rs
                                         for (load, name), rs in runs.items()}, indent=2))


def _rate(rps: float) -> str:
    return f"{rps:.0f}" if rps >= 10 else f"{rps:.2g}"


def median(runs: list[dict[str, Any]], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def report(runs: dict[tuple[str, str], list[dict[str, Any]]],
           kept: dict[str, tuple[int, int]], manifest: dict[str, Any], args: Any) -> None:
    oxigraph_version = subprocess.run([str(VENV / "oxigraph"), "--version"],
                                      capture_output=True, text=True).stdout.strip()
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    quads = manifest.get("triples", "?")
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {platform.node()}: "
          f"{os.cpu_count()} cores, load {load}; Python {platform.python_version()}, "
          f"kg {__version__}, {oxigraph_version}; build of {quads} triples; wrk -t1 "
          f"-c{args.connections} -d{args.seconds}s --timeout {args.timeout:g}s, "
          f"{args.rounds} rounds interleaved")
    for workload, (n, of) in kept.items():
        memory = runs.get((workload, "oxigraph serve, memory"))
        disk = runs.get((workload, "oxigraph serve, disk"))
        print(f"\n{workload}: {n} of {of} requests answered alike by every contender "
              f"(load now {' '.join(f'{x:.2f}' for x in os.getloadavg())})\n")
        print("| server | req/s (median) | runs | p50 ms | p99 ms | ÷ oxigraph memory "
              "| ÷ oxigraph disk | CPU ms/request: server · workers | failures |")
        print("|---|---:|---|---:|---:|---:|---:|---|---:|")
        for (name_load, name), rs in runs.items():
            if name_load != workload:
                continue
            rps = median(rs, "rps")
            each = " / ".join(_rate(r["rps"]) for r in rs)
            ratio = [f"{rps / median(other, 'rps'):.2f}" if other else "–"
                     for other in (memory, disk)]
            failures = sum(r["non2xx"] + r["cut_short"] + r["socket_errors"] for r in rs)
            print(f"| {name} | {_rate(rps)} | {each} | {median(rs, 'p50_ms'):.2f} | "
                  f"{median(rs, 'p99_ms'):.2f} | {ratio[0]} | {ratio[1]} | "
                  f"{median(rs, 'server_cpu_ms'):.2f} · {median(rs, 'workers_cpu_ms'):.2f} "
                  f"| {failures} |")


if __name__ == "__main__":
    main()
