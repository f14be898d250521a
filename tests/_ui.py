"""Helpers for the web-interface tests: the real `kg serve` and headless Debian Chromium."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


def have_chromium() -> bool:
    return shutil.which(CHROMIUM) is not None


@dataclass
class Watch:
    """What a page did that a test must see: console errors, page errors, requests elsewhere."""

    base: str
    errors: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)

    def attach(self, page: Any) -> None:
        page.on("console", lambda m: self.errors.append(f"console: {m.text} {m.location}")
                if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        page.on("request", lambda r: self.outside.append(r.url)
                if not r.url.startswith((self.base, "data:")) else None)

    def assert_clean(self) -> None:
        assert self.errors == [], self.errors
        assert self.outside == [], self.outside


def browser(playwright: Any) -> Any:
    """Debian's Chromium, headless (never a downloaded browser)."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def pages(browser_: Any, base: str) -> Iterator[Any]:
    """A fresh context and page per test, watched: after the test, no console or page error
    and no request to another host (:meth:`Watch.assert_clean`); closed afterwards."""
    context = browser_.new_context(viewport={"width": 1280, "height": 900}, base_url=base)
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        watch = Watch(base)
        watch.attach(page)
        context.route(lambda url: not url.startswith((base, "data:")),
                      lambda route: route.abort())
        yield page
        watch.assert_clean()
    finally:
        context.close()
