"""Screenshots of the web interface's main pages, for the README (docs/screenshots/*.png).

Builds the curated graph into a scratch location (or uses --location), starts `kg serve`
on a free loopback port, and drives Debian's Chromium headless with Playwright (never a
downloaded browser). Chinese text needs a CJK font on the machine (fonts-wqy-microhei or
fonts-noto-cjk); the script says so when none is installed.

    .venv/bin/python scripts/screenshots.py [--location var/kg] [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run"]
HOST = "127.0.0.1"


def ready(selector: str) -> Callable[[Page], None]:
    return lambda page: page.wait_for_selector(selector, timeout=20_000)


def run_editor(page: Page) -> None:
    page.wait_for_selector("#yasgui[data-ready=true]")
    page.locator(".yasqe_queryButton").click()
    page.wait_for_selector(".yasr table.dataTable tbody tr", timeout=20_000)


# file name, path, what to wait for, viewport height (None: the whole page)
SHOTS: list[tuple[str, str, Callable[[Page], None], int | None]] = [
    ("home.png", "/", ready(".questions"), 900),
    ("question-matrix.png", "/ui/queries/region-sector-matrix", ready("svg.matrix"), 820),
    ("timeline.png", "/ui/queries/plans-timeline?lang=zh", ready("svg.timeline"), 760),
    ("map.png", "/ui/queries/regions-overview", ready("svg.map a.region-mark"), 980),
    ("bar.png", "/ui/queries/monetary-targets?lang=zh", ready("svg.bars"), 620),
    ("entity.png", "/id/region/shandong?lang=zh", ready("h1"), 900),
    ("search.png", "/ui/search?q=%E9%87%8F%E5%AD%90", ready("#search-results.ready"), 760),
    ("editor.png", "/ui/sparql?example=plans-timeline", run_editor, 900),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(location: Path) -> Iterator[str]:
    """`kg serve` on a free loopback port for the duration of the block."""
    port = free_port()
    url = f"http://{HOST}:{port}"
    proc = subprocess.Popen([sys.executable, "-m", "kg", "serve", "--location", str(location),
                             "--bind", f"{HOST}:{port}"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                httpx.get(url + "/health", timeout=1.0)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


def has_cjk_font() -> bool:
    try:
        out = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, check=False)
    except FileNotFoundError:
        return False
    return bool(out.stdout.strip())


def shoot(browser: Any, base: str, out: Path) -> list[str]:
    """Take every screenshot; return the console errors seen."""
    errors: list[str] = []
    for name, path, wait, height in SHOTS:
        page = browser.new_page(viewport={"width": 1280, "height": height or 900})
        page.on("console", lambda m: errors.append(f"{m.text}") if m.type == "error" else None)
        page.goto(base + path)
        wait(page)
        page.wait_for_timeout(300)
        page.screenshot(path=str(out / name), full_page=height is None)
        page.close()
        print(f"{out / name}")
    return errors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--location", type=Path, help="a built location (default: build one)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args(argv)
    if not has_cjk_font():
        print("warning: no CJK font installed; Chinese text will show as boxes "
              "(apt-get install fonts-wqy-microhei)", file=sys.stderr)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        location = args.location
        if location is None:
            location = Path(tmp) / "kg"
            subprocess.run([sys.executable, "-m", "kg", "build", "--location", str(location)],
                           check=True, stdout=subprocess.DEVNULL)
        with serving(location) as base, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            errors = shoot(browser, base, args.out)
            browser.close()
    for error in errors:
        print(f"console error: {error}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
