"""What the browser tests share that is not a fixture: where Chromium and axe-core are, the
live server, logging in through the form, the axe-core check and screenshots.

Fixtures (the browser, the live app and server, a page) are in tests/e2e/conftest.py.
"""

from __future__ import annotations

import json
import os
import threading
from functools import cache
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import expect
from werkzeug.serving import make_server

from app.data.demo import DEMO_PASSWORD
from tests.support import IN_CI

CHROMIUM = "/usr/bin/chromium"
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Date inputs follow the browser's UI language, not the page's: a Norwegian nurse's
    # Chromium shows dd.mm.åååå.
    "--lang=nb-NO",
]
# Every test's browser context: Norwegian, and reduced motion, so Bootstrap skips its transitions
# (its CSS honours prefers-reduced-motion). Playwright waits for an element to stop moving
# before it clicks, and axe read a button's colour halfway through a hover transition once.
CONTEXT = {"locale": "nb-NO", "reduced_motion": "reduce"}
SCREENSHOTS = os.environ.get("SCREENSHOTS", "").lower() in {"1", "true", "yes", "docs"}
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def require(condition: bool, reason: str) -> None:
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: required, not skipped)")
    pytest.skip(reason)


class LiveServer:
    def __init__(self, app: Flask) -> None:
        self.app = app
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        # serve_forever looks for a shutdown request every poll_interval (0.5 s by default):
        # stop() waited that long after every browser test.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)


def log_in(page, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/logg-inn")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(lambda url: "/logg-inn" not in url)


def log_out(page) -> None:
    page.context.clear_cookies()


def open_from_menu(page, name: str) -> None:
    """Follow the main menu's entry ``name``: the menu button first at a phone's width, and
    the group it is in ("Forbedring", "Mer") when it is one."""
    link = page.locator("#hovedmeny").get_by_role(
        "link", name=name, exact=True, include_hidden=True
    )
    if not link.is_visible():
        toggler = page.locator(".navbar-toggler")
        if toggler.is_visible() and toggler.get_attribute("aria-expanded") != "true":
            toggler.click()
        group = link.locator("xpath=ancestor::li[contains(@class, 'dropdown')]/button")
        if group.count():
            group.click()
    link.click()


def switch_language(page, name: str) -> None:
    """Press "English" or "Norsk": in the header for a visitor, in the account menu (opened
    first, and the menu button before it at a phone's width) for someone logged in."""
    button = page.get_by_role("button", name=name, exact=True)
    if not button.is_visible():
        toggler = page.locator(".navbar-toggler")
        if (
            toggler.count()
            and toggler.is_visible()
            and toggler.get_attribute("aria-expanded") != "true"
        ):
            toggler.click()
        page.locator("#kontomeny").click()
    button.click()
    page.wait_for_load_state()
    expect(page.locator("html")).to_have_attribute("lang", "nb" if name == "Norsk" else "en")


@cache
def _axe_source() -> str:
    return "() => {\n" + AXE.read_text() + "\n}"


def load_axe(page) -> None:
    """axe-core into the current page, once per page load."""
    require(AXE.exists(), f"axe-core is not installed at {AXE} (run `npm ci`)")
    # Through the DevTools protocol, which the Content-Security-Policy does not govern: an
    # inline <script> (page.add_script_tag) is refused like any other.
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(_axe_source())


def axe_in_every_load(page) -> None:
    """axe-core in every page ``page`` loads from now on, from its start: for a test that runs
    axe on most pages it loads. Each load costs a little more, but the 650 kB source crosses to
    the browser once, not once a page (load_axe then finds it there)."""
    require(AXE.exists(), f"axe-core is not installed at {AXE} (run `npm ci`)")
    page.add_init_script(path=str(AXE))


# The body of an async function of `tags` that resolves to axe's violations. resultTypes: axe
# skips working out selectors for what passed (its API's advice on speed), and only the
# violations cross back to Python.
AXE_RUN = """(await axe.run(document, {
    runOnly: {type: 'tag', values: tags}, resultTypes: ['violations'],
})).violations"""


def assert_no_violations(found: list[dict], label: str) -> None:
    """Fail listing every violation axe-core reported (``found``: its `violations`)."""
    violations = [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in found
    ]
    assert not violations, f"axe-core on {label}:\n" + json.dumps(violations, indent=2)


def assert_accessible(page, label: str) -> None:
    """Run axe-core on the current page; fail listing every WCAG 2.1 A/AA violation."""
    load_axe(page)
    found = page.evaluate(f"async (tags) => {AXE_RUN}", WCAG_TAGS)
    assert_no_violations(found, label)


# The pictures docs/screenshots.md shows, taken by the browser tests that reach these pages
# (`make screenshots`, SCREENSHOTS=docs), so they show the pages as they are.
DOCS_IMAGES = Path(__file__).resolve().parents[2] / "docs" / "img"
DOCS_SHOTS = {
    f"{page}-{width}"
    for page in (
        "filing-form",
        "case-page-handler-nb",
        "arbeidsliste-nb",
        "statistikk-forbedring-nb",
    )
    for width in (360, 1280)
}


def screenshot(page, name: str) -> None:
    """A full-page picture in test-artifacts/ for a human to look at, when SCREENSHOTS=1 (the
    PNG encoding of a long page costs the browser more than the checks around it). A failed
    test's page is always kept (the `page` fixture). With SCREENSHOTS=docs the pages in
    DOCS_SHOTS also go to docs/img/, in 64 colours (a fifth of the size in the repository)."""
    if not SCREENSHOTS:
        return
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    if os.environ.get("SCREENSHOTS", "").lower() == "docs" and name in DOCS_SHOTS:
        from PIL import Image  # Pillow, which reportlab brings

        picture = Image.open(ARTIFACTS / f"{name}.png").quantize(colors=64)
        picture.save(DOCS_IMAGES / f"{name}.png", optimize=True)
