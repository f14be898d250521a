"""Where an answer's time goes without the cache: the server process and a query worker.

1. The server process: `kg serve --no-cache` on the curated build runs under cProfile
   with a CPU-time clock while wrk sends one query (``--query``, by default the join of
   bench/bench_answers.py) to /sparql; the CPU time of chosen functions (cumulative:
   nested ones are inside their callers) is given per request.
2. A query worker's part, in this process: the worker's whole job (``run_job``: guard,
   row cap, pyoxigraph, serialisation) against pyoxigraph alone on the same text (query,
   and query plus SPARQL JSON), per request, CPU time.

    python bench/profile_answers.py [--seconds 8] [--location BUILT]

cProfile slows Python code down (about 2x here), not pyoxigraph: read the server part as
shares of its total.
"""

from __future__ import annotations

import os
import pstats
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pyoxigraph import QueryResultsFormat

from bench_answers import ACCEPT, JOIN
from kg.engine.job import Job
from kg.engine.worker import WorkerState, run_job
from kg.store import Location
from serving import HOST, LUA, cpu, free_port, start, tree, workspace

# (label, file suffix, function name): cumulative CPU time per request
WATCHED = [
    ("whole request (uvicorn's ASGI call)", "httptools_impl.py", "run_asgi"),
    ("uvicorn: reading the request", "httptools_impl.py", "data_received"),
    ("uvicorn: writing the response", "httptools_impl.py", "send"),
    ("middleware: gzip (identity)", "gzip.py", "send_with_compression"),
    ("middleware: UTF-8 URL check", "app.py", "utf8_url"),
    ("middleware: build pinned (readlink)", "app.py", "pin_build"),
    ("handler /sparql (all below)", "protocol.py", "query"),
    ("  protocol parameters", "protocol.py", "_params"),
    ("  the guard (kg.sparql.guard)", "run.py", "guard"),
    ("  format negotiated", "protocol.py", "_media_type"),
    ("  base IRI", "protocol.py", "base_iri"),
    ("  JSON-LD context URL", "protocol.py", "_context"),
    ("  serve_read (ETag, engine)", "respond.py", "serve_read"),
    ("    pool: a worker, the pipe, the reply", "pool.py", "run"),
    ("      pipe: send the job", "connection.py", "send"),
    ("      pipe: receive the reply", "connection.py", "recv"),
    ("      long-query watch (/proc)", "pool.py", "__init__"),
    ("  response object", "responses.py", "__init__"),
]

RUNNER = """import cProfile, sys, time
from kg.cli import main
prof = cProfile.Profile(time.process_time)
prof.enable()
try:
    main(sys.argv[2:])
except (SystemExit, KeyboardInterrupt):
    pass
finally:
    prof.disable()
    prof.dump_stats(sys.argv[1])
"""


def server_profile(location: Path, work: Path, query: str, seconds: int) -> None:
    port = free_port()
    base = f"http://{HOST}:{port}"
    out = work / "server.prof"
    runner = work / "runner.py"
    runner.write_text(RUNNER, "utf-8")
    src = Path(__file__).resolve().parent.parent / "src"
    proc = start([sys.executable, str(runner), str(out), "serve", "--location", str(location),
                  "--bind", f"{HOST}:{port}", "--no-cache"], base + "/health",
                 work / "serve.log", env={"PYTHONPATH": str(src)}, timeout=60)
    paths = work / "paths.txt"
    paths.write_text(f"/sparql?query={quote(query)}\n", "utf-8")
    pids = tree(proc.pid)
    before = cpu(pids)
    done = subprocess.run(["/usr/bin/wrk", "-t1", "-c8", f"-d{seconds}s", "-s", str(LUA), base,
                           "--", str(paths)], capture_output=True, text=True, check=True).stdout
    after = cpu(pids)
    proc.send_signal(signal.SIGINT)
    proc.wait(30)
    requests = int(done.split(" requests in ")[0].split()[-1])
    server = after[proc.pid] - before[proc.pid]
    workers = sum(after.get(p, 0) - before.get(p, 0) for p in pids if p != proc.pid)
    print(f"{requests} requests; CPU per request (profiled): server {server / requests * 1e3:.3f}"
          f" ms, workers {workers / requests * 1e3:.3f} ms\n")
    stats = pstats.Stats(str(out))
    table = stats.stats  # type: ignore[attr-defined]
    print("| server process (cProfile, CPU clock) | ms per request | share |")
    print("|---|---:|---:|")
    whole = None
    for label, suffix, name in WATCHED:
        cum = sum(v[3] for (file, _line, func), v in table.items()
                  if file.endswith(suffix) and func == name)
        whole = whole or cum
        print(f"| {label} | {cum / requests * 1e3:.3f} | {cum / whole:.0%} |")


def worker_profile(location: Path, query: str, n: int = 2000) -> None:
    build = Location(location).require_current()
    args = {"text": query, "default_graphs": [], "named_graphs": [],
            "base_iri": "http://127.0.0.1/sparql", "row_cap": 10000,
            "context": "http://127.0.0.1/context.jsonld", "format": ACCEPT["Accept"]}
    state = WorkerState(None, False)
    job = Job("query", str(build.path), 0, args)
    run_job(state, job)
    store = state.store
    assert store is not None

    def per(fn: object) -> float:
        started = time.process_time()
        for _ in range(n):
            fn()  # type: ignore[operator]
        return (time.process_time() - started) / n * 1e3

    whole = per(lambda: run_job(state, job))
    alone = per(lambda: list(store.query(query, use_default_graph_as_union=True)))
    json_ = per(lambda: store.query(query, use_default_graph_as_union=True).serialize(
        format=QueryResultsFormat.JSON))
    print("\n| query worker (in process, CPU) | ms per request |\n|---|---:|")
    print(f"| run_job: the whole job | {whole:.3f} |")
    print(f"| pyoxigraph: query, rows read | {alone:.3f} |")
    print(f"| pyoxigraph: query and SPARQL JSON | {json_:.3f} |")


def main() -> None:
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=int, default=8)
    ap.add_argument("--location", type=Path, default=None)
    ap.add_argument("--query", default=JOIN)
    args = ap.parse_args()
    work, location = workspace("profile-answers-", args.location)
    print(f"load {' '.join(f'{x:.2f}' for x in os.getloadavg())}, {os.cpu_count()} cores")
    server_profile(location, Path(tempfile.mkdtemp(dir=work)), args.query, args.seconds)
    worker_profile(location, args.query)


if __name__ == "__main__":
    main()
