"""Fair under abuse: the packaged-question mix beside runaway queries and slow connections.

    python bench/bench_fairness.py [--seconds 10] [--connections 8] [--runaway-timeout 5]
                                   [--location var/kg] [--json out.json]

The mix: every packaged question that answers 200 offline, with its default or example
parameters, at ``/queries/NAME?…`` (as bench/bench_answers.py's ``/queries`` contenders),
cycled by wrk (1 thread, ``--connections`` connections, ``bench/server_mix.lua``; a
question not answered within 2 s is an error, as a failed one is). `kg serve` runs with 2 workers and
``--no-cache``: every answer needs a worker, as a fresh question does.

Scenarios, each measured for ``--seconds`` while the abuse goes on:

- baseline: the mix alone;
- 2 and 4 runaways: that many clients each sending the four-way cartesian COUNT to
  ``/sparql`` (``timeout=--runaway-timeout``), sending it again as soon as it is stopped;
- 200 slow connections: sockets sending a request head a byte at a time, each reopened
  as soon as the server closes it.

Contenders, all in the same sitting, one server each (the same code, its knobs):

- **fair** (the defaults): 1 of the 2 workers reserved for packaged work, up to 2 long
  queries moved out of the pool, request heads within 10 s; and the same with 1 and with 4
  long queries;
- **reserved only** (``--long-queries 0``) and **long queries only**
  (``--reserved-workers 0``): each mechanism alone;
- **off** (``--reserved-workers 0 --long-queries 0 --header-timeout 1e9``): the server as it
  was before them.

Each contender runs ``--rounds`` times, interleaved (the contenders' order rotated each
round), its baseline right before its scenarios, so that a busy moment of a shared machine
falls on all of them and each ratio compares figures taken a minute apart; the table gives
medians (and ranges) over the rounds. Prints the machine, its load average and the versions, then: p50, p99,
requests per second, errors (non-2xx, socket errors, answers slower than 2 s) and the p99 as
a ratio of the same contender's baseline. Goal: 0 errors and p99 within 2x of the baseline in
every scenario.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import selectors
import socket
import statistics
import subprocess
import sys
import threading
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the servers' start-up is shared with the tests

from _server import HOST, stop  # noqa: E402
from kg import __version__  # noqa: E402
from kg.catalogue import Catalogue  # noqa: E402
from serving import (  # noqa: E402
    LUA,
    keep_working,
    kg_serve,
    server_args,
    workspace,
    wrk_field,
    wrk_ms,
)

RUNAWAY = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
CONTENDERS = {
    "fair (defaults)": [],
    "fair, 1 long query": ["--long-queries", "1"],
    "fair, 4 long queries": ["--long-queries", "4"],
    "reserved only": ["--long-queries", "0"],
    "long queries only": ["--reserved-workers", "0"],
    "off (as before)": ["--reserved-workers", "0", "--long-queries", "0",
                        "--header-timeout", "1e9"],
}
TIMEOUT_S = 2  # a question not answered within this long counts as an error (wrk's timeout)
SCENARIOS = ["baseline", "2 runaways", "4 runaways", "200 slow connections"]


def mix() -> list[str]:
    """/queries/NAME?… for every packaged question, with its example or default values (as
    bench/bench_answers.py's /queries requests)."""
    out = []
    for name in Catalogue.load().names():
        query = Catalogue.load().get(name)
        raw = {p.name: p.example or p.default for p in query.params if p.example or p.default}
        params = "&".join(f"{k}={quote(v or '')}" for k, v in raw.items())
        out.append(f"/queries/{name}" + (f"?{params}" if params else ""))
    return out


# -- the abuse ----------------------------------------------------------------------------


class Runaways:
    """``n`` clients sending the runaway query to /sparql again and again."""

    def __init__(self, base: str, n: int, timeout_s: float) -> None:
        self.stop = threading.Event()
        self.statuses: list[int] = []
        self.threads = [threading.Thread(target=self._loop, args=(base, timeout_s))
                        for _ in range(n)]

    def _loop(self, base: str, timeout_s: float) -> None:
        with httpx.Client(base_url=base, timeout=timeout_s + 60) as client:
            while not self.stop.is_set():
                try:
                    r = client.get("/sparql", params={"query": RUNAWAY,
                                                      "timeout": f"{timeout_s:g}"})
                    self.statuses.append(r.status_code)
                except httpx.HTTPError:
                    self.statuses.append(0)

    def __enter__(self) -> Runaways:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join()


class SlowConnections:
    """``n`` sockets each sending a request head a byte at a time (a few bytes a second),
    reopened as soon as the server closes one."""

    HEAD = b"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 100_000

    def __init__(self, port: int, n: int) -> None:
        self.port, self.n = port, n
        self.stop = threading.Event()
        self.closed_by_server = 0
        self.thread = threading.Thread(target=self._loop)

    def _loop(self) -> None:
        selector = selectors.DefaultSelector()
        sent: dict[socket.socket, int] = {}

        def open_one() -> None:
            sock = socket.create_connection((HOST, self.port))
            sock.setblocking(False)
            selector.register(sock, selectors.EVENT_READ)
            sent[sock] = 0

        def close(sock: socket.socket) -> None:
            selector.unregister(sock)
            del sent[sock]
            sock.close()

        for _ in range(self.n):
            open_one()
        while not self.stop.is_set():
            for sock, done in list(sent.items()):
                with contextlib.suppress(OSError):
                    sock.send(self.HEAD[done:done + 1])
                    sent[sock] = done + 1
            for key, _ in selector.select(timeout=0.3):
                sock: Any = key.fileobj
                try:
                    data = sock.recv(4096)
                except OSError:
                    data = b""
                if not data or data.startswith(b"HTTP/"):
                    self.closed_by_server += 1
                    close(sock)
                    open_one()
        for sock in list(sent):
            close(sock)
        selector.close()

    def __enter__(self) -> SlowConnections:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        self.thread.join()


# -- measuring ------------------------------------------------------------------------------


def wrk(base: str, listing: Path, seconds: int, connections: int) -> dict[str, float]:
    """The mix for ``seconds``: p50/p99 (ms), req/s, errors (non-2xx, socket errors and
    answers slower than :data:`TIMEOUT_S`)."""
    cmd = ["/usr/bin/wrk", "-t", "1", "-c", str(connections), "-d", f"{seconds}s",
           "--timeout", f"{TIMEOUT_S}s", "--latency", "-s", str(LUA), base, "--", str(listing)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                        out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    answered = int(wrk_field(r"(\d+) requests in", out))
    nothing = float("inf")  # no question answered at all: no latency to give
    return {"p50_ms": wrk_ms(wrk_field(r"50%\s+([\d.]+\w+)", out)) if answered else nothing,
            "p99_ms": wrk_ms(wrk_field(r"99%\s+([\d.]+\w+)", out)) if answered else nothing,
            "rps": float(wrk_field(r"Requests/sec:\s+([\d.]+)", out)),
            "errors": (int(non2xx.group(1)) if non2xx else 0)
            + (sum(int(g) for g in sockets.groups()) if sockets else 0)}


def scenario(name: str, base: str, port: int, listing: Path, args: argparse.Namespace
             ) -> dict[str, Any]:
    """One scenario on one server: the abuse starts, settles for two seconds, wrk runs."""
    abuse: contextlib.AbstractContextManager[Any] = contextlib.nullcontext()
    if name.endswith("runaways"):
        abuse = Runaways(base, int(name.split()[0]), args.runaway_timeout)
    elif name.endswith("slow connections"):
        abuse = SlowConnections(port, int(name.split()[0]))
    load = os.getloadavg()[0]
    with abuse as running:
        time.sleep(2.0 if running else 0.5)
        figures: dict[str, Any] = wrk(base, listing, args.seconds, args.connections)
    figures["load"] = load
    if isinstance(running, Runaways):
        figures["runaway_answers"] = {str(s): running.statuses.count(s)
                                      for s in sorted(set(running.statuses))}
    if isinstance(running, SlowConnections):
        figures["slow_closed_by_server"] = running.closed_by_server
    return figures


def machine() -> str:
    cpu = "?"
    with contextlib.suppress(OSError):
        names = [line.split(":", 1)[1].strip() for line in
                 Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")]
        cpu = names[0] if names else "?"
    wrk_version = subprocess.run(["/usr/bin/wrk", "--version"], capture_output=True,
                                 text=True).stdout.split()[1]
    versions = ", ".join(f"{p} {version(p)}" for p in ("pyoxigraph", "uvicorn", "starlette",
                                                      "httptools"))
    return (f"{platform.machine()}, {os.cpu_count()} cores ({cpu}), {platform.system()} "
            f"{platform.release()}; Python {platform.python_version()}, kg {__version__}, "
            f"{versions}, wrk {wrk_version}")


def main() -> None:
    ap = server_args(__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3,
                    help="each contender and scenario this many times, interleaved (medians)")
    ap.add_argument("--runaway-timeout", type=float, default=5.0)
    ap.add_argument("--contender", action="append", choices=list(CONTENDERS), default=None)
    args = ap.parse_args()
    work, location = workspace("bench-fairness-", args.location)
    contenders = args.contender or list(CONTENDERS)
    servers = {c: kg_serve(location, work, "--workers", "2", "--no-cache", *CONTENDERS[c])
               for c in contenders}
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    load_before = os.getloadavg()
    runs: dict[str, dict[str, list[dict[str, Any]]]] = {c: {n: [] for n in SCENARIOS}
                                                         for c in contenders}
    listing = work / "paths.txt"
    try:
        first = servers[contenders[0]][1]
        listing.write_text("\n".join(keep_working(first, mix())) + "\n")
        for round_ in range(args.rounds):
            for i in range(len(contenders)):  # the contenders' order rotated each round
                contender = contenders[(i + round_) % len(contenders)]
                base = servers[contender][1]
                port = int(base.rsplit(":", 1)[1])
                for name in SCENARIOS:  # a baseline right before its scenarios
                    figures = scenario(name, base, port, listing, args)
                    runs[contender][name].append(figures)
                    print(f"round {round_ + 1}: {contender} / {name}: {figures}",
                          file=sys.stderr)
    finally:
        for proc, _ in servers.values():
            stop(proc)
    report(runs, started, load_before, len(listing.read_text().split()), args)
    if args.json:
        args.json.write_text(json.dumps(runs, indent=2))


def report(runs: dict[str, dict[str, list[dict[str, Any]]]], started: str,
           load_before: tuple[float, float, float], questions: int,
           args: argparse.Namespace) -> None:
    load_after = os.getloadavg()
    print(f"Measured {started} on {machine()}.")
    print(f"Load average (1/5/15 min) {'/'.join(f'{x:.2f}' for x in load_before)} before, "
          f"{'/'.join(f'{x:.2f}' for x in load_after)} after; {questions} packaged questions "
          f"in the mix, {args.connections} connections, {args.rounds} rounds of {args.seconds} s "
          f"per contender and scenario, interleaved (medians; ranges in brackets; p99 ÷ "
          f"baseline: the round's own baseline, run just before); runaways "
          f"stopped at {args.runaway_timeout:g} s and sent again.\n")
    print("| contender | scenario | p50 ms | p99 ms | req/s | errors | p99 ÷ baseline | "
          "load (1 min) |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for contender, rows in runs.items():
        bases = [r["p99_ms"] for r in rows["baseline"]]
        for name, rs in rows.items():
            p99s = [r["p99_ms"] for r in rs]
            ratios = [p / b for p, b in zip(p99s, bases, strict=True)]  # round by round
            print(f"| {contender} | {name} | {median([r['p50_ms'] for r in rs]):.1f} | "
                  f"{median(p99s):.1f} [{min(p99s):.0f}–{max(p99s):.0f}] | "
                  f"{median([r['rps'] for r in rs]):.0f} | {sum(r['errors'] for r in rs)} | "
                  f"{median(ratios):.2f}× [{min(ratios):.2f}–{max(ratios):.2f}] | "
                  f"{median([r['load'] for r in rs]):.2f} |")
    print()
    for contender, rows in runs.items():
        answers: dict[str, int] = {}
        closed = 0
        for rs in rows.values():
            for r in rs:
                for status, n in r.get("runaway_answers", {}).items():
                    answers[status] = answers.get(status, 0) + n
                closed += r.get("slow_closed_by_server", 0)
        print(f"- {contender}: runaways answered {answers}; {closed} slow connections closed "
              "by the server")


def median(values: list[float]) -> float:
    return statistics.median(values)


if __name__ == "__main__":
    main()
