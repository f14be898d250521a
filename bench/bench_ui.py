"""How long the web interface takes: pages over HTTP, and question pages until drawn in a browser.

Builds the curated graph (or uses --location), starts `kg serve` on a loopback port, then
1. times GET of each UI page and of the API answer the page's script fetches (median of
   --repeat requests, after one warm-up; the server's response cache is on, as by default);
2. opens each question page in headless Debian Chromium (a fresh context each time, so
   nothing is cached in the browser) and times navigation start → results drawn
   (`.results.ready`), median of --repeat loads.
Ratios are to GET /health (1) and to the API fetch alone (2).

    .venv/bin/python bench/bench_ui.py [--location var/kg] [--repeat 15]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # shared start-up
from screenshots import ARGS, CHROMIUM

from _server import Server

PAGES = ["/", "/ui/queries", "/ui/queries/region-sector-matrix", "/ui/queries/plans-timeline",
         "/ui/search?q=%E9%87%8F%E5%AD%90", "/ui/sparql", "/ui/places.json"]
QUESTIONS = {  # question page → the API URL its script fetches
    "/ui/queries/region-sector-matrix": "/queries/region-sector-matrix?lang=en&format=json",
    "/ui/queries/plans-timeline": "/queries/plans-timeline?lang=en&format=json",
    "/ui/queries/monetary-targets": "/queries/monetary-targets?lang=en&format=json",
    "/ui/queries/regions-overview": "/queries/regions-overview?lang=en&format=json",
}


def median_ms(client: httpx.Client, path: str, repeat: int) -> float:
    client.get(path).raise_for_status()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        client.get(path).raise_for_status()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def drawn_ms(browser: object, base: str, path: str, repeat: int) -> tuple[float, float]:
    """Medians of DOMContentLoaded and of results drawn, ms after navigation start."""
    loaded, drawn = [], []
    for _ in range(repeat):
        context = browser.new_context()  # type: ignore[attr-defined]
        page = context.new_page()
        page.goto(base + path)
        page.wait_for_selector(".results.ready")
        loaded.append(page.evaluate(
            "performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd"))
        drawn.append(float(page.locator(".results").get_attribute("data-drawn-ms")))
        context.close()
    return statistics.median(loaded), statistics.median(drawn)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--location", type=Path)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        location = args.location or Path(tmp) / "kg"
        if args.location is None:
            subprocess.run([sys.executable, "-m", "kg", "build", "--location", str(location)],
                           check=True, stdout=subprocess.DEVNULL)
        with Server(location, log=Path(tmp) / "serve.log") as server, \
                httpx.Client(base_url=server.url, timeout=30) as client:
            base = server.url
            health = median_ms(client, "/health", args.repeat)
            print(f"| GET | median ms | × /health |\n|---|---:|---:|\n| /health | {health:.2f} | 1.0 |")
            for path in PAGES:
                ms = median_ms(client, path, args.repeat)
                print(f"| {path} | {ms:.2f} | {ms / health:.1f} |")
            print("\n| question page | HTML loaded ms | results drawn ms | × loaded | API fetch ms |\n"
                  "|---|---:|---:|---:|---:|")
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                for page, api in QUESTIONS.items():
                    fetch = median_ms(client, api, args.repeat)
                    loaded, drawn = drawn_ms(browser, base, page, args.repeat)
                    print(f"| {page} | {loaded:.0f} | {drawn:.0f} | {drawn / loaded:.1f} "
                          f"| {fetch:.2f} |")
                browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
