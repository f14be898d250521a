"""What the web interface costs a reader: bytes on the wire and time to the answer, per page,
for this checkout and for an earlier commit, in one sitting.

For each version (``--before REF``, default the commit before issue 15's UI work, and this
checkout's src/) the curated graph is built with that version and `kg serve` started on a
loopback port. Then, round after round (the two versions interleaved, page by page), each
page is opened in headless Debian Chromium in a fresh context (nothing cached), as a browser
in English asks for it (gzip accepted), on an unthrottled line and on Lighthouse's "slow 4G"
profile (150 ms round trip, 1.6 Mbit/s down, 750 kbit/s up, set through the DevTools protocol):

- transferred: the bytes of the page and of everything it loaded (Resource Timing's
  transferSize, headers included), the answer's fetch too;
- answer: navigation start → the answer drawn (``.results.ready`` on a question page, the
  search hits, the editor ready, else the load event).

Medians of --repeat rounds. Equal work is checked first: both versions give the headline
question the same rows. Machine, load and versions are printed.

    .venv/bin/python bench/bench_ui.py [--before 56583a7] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # shared start-up
from screenshots import ARGS, CHROMIUM

from _server import HOST, free_port, start, stop

ROOT = Path(__file__).resolve().parent.parent

BEFORE = "56583a7"  # main before issue 15's UI work
# path, what shows the answer is there (None: the load event)
PAGES: list[tuple[str, str | None]] = [
    ("/", None),
    ("/ui/queries", None),
    ("/ui/queries/regions-targeting-sectors", ".results.ready"),
    ("/ui/queries/region-sector-matrix", ".results.ready"),
    ("/ui/queries/plans-timeline", ".results.ready"),
    ("/ui/queries/monetary-targets", ".results.ready"),
    ("/ui/queries/regions-overview", ".results.ready"),
    ("/ui/search?q=%E9%87%8F%E5%AD%90", "#search-results.ready"),
    ("/ui/sparql", "#yasgui[data-ready=true]"),
    ("/id/region/shandong", None),
]
SLOW_4G = {"offline": False, "latency": 150, "downloadThroughput": 1.6e6 / 8 * 0.9,
           "uploadThroughput": 750e3 / 8 * 0.9}
HEADLINE = "/queries/regions-targeting-sectors?format=json&lang=en"


def tree_of(ref: str, into: Path) -> Path:
    """A commit's files (code, data, queries), unpacked (no worktree)."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref, "pyproject.toml", "src",
                              "data", "ontology", "queries"], check=True,
                             capture_output=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


class Version:
    """One version's `kg serve` on its own build, run from its own tree."""

    def __init__(self, tree: Path, work: Path) -> None:
        env = {"PYTHONPATH": str(tree / "src")}
        location = work / "kg"
        subprocess.run([sys.executable, "-m", "kg", "build", "--location", str(location)],
                       check=True, stdout=subprocess.DEVNULL, cwd=tree, env={**os.environ, **env})
        port = free_port()
        self.url = f"http://{HOST}:{port}"
        self.proc = start([sys.executable, "-m", "kg", "serve", "--location", str(location),
                           "--bind", f"{HOST}:{port}"], self.url + "/health", work / "serve.log",
                          env=env, cwd=tree)

    def stop(self) -> None:
        stop(self.proc)


def visit(browser: Any, base: str, path: str, ready: str | None,
          throttle: bool) -> tuple[int, float]:
    """Bytes transferred and ms to the answer for one fresh load of a page."""
    context = browser.new_context(locale="en-US", viewport={"width": 1366, "height": 900})
    try:
        page = context.new_page()
        page.set_default_timeout(120_000)
        if throttle:
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Network.emulateNetworkConditions", SLOW_4G)
        page.goto(base + path, wait_until="load")
        if ready:
            page.wait_for_selector(ready)
        ms = float(page.evaluate("performance.now()"))
        page.wait_for_load_state("networkidle")
        sent = int(page.evaluate("""() => performance.getEntriesByType("navigation")
            .concat(performance.getEntriesByType("resource"))
            .reduce((sum, e) => sum + (e.transferSize || 0), 0)"""))
        return sent, ms
    finally:
        context.close()


def machine() -> str:
    load = os.getloadavg()
    chromium = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True).stdout
    return (f"{platform.node()} · {os.cpu_count()} CPUs · load {load[0]:.2f} {load[1]:.2f} · "
            f"Python {platform.python_version()} · {chromium.strip()}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default=BEFORE, help="the commit to compare with")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                          capture_output=True, text=True, check=True).stdout.strip()
    print(f"machine: {machine()}\nbefore: {args.before} · after: {head} (+ working tree)\n")
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        trees = {"before": tree_of(args.before, t / "before"), "after": ROOT}
        servers: dict[str, Version] = {}
        for name, tree in trees.items():
            (t / f"{name}-run").mkdir()
            servers[name] = Version(tree, t / f"{name}-run")
        try:
            answers = {name: httpx.get(s.url + HEADLINE, timeout=60).json()["results"]
                       for name, s in servers.items()}
            assert answers["before"] == answers["after"], "the versions answer differently"
            results: dict[tuple[str, str, bool], list[tuple[int, float]]] = {}
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                for _ in range(args.repeat):
                    for path, ready in PAGES:
                        for throttle in (False, True):
                            for name, server in servers.items():
                                results.setdefault((path, name, throttle), []).append(
                                    visit(browser, server.url, path, ready, throttle))
                browser.close()
        finally:
            for server in servers.values():
                server.stop()
    print("| page | KB before | KB after | × | ms before | ms after | slow 4G ms before "
          "| slow 4G ms after | × |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for path, _ready in PAGES:
        def med(name: str, throttle: bool, i: int, path: str = path) -> float:
            return statistics.median(r[i] for r in results[(path, name, throttle)])
        kb0, kb1 = med("before", False, 0) / 1024, med("after", False, 0) / 1024
        print(f"| {path} | {kb0:.0f} | {kb1:.0f} | {kb1 / kb0:.2f} "
              f"| {med('before', False, 1):.0f} | {med('after', False, 1):.0f} "
              f"| {med('before', True, 1):.0f} | {med('after', True, 1):.0f} "
              f"| {med('after', True, 1) / med('before', True, 1):.2f} |")
    print(f"\nmachine after: {machine()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
