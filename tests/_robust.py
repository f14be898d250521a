"""Load and fault scenarios against the real `kg serve`, shared by the CI tests
(tests/test_robust_load.py, small and bounded) and the soak (bench/soak.py, full size).

Every scenario talks to a server on 127.0.0.1 only and returns its figures as a
dataclass, so the tests assert on them and the soak writes them down.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from kg import settings
from kg.catalogue import Catalogue
from kg.store import MANIFEST, Build, Location

GRAPH_BUILD = "https://w3id.org/future-industries/graph/build"
BUILD_ID = f"""SELECT ?id WHERE {{ GRAPH <{GRAPH_BUILD}> {{
  ?b a <http://www.w3.org/ns/prov#Activity> ; <http://purl.org/dc/terms/identifier> ?id }} }}"""
# Seven-way cartesian product of every triple, counted: CPU only, never finishes.
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { " + " ".join(
    f"?s{i} ?p{i} ?o{i} ." for i in range(7)) + " }"
# Every pair of triples, sorted: the sort needs all of them in memory first.
MEMORY_RUNAWAY = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f"
# Every pair of triples, as rows: streams, so the row cap ends it.
MANY_ROWS = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"
CSV = {"Accept": "text/csv"}


def rss_tree(pid: int) -> int:
    """Resident memory of a process and all its descendants, in bytes (Linux /proc)."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            with open(f"/proc/{current}/statm", "rb") as fh:
                total += int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as fh:
                    todo += [int(c) for c in fh.read().split()]
        except (OSError, ValueError):
            continue
    return total


class PeakRss:
    """Samples :func:`rss_tree` every 50 ms in a thread while in use; ``.peak`` after."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self._stop = pid, 0, threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_tree(self.pid))
            time.sleep(0.05)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) of some values, by the nearest-rank rule."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))]


# -- many clients while builds switch ----------------------------------------------------


@dataclass
class LoadFigures:
    """What a load run saw: counts, latencies, which builds answered, what went wrong."""

    clients: int
    seconds: float
    requests: int = 0
    errors: list[str] = field(default_factory=list)
    mixed: list[str] = field(default_factory=list)  # header and body named different builds
    builds: Counter[str] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    rebuilds: list[str] = field(default_factory=list)  # ids of the builds published meanwhile

    @property
    def p50_ms(self) -> float:
        return 1000 * statistics.median(self.latencies)

    @property
    def p99_ms(self) -> float:
        return 1000 * percentile(self.latencies, 99)


def _requests(n: int) -> tuple[str, dict[str, str], bool]:
    """The n-th request of a client's mix: (path, params, answers with the build id)."""
    kind = n % 5
    if kind == 0:
        return "/sparql", {"query": BUILD_ID}, True  # cached per build
    if kind == 1:  # a new text each time: a worker must run it
        return "/sparql", {"query": BUILD_ID.replace("?id WHERE", f"?id ({n} AS ?k) WHERE")}, True
    if kind == 2:
        return "/queries/region-sectors", {"region": "beijing"}, False
    if kind == 3:
        return "/id/region/beijing", {"format": "ttl"}, False
    return "/sparql", {"query": f"ASK {{ ?s ?p {n} }}"}, False


def _check(r: httpx.Response, with_id: bool, figures: LoadFigures) -> None:
    header = r.headers.get("x-kg-build", "")
    if r.status_code != 200 or not header:
        figures.errors.append(f"{r.status_code} {r.request.url.path}: {r.text[:200]}")
        return
    figures.builds[header] += 1
    if with_id:
        body = _first_cell(r.text)
        if body != header:
            figures.mixed.append(f"header {header} body {body}")


def _first_cell(csv: str) -> str:
    """The first value of the first row of a CSV answer ("" when there is none)."""
    lines = csv.split()
    return lines[1].split(",")[0] if len(lines) > 1 else ""


async def _client(
    http: httpx.AsyncClient, seed: int, stop: list[float], figures: LoadFigures
) -> None:
    loop, n = asyncio.get_running_loop(), seed * 1_000_003
    while loop.time() < stop[0]:
        path, params, with_id = _requests(n)
        n += 1
        start = time.perf_counter()
        try:
            r = await http.get(path, params=params, headers=CSV if with_id else None)
        except httpx.HTTPError as exc:
            figures.errors.append(f"{type(exc).__name__} {path}: {exc}")
            continue
        figures.latencies.append(time.perf_counter() - start)
        figures.requests += 1
        _check(r, with_id, figures)


async def _rebuilds(
    location: Path, stop: list[float], every: float, figures: LoadFigures
) -> None:
    """`kg build` in a subprocess at a quarter of the run, then every ``every`` seconds.

    The clients go on while a build runs and for a second after it is published, so a
    slow machine cannot end the run before the switch is seen (``stop`` is shared).
    """
    loop = asyncio.get_running_loop()
    end, wait = stop[0], (stop[0] - loop.time()) / 4
    while loop.time() + wait < end:
        await asyncio.sleep(wait)
        stop[0] = float("inf")
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "kg", "build", "--force", "--location", str(location),
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
        _, err = await proc.communicate()
        stop[0] = max(end, loop.time() + 1.0)
        if proc.returncode != 0:
            figures.errors.append(f"kg build failed ({proc.returncode}): {err.decode()[-500:]}")
            return
        figures.rebuilds.append(Location(location).require_current().id)
        wait = every


def load(url: str, location: Path, clients: int, seconds: float,
         rebuild_every: float = 10.0) -> LoadFigures:
    """``clients`` concurrent clients for ``seconds`` while `kg build` publishes new builds."""
    figures = LoadFigures(clients, seconds)

    async def run() -> None:
        # a client keeps an idle connection for less time than the server does (settings.
        # KEEP_ALIVE_S): at the same age, a request sent on a connection the server was
        # closing at that moment failed with "Server disconnected without sending a
        # response" (seen once in a loaded CI run, when the server's limit was httpx's 5 s)
        limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients,
                              keepalive_expiry=settings.KEEP_ALIVE_S / 2)
        async with httpx.AsyncClient(base_url=url, timeout=60.0, limits=limits) as http:
            stop = [asyncio.get_running_loop().time() + seconds]
            await asyncio.gather(_rebuilds(location, stop, rebuild_every, figures),
                                 *(_client(http, i, stop, figures) for i in range(clients)))

    asyncio.run(run())
    return figures


# -- a runaway query beside short ones ---------------------------------------------------


@dataclass
class RunawayFigures:
    """Short-query latencies without and with a runaway query; how the runaway ended."""

    timeout_s: float
    unloaded: list[float] = field(default_factory=list)
    loaded: list[float] = field(default_factory=list)
    runaway_status: int = 0
    runaway_s: float = 0.0
    runaway_text: str = ""
    rss_before: int = 0
    rss_peak: int = 0

    def p(self, which: str, q: float) -> float:
        return 1000 * percentile(getattr(self, which), q)


def short_queries() -> list[str]:
    """The packaged questions' SPARQL (the federated ones aside): what people ask."""
    cat = Catalogue.load()
    return [cat.get(n).text for n in cat.names() if not cat.get(n).federated]


def _short(client: httpx.Client, n: int, out: list[float], until: Callable[[], bool]) -> None:
    """The packaged questions one after another, each made new by a comment (so the cache
    cannot answer), until told to stop."""
    texts = short_queries()
    for i in range(n):
        if until():
            return
        query = f"{texts[i % len(texts)]}\n# {time.time_ns()}"
        start = time.perf_counter()
        r = client.get("/sparql", params={"query": query})
        out.append(time.perf_counter() - start)
        r.raise_for_status()


def runaway(url: str, pid: int, timeout_s: float, samples: int) -> RunawayFigures:
    """Short-query latencies, then again while a cartesian product runs to its time limit."""
    figures = RunawayFigures(timeout_s, rss_before=rss_tree(pid))
    with httpx.Client(base_url=url, timeout=120.0) as client:
        _short(client, samples // 2, figures.unloaded, lambda: False)
        done = threading.Event()

        def run_away() -> None:
            with httpx.Client(base_url=url, timeout=120.0) as own:
                start = time.perf_counter()
                r = own.get("/sparql", params={"query": RUNAWAY, "timeout": str(timeout_s)})
                figures.runaway_s = time.perf_counter() - start
                figures.runaway_status, figures.runaway_text = r.status_code, r.text
            done.set()

        with PeakRss(pid) as peak:
            thread = threading.Thread(target=run_away)
            thread.start()
            time.sleep(min(1.5, timeout_s / 4))  # past NICE_AFTER_S: the worker is reniced
            _short(client, samples, figures.loaded, done.is_set)
            thread.join()
        figures.rss_peak = peak.peak
        _short(client, samples - samples // 2, figures.unloaded, lambda: False)
    return figures


# -- queries that would grow without bound ----------------------------------------------


@dataclass
class MemoryFigures:
    """A sort of every pair of triples (stopped at its allowance) and a listing of them
    (cut at the row cap): statuses and the server's memory, all its processes."""

    sort_status: int = 0
    sort_text: str = ""
    rows: int = 0
    truncated: bool = False
    rss_before: int = 0
    rss_peak: int = 0
    rss_after: int = 0
    workers_after: int = 0


def memory(url: str, pid: int) -> MemoryFigures:
    """Run :data:`MEMORY_RUNAWAY` and :data:`MANY_ROWS`, sampling the server's memory."""
    figures = MemoryFigures(rss_before=rss_tree(pid))
    with httpx.Client(base_url=url, timeout=120.0) as client:
        with PeakRss(pid) as peak:
            sort = client.get("/sparql", params={"query": MEMORY_RUNAWAY})
            rows = client.get("/sparql", params={"query": MANY_ROWS})
        figures.rss_peak = peak.peak
        figures.sort_status, figures.sort_text = sort.status_code, sort.text
        figures.truncated = rows.headers.get("x-kg-truncated") == "true"
        figures.rows = len(rows.json()["results"]["bindings"]) if rows.status_code == 200 else 0
        deadline = time.monotonic() + 30  # the stopped worker is replaced in the background
        while time.monotonic() < deadline:
            figures.workers_after = client.get("/health").json()["workers"]
            if figures.workers_after >= 2:
                break
            time.sleep(0.2)
    figures.rss_after = rss_tree(pid)
    return figures


# -- `kg build` killed at random points --------------------------------------------------


@dataclass
class KillFigures:
    """Kill trials: where each kill landed, what the server answered meanwhile."""

    trials: int
    build_s: float = 0.0  # a whole `kg build` (start-up included), timed before the trials
    kills: list[tuple[float, str]] = field(default_factory=list)  # (delay s, last step seen)
    published_first: int = 0  # killed after switching `current`: whole, and current
    broken: list[str] = field(default_factory=list)  # current not a whole build after a kill
    finished_first: int = 0  # builds that completed before their kill
    requests: int = 0
    errors: list[str] = field(default_factory=list)
    served: Counter[str] = field(default_factory=Counter)
    after: str = ""  # the build the final, unkilled `kg build` published


STEPS = ("parse", "validate", "reason", "record", "write")  # what `kg build` prints


def _kill_one(location: Path, delay: float, after: str | None) -> tuple[bool, str]:
    """Start `kg build`, SIGKILL it ``delay`` s after it started (or after it printed the
    step ``after``); (killed, the last step it printed)."""
    proc = subprocess.Popen([sys.executable, "-m", "kg", "build", "--force", "--location",
                             str(location)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    steps: list[str] = []
    reached = threading.Event()

    def read() -> None:
        for line in proc.stderr or []:
            steps.append(line)
            if after and line.strip() == f"kg: {after}":
                reached.set()
        reached.set()  # the build ended first

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    if after:
        reached.wait(120)
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait(60)
    reader.join(5)
    last = next((s[4:].split()[0] for s in reversed(steps) if s.startswith("kg: ")), "start-up")
    return proc.returncode == -signal.SIGKILL, last


def _cli_build(location: Path) -> tuple[float, str]:
    """One whole `kg build` in a subprocess: (seconds, stderr); stderr ends with the error."""
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "kg", "build", "--force", "--location",
                           str(location)],
                          capture_output=True, text=True, timeout=600)
    return time.monotonic() - start, "" if done.returncode == 0 else done.stderr[-2000:]


def _poll(url: str, stop: threading.Event, figures: KillFigures) -> None:
    with httpx.Client(base_url=url, timeout=30.0) as client:
        while not stop.is_set():
            try:
                r = client.get("/sparql", params={"query": BUILD_ID}, headers=CSV)
                ok = r.status_code == 200 and _first_cell(r.text) == r.headers["x-kg-build"]
            except (httpx.HTTPError, KeyError) as exc:
                figures.errors.append(f"{type(exc).__name__}: {exc}")
                continue
            figures.requests += 1
            figures.served[r.headers.get("x-kg-build", "")] += 1
            if not ok:
                figures.errors.append(f"{r.status_code}: {r.text[:200]}")


def kill_trials(url: str, location: Path, trials: int, rng: random.Random) -> KillFigures:
    """SIGKILL `kg build` ``trials`` times at random delays while clients query the server;
    then one build runs to the end. A kill comes at a random delay within a whole
    `kg build` (timed first, start-up included) or a random instant after a random step
    began (the short ones, ``write`` and the switch of ``current`` included)."""
    build_s, failed = _cli_build(location)
    figures = KillFigures(trials, build_s=round(build_s, 2))
    if failed:
        figures.errors.append(f"the first build failed: {failed}")
        return figures
    stop = threading.Event()
    pollers = [threading.Thread(target=_poll, args=(url, stop, figures)) for _ in range(2)]
    for thread in pollers:
        thread.start()
    try:
        for _ in range(trials):
            before = Location(location).require_current().id
            after = rng.choice([None, *STEPS])  # anywhere, or just after a step began
            delay = rng.uniform(0.05, 0.95 * build_s) if after is None else rng.uniform(0, 0.2)
            killed, step = _kill_one(location, delay, after)
            if not killed:
                figures.finished_first += 1
                continue
            figures.kills.append((round(delay, 2), step))
            current = Location(location).require_current()
            if not _whole(current):
                figures.broken.append(f"{current.id} after a kill at {step}")
            elif current.id != before:
                figures.published_first += 1
        _, failed = _cli_build(location)
        if failed:
            figures.errors.append(f"the build after the kills failed: {failed}")
        else:
            figures.after = Location(location).require_current().id
        time.sleep(0.5)  # the pollers see the new build
    finally:
        stop.set()
        for thread in pollers:
            thread.join()
    return figures


def _whole(build: Build) -> bool:
    """A finished build: its manifest reads and its store opens and answers."""
    try:
        triples = int(build.manifest()["triples"])
        store = build.open()
        return triples > 0 and bool(store.query("ASK { ?s ?p ?o }",
                                                use_default_graph_as_union=True))
    except (OSError, ValueError, KeyError, RuntimeError):
        return False


def finished_builds(location: Path) -> set[str]:
    """The build folders that hold a finished build (a manifest)."""
    builds = Location(location).builds
    return {p.name for p in builds.iterdir() if (p / MANIFEST).is_file()}
