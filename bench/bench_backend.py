"""`kg serve --backend` and `kg push` on real engines, in one sitting.

    python bench/bench_backend.py latency [--requests 200] [--json out.json]
    python bench/bench_backend.py push [--triples 1000000] [--json out.json]

**latency**: the curated build in `oxigraph serve --union-default-graph` (pushed) and in
Virtuoso (tests/_engines.py, bulk-loaded), one client, requests one after the other (median
of N after a warm-up). For each engine: a SPARQL SELECT straight to the engine and through
`kg serve --backend ENGINE --backend-ttl 0` (every request forwarded), and an entity page
through kg next to the one SELECT it sends for it, straight to the engine; the answers are
checked equal first. Also `kg serve` on the local build (with and without its cache) and
`--backend` with its cache, as before.

**push**: the synthetic graph (bench/synth.py, ``--triples``) as one of our named graphs in
the store of a build (compacted, as `kg build` leaves it); the `kg push` command (its own
process, credentials from the environment) of it into a fresh Virtuoso (Digest,
/sparql-graph-crud-auth) timed with its peak resident memory and the CPU of both sides,
next to Virtuoso's own bulk loader
(``ld_dir`` + ``rdf_loader_run`` through isql-vt) on the same N-Triples file in another fresh
Virtuoso with the same settings; then a second push of the same graph (the graph is there:
staged, then MOVEd). The triples each Virtuoso holds are counted and checked first.

Machine, load average and versions are printed with the figures.
"""

from __future__ import annotations

import argparse
import copy
import http.client
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import httpx
import pyoxigraph
from pyoxigraph import NamedNode, RdfFormat, Store

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests"), str(ROOT)]  # the tests' engines, servers and probes
from tests._robust import rss_tree  # noqa: E402

import _engines  # noqa: E402
from _server import HOST, free_port, start, stop  # noqa: E402
from kg import __version__, settings  # noqa: E402
from kg.build import build  # noqa: E402
from kg.engine.backend import neighbourhood_query  # noqa: E402
from kg.rdf import export  # noqa: E402
from kg.remote.push import push  # noqa: E402
from kg.sparql import limiter  # noqa: E402
from kg.store import Location, file_sha256  # noqa: E402
from kg.vocab import GRAPH_BASE  # noqa: E402

VENV = Path(sys.executable).parent
JSON = {"Accept": "application/sparql-results+json"}
SPARQL = ("SELECT ?plan ?label WHERE { ?plan a <https://w3id.org/future-industries/ontology#Plan>"
          " ; <http://www.w3.org/2000/01/rdf-schema#label> ?label }")
ENTITY = "https://w3id.org/future-industries/id/region/beijing"
CASES = {  # name -> (path, params, headers)
    "sparql SELECT (plans)": ("/sparql", {"query": SPARQL}, JSON),
    "question region-sectors": ("/queries/region-sectors", {"region": "shandong"}, JSON),
    "question plans-timeline": ("/queries/plans-timeline", {}, JSON),
    "entity page (Turtle)": ("/id/region/beijing", {"format": "ttl"}, {}),
    "entity page (HTML)": ("/id/region/beijing", {}, {"Accept": "text/html"}),
}
SYNTH_GRAPH = GRAPH_BASE + "data/synth"
# the same for both Virtuosos of the push bench: Virtuoso's advice for a 2 GB server
BENCH_VIRTUOSO = copy.deepcopy(_engines.VIRTUOSO_SETTINGS)
BENCH_VIRTUOSO["Parameters"] |= {"NumberOfBuffers": "170000", "MaxDirtyBuffers": "130000"}


def machine() -> str:
    """Machine, load and versions, printed with every figure."""
    ox = subprocess.run([str(VENV / "oxigraph"), "--version"], capture_output=True, text=True)
    virtuoso = subprocess.run(["dpkg-query", "-W", "-f", "${Version}",
                               "virtuoso-opensource-7"], capture_output=True, text=True)
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return (f"{platform.node()} {platform.machine()}, {os.cpu_count()} CPUs, load {load}; "
            f"Python {platform.python_version()}, kg {__version__}, pyoxigraph "
            f"{pyoxigraph.__version__}, {ox.stdout.strip()}, Virtuoso {virtuoso.stdout}, "
            f"httpx {httpx.__version__}")


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
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", nargs="?", default="latency", choices=["latency", "push"])
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--triples", type=int, default=1_000_000)
    ap.add_argument("--rounds", type=int, default=2, help="push: rounds of every contender")
    ap.add_argument("--push", nargs="+", default=["8x2", "8x2:store"],
                    metavar="MBxSENDERS[:store]",
                    help="push: the kg push variants (chunk MB x requests at a time; "
                         ":store reads the graph back from the store, not its source file)")
    ap.add_argument("--again", action="store_true", help="push: also push a second time")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    print(machine())
    if args.what == "push":
        variants = [(float(v.split("x")[0]), int(v.split("x")[1].split(":")[0]),
                     "store" if v.endswith(":store") else "files") for v in args.push]
        push_bench(args.triples, args.json, args.rounds, variants, args.again)
    else:
        latency(args.requests, args.json)
    print(f"load at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


# -- latency ------------------------------------------------------------------------------

@contextmanager
def oxigraph_serve(tmp: Path) -> Iterator[str]:
    port = free_port()
    base = f"http://{HOST}:{port}"
    proc = start([str(VENV / "oxigraph"), "serve", "--location", str(tmp / "ox"),
                  "--bind", f"{HOST}:{port}", "--union-default-graph"],
                 base + "/query?query=ASK%7B%7D", tmp / "ox.log")
    try:
        yield base
    finally:
        stop(proc)


def latency(n: int, out: Path | None) -> None:
    with tempfile.TemporaryDirectory() as tmp_name, ExitStack() as stack:
        tmp = Path(tmp_name)
        build(tmp / "loc")
        store = Location(tmp / "loc").require_current().open()
        nquads = tmp / "all.nq"
        nquads.write_bytes(export.dump(store, "nq"))
        oxigraph = stack.enter_context(oxigraph_serve(tmp))
        push(store, oxigraph + "/store")
        virtuoso = stack.enter_context(_engines.virtuoso(nquads)).url
        engines = {"oxigraph serve": oxigraph + "/query", "Virtuoso": virtuoso}
        local = ["--location", str(tmp / "loc"), "--workers", "2"]
        options = {"local, cached": local, "local, no cache": [*local, "--no-cache"]}
        for name, url in engines.items():
            options[f"{name}: backend, cached"] = ["--backend", url]
            options[f"{name}: backend, ttl 0"] = ["--backend", url, "--backend-ttl", "0"]
        servers = {}
        for name, extra in options.items():
            proc, url = serve(tmp, "".join(c if c.isalnum() else "_" for c in name), *extra)
            stack.callback(stop, proc)
            servers[name] = url
        report(servers, engines, n, out)


def rows(body: bytes) -> set[tuple[tuple[str, str], ...]]:
    bindings = json.loads(body)["results"]["bindings"]
    return {tuple(sorted((k, v["value"]) for k, v in b.items())) for b in bindings}


def as_graph(ntriples: str, base: str) -> set:
    """A page's triples, canonical, with the server's own URL (its document's) made equal."""
    from _linking import canonical  # tests/_linking.py: graphs compared with blank nodes
    text = ntriples.replace(base, "http://server.invalid")
    return canonical(pyoxigraph.parse(text.encode(), format=RdfFormat.N_TRIPLES))


def paired_ms(client: httpx.Client, direct: Callable[[], httpx.Response],
              through: Callable[[], httpx.Response], n: int) -> tuple[float, float]:
    """Median ms of the two requests, taken in turns (which goes first alternates)."""
    for _ in range(5):
        direct().raise_for_status()
        through().raise_for_status()
    times: dict[int, list[float]] = {0: [], 1: []}
    for i in range(n):
        for which in ((0, 1) if i % 2 == 0 else (1, 0)):
            t = time.perf_counter()
            (direct if which == 0 else through)().raise_for_status()
            times[which].append(time.perf_counter() - t)
    return 1000 * statistics.median(times[0]), 1000 * statistics.median(times[1])


def added(client: httpx.Client, servers: dict[str, str], engines: dict[str, str],
          n: int) -> dict[str, dict[str, float]]:
    """Per engine: SELECT and entity page straight to it and through kg (--backend-ttl 0),
    after checking that the answers are the same. Straight to the engine goes what kg sends
    it: the same text (the SELECT with kg's LIMIT row cap + 1), POSTed form-encoded."""
    local_page = client.get(servers["local, no cache"] + "/id/region/beijing",
                            params={"format": "nt"})
    limited = limiter(SPARQL, settings.DEFAULT_ROW_CAP)
    sent = limited(settings.DEFAULT_ROW_CAP + 1) if limited else SPARQL
    neighbourhood = neighbourhood_query(NamedNode(ENTITY), labels=False)  # as for Turtle
    out = {}
    for name, url in engines.items():
        kg = servers[f"{name}: backend, ttl 0"]

        def post(text: str, url: str = url) -> httpx.Response:
            return client.post(url, data={"query": text}, headers=JSON)

        direct = post(sent).content
        through = client.get(kg + "/sparql", params={"query": SPARQL}, headers=JSON).content
        assert rows(direct) == rows(through) and rows(direct), f"{name}: SELECT answers differ"
        nt = client.get(kg + "/id/region/beijing", params={"format": "nt"})
        same = as_graph(nt.text, kg) == as_graph(local_page.text,
                                                   servers["local, no cache"])
        assert same, f"{name}: the entity page differs from the local one"
        def select(kg: str = kg) -> httpx.Response:
            return client.get(kg + "/sparql", params={"query": SPARQL}, headers=JSON)

        def page(kg: str = kg) -> httpx.Response:
            return client.get(kg + "/id/region/beijing", params={"format": "ttl"})

        selects = paired_ms(client, lambda: post(sent), select, n)
        entity = paired_ms(client, lambda: post(neighbourhood), page, n)
        out[name] = {"select direct": selects[0], "select via kg": selects[1],
                     "entity SELECT direct": entity[0], "entity page via kg": entity[1]}
    return out


def report(servers: dict[str, str], engines: dict[str, str], n: int, out: Path | None) -> None:
    results: dict[str, dict[str, float]] = {}
    with httpx.Client(timeout=60) as client:
        overhead = added(client, servers, engines, n)
        for case, (path, params, headers) in CASES.items():
            results[case] = {name: median_ms(client, url + path, params, headers, n)
                             for name, url in servers.items()}
    print(f"\nkg serve --backend ENGINE --backend-ttl 0 against ENGINE (median of {n}, ms)")
    print("engine | SELECT direct | SELECT via kg | added | entity SELECT direct | "
          "entity page via kg | added")
    for name, r in overhead.items():
        print(f"{name} | {r['select direct']:.2f} | {r['select via kg']:.2f} | "
              f"{r['select via kg'] - r['select direct']:+.2f} | {r['entity SELECT direct']:.2f}"
              f" | {r['entity page via kg']:.2f} | "
              f"{r['entity page via kg'] - r['entity SELECT direct']:+.2f}")
    print("\nWhere a forwarded SELECT's time goes, in one process (median ms): the engine on a"
          " kept-alive connection (http.client), the same through httpx, kg's pool "
          "(RemoteEndpoint.query), the whole task (guard, LIMIT, checks), the entity task")
    print("engine | http.client | httpx | pool query | query task | entity task")
    for name, url in engines.items():
        print(f"{name} | " + " | ".join(f"{v:.3f}" for v in breakdown(url, n).values()))
    print("\ncase | " + " | ".join(servers) + " (median ms)")
    for case, row in results.items():
        print(case + " | " + " | ".join(f"{v:.2f}" for v in row.values()))
    if out:
        out.write_text(json.dumps({"overhead": overhead, "cases": results}, indent=1))


def breakdown(url: str, n: int) -> dict[str, float]:
    """The layers of a forwarded SELECT timed one by one in this process."""
    from kg.engine.backend import RemoteBackend
    from kg.engine.tasks import handle
    from kg.remote.connections import Pool

    limited = limiter(SPARQL, settings.DEFAULT_ROW_CAP)
    sent = limited(settings.DEFAULT_ROW_CAP + 1) if limited else SPARQL
    form = urlencode({"query": sent}).encode()
    headers = {**JSON, "Content-Type": "application/x-www-form-urlencoded"}
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or HOST, parts.port)
    backend = RemoteBackend(url, client=Pool(url))
    args = {"text": SPARQL, "format": JSON["Accept"]}
    entity = {"iri": ENTITY, "format": "text/turtle"}

    def raw() -> None:
        conn.request("POST", parts.path, form, headers)
        conn.getresponse().read()

    with httpx.Client() as client:
        steps = {
            "http.client": raw,
            "httpx": lambda: client.post(url, content=form, headers=headers).read(),
            "pool": lambda: backend.query(sent),
            "task": lambda: handle("query", backend, args, None),
            "entity": lambda: handle("describe", backend, entity, None),
        }
        assert handle("query", backend, args, None).ok
        assert handle("describe", backend, entity, None).ok
        return {name: timed_ms(step, n) for name, step in steps.items()}


def timed_ms(step: Callable[[], object], n: int) -> float:
    for _ in range(5):
        step()
    times = []
    for _ in range(n):
        t = time.perf_counter()
        step()
        times.append(time.perf_counter() - t)
    return 1000 * statistics.median(times)


# -- push ---------------------------------------------------------------------------------

def count(sparql_url: str, graph: str) -> int:
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    r = httpx.get(sparql_url, params={"query": query}, headers=JSON, timeout=600)
    r.raise_for_status()
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def graphs(sparql_url: str) -> set[str]:
    r = httpx.get(sparql_url, params={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"},
                  headers=JSON, timeout=600)
    r.raise_for_status()
    return {b["g"]["value"] for b in r.json()["results"]["bindings"]}


# `kg push` with kg.settings.PUSH_SENDERS and PUSH_SOURCE_FILES set first (argv: senders,
# "files" or "store", then kg's arguments)
KG_PUSH = ("import sys; from kg import settings; settings.PUSH_SENDERS = int(sys.argv[1]); "
           "settings.PUSH_SOURCE_FILES = sys.argv[2] == 'files'; "
           "from kg.cli import main; sys.exit(main(sys.argv[3:]))")


def timed_push(location: Path, gsp: str, chunk_mb: float, senders: int,
               reads: str = "files") -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB, sampled every 20 ms) of `kg push` of ``location``'s
    current build, its source file's graph read from that file or from the store."""
    cmd = [sys.executable, "-c", KG_PUSH, str(senders), reads, "push", "--location",
           str(location), gsp, "--timeout", "600",
           "--chunk-bytes", str(int(chunk_mb * 1_000_000))]
    env = {**os.environ, "KG_PUSH_USER": "dba", "KG_PUSH_PASSWORD": "dba",
           "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    began = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, rss_tree(proc.pid))
        time.sleep(0.02)
    if proc.returncode:
        raise SystemExit(f"push failed ({proc.returncode})")
    return time.perf_counter() - began, peak / 2**20


def build_location(folder: Path, data: Path, build_id: str) -> int:
    """A location whose current build holds ``data`` as SYNTH_GRAPH, its store compacted
    and the file recorded as its source, as `kg build` leaves them; the number of
    triples."""
    build_dir = folder / "builds" / build_id
    build_dir.mkdir(parents=True)
    store = Store(str(build_dir / "store"))
    store.bulk_load(path=str(data), format=RdfFormat.N_TRIPLES, to_graph=NamedNode(SYNTH_GRAPH))
    store.optimize()
    store.flush()
    n = len(store)
    del store
    source = {"path": str(data.resolve()), "graph": SYNTH_GRAPH, "sha256": file_sha256(data),
              "triples": n, "curated": False}
    (build_dir / "build.json").write_text(json.dumps(
        {"triples": n, "sources": [source], "graphs": {SYNTH_GRAPH: n}}), "utf-8")
    (folder / "current").symlink_to(Path("builds") / build_id)
    return n


def loadavg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def push_bench(triples: int, out: Path | None, rounds: int,
               variants: list[tuple[float, int, str]], again: bool) -> None:
    """Each contender on a fresh Virtuoso of its own, one after the other, the order of the
    contenders turned round each round; every load counted before its time is kept."""
    from bench_build import synth  # bench/out/synth-N.nt, made once
    data = synth(triples)
    # contender -> (seconds, client peak MiB, Virtuoso CPU s, client CPU s) of each run
    results: dict[str, list[tuple[float, float, float, float]]] = {"bulk loader": []}
    with tempfile.TemporaryDirectory(prefix="kg-bench-push-") as tmp_name:
        tmp = Path(tmp_name)
        n = build_location(tmp / "kg", data, "bench-1")
        tiny = tmp / "tiny.nq"
        tiny.write_text('<http://example.org/s> <http://example.org/p> "1" <http://example.org/g> .\n')
        print(f"{n:,} triples ({data.stat().st_size / 2**20:.0f} MiB of N-Triples)")
        contenders: list[tuple[str, float, int, str]] = [("bulk loader", 0, 0, "")]
        contenders += [(f"kg push, {mb:g} MB chunks x{k}, from the {'store' if reads == 'store' else 'source file'}", mb, k, reads)
                       for mb, k, reads in variants]
        for round_ in range(rounds):
            order = contenders if round_ % 2 == 0 else contenders[::-1]
            for name, mb, k, reads in order:
                with _engines.virtuoso(tiny, settings=BENCH_VIRTUOSO) as engine:
                    before, server = loadavg(), cpu_of(engine)
                    client = children_cpu()
                    if name == "bulk loader":
                        took, peak = bulk(engine, data), 0.0
                    else:
                        gsp = engine.url.removesuffix("/sparql") + "/sparql-graph-crud-auth"
                        took, peak = timed_push(tmp / "kg", gsp, mb, k, reads)
                    client, server = children_cpu() - client, cpu_of(engine) - server
                    assert count(engine.url, SYNTH_GRAPH) == n, f"{name}: not every triple"
                    print(f"round {round_ + 1}: {name}: {took:.1f} s, peak {peak:.0f} MiB, "
                          f"CPU: Virtuoso {server:.1f} s, client {client:.1f} s "
                          f"(load {before} -> {loadavg()})", flush=True)
                    results.setdefault(name, []).append((took, peak, server, client))
                    if again and name != "bulk loader" and round_ == 0:
                        server, client = cpu_of(engine), children_cpu()
                        took, peak = timed_push(tmp / "kg", gsp, mb, k, reads)
                        server, client = cpu_of(engine) - server, children_cpu() - client
                        ours = {g for g in graphs(engine.url) if g.startswith(GRAPH_BASE)}
                        assert ours == {SYNTH_GRAPH} and count(engine.url, SYNTH_GRAPH) == n
                        results.setdefault(f"{name}, again", []).append(
                            (took, peak, server, client))
    bulk_s = statistics.median(r[0] for r in results["bulk loader"])
    print("\ncontender | seconds, each round | median | x bulk loader | client peak MiB | "
          "CPU s, median: Virtuoso + client")
    for name, runs in results.items():
        median = statistics.median(r[0] for r in runs)
        server, client = (statistics.median(r[i] for r in runs) for i in (2, 3))
        print(f"{name} | {', '.join(f'{r[0]:.1f}' for r in runs)} | {median:.1f} | "
              f"x{median / bulk_s:.2f} | {max(r[1] for r in runs):.0f} | "
              f"{server:.1f} + {client:.1f}")
    if out:
        out.write_text(json.dumps({"triples": n, "results": results}, indent=1))


def cpu_of(engine: _engines.Engine) -> float:
    """CPU seconds (user + system) the engine's server process has used so far."""
    ini = str(engine.folder)
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and ini in (proc / "cmdline").read_text("utf-8", "replace"):
                fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
                return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except OSError:
            continue
    return float("nan")


def children_cpu() -> float:
    """CPU seconds used by this process's finished children (the push, isql-vt)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def bulk(engine: _engines.Engine, data: Path) -> float:
    """Virtuoso's own bulk loader (ld_dir + rdf_loader_run) on the N-Triples file."""
    assert engine.folder is not None
    folder = engine.folder / "bulk"
    folder.mkdir()
    shutil.copy(data, folder / data.name)
    began = time.perf_counter()
    _engines.isql(engine.sql_port, f"ld_dir('{folder}', '{data.name}', '{SYNTH_GRAPH}'); "
                                   "rdf_loader_run();", timeout=3600)
    return time.perf_counter() - began


if __name__ == "__main__":
    main()
