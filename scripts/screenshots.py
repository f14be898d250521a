"""Screenshots of the web interface's main pages, for the README (docs/screenshots/*.png),
in Chinese and in English (NAME.zh.png, NAME.en.png), on a desktop screen and a phone's.

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


def ready_at(selector: str, shown: str) -> Callable[[Page], None]:
    """Wait for ``selector``, then scroll ``shown`` to the top of the screen."""
    def wait(page: Page) -> None:
        page.wait_for_selector(selector, timeout=20_000)
        page.locator(shown).first.evaluate("e => e.scrollIntoView()")
    return wait


def run_editor(page: Page) -> None:
    page.wait_for_selector("#yasgui[data-ready=true]")
    page.locator(".yasqe_queryButton").click()
    page.wait_for_selector(".yasr table.dataTable tbody tr", timeout=20_000)


# file name (without language and extension), path, what to wait for, viewport width and
# height (height None: the whole page)
Shot = tuple[str, str, Callable[[Page], None], int, int | None]
SHOTS: list[Shot] = [
    ("home", "/", ready(".featured"), 1280, 900),
    ("headline", "/ui/queries/regions-targeting-sectors", ready(".results.ready"), 1280, 900),
    ("question-matrix", "/ui/queries/region-sector-matrix", ready("svg.matrix"), 1280, 820),
    ("timeline", "/ui/queries/plans-timeline", ready("svg.timeline"), 1280, 900),
    ("map", "/ui/queries/regions-overview", ready("svg.map a.region-mark"), 1280, 980),
    ("bar", "/ui/queries/monetary-targets", ready("svg.bars"), 1280, 760),
    ("entity", "/id/region/shandong", ready("h1"), 1280, 900),
    ("search", "/ui/search?q=6G", ready("#search-results.ready"), 1280, 760),
    ("editor", "/ui/sparql?example=plans-timeline", run_editor, 1280, 900),
    ("phone-home", "/", ready(".featured"), 390, 844),
    ("phone-question", "/ui/queries/regions-targeting-sectors", ready(".results.ready"), 390, 844),
    ("phone-map", "/ui/queries/regions-overview", ready_at("svg.map a.region-mark", ".results"),
     390, 844),
]
LANGS = {"zh": "zh-CN", "en": "en-US"}


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
    """Take every screenshot in each language (the browser's language set to it, as a
    reader's would be); return the console errors seen."""
    errors: list[str] = []
    for lang, locale in LANGS.items():
        for name, path, wait, width, height in SHOTS:
            page = browser.new_page(viewport={"width": width, "height": height or 900},
                                    locale=locale)
            page.on("console", lambda m: errors.append(f"{m.text}") if m.type == "error" else None)
            page.goto(base + path)
            wait(page)
            page.wait_for_timeout(300)
            file = out / f"{name}.{lang}.png"
            page.screenshot(path=str(file), full_page=height is None)
            page.close()
            print(file)
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
