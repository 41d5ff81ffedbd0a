"""Browser fixtures: the app served on a free loopback port, Debian's Chromium via Playwright,
and axe-core for WCAG 2.1 A/AA checks.

Pages are served from a SQLite file seeded with the demo data; the services and routes below are
tested on PostgreSQL too by the HTTP-level tests.
"""

from __future__ import annotations

import json
import logging
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask, request
from werkzeug.serving import make_server

from app.data.demo import DEMO_PASSWORD
from app.extensions import db
from tests.conftest import IN_CI, fresh_sqlite_url, make_app

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
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _require(condition: bool, reason: str) -> None:
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: required, not skipped)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    _require(Path(CHROMIUM).exists() or bool(shutil.which("chromium")), "Chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class LiveServer:
    def __init__(self, app: Flask) -> None:
        self.app = app
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)


@pytest.fixture
def live_app(sqlite_template: Path, tmp_path: Path) -> Iterator[Flask]:
    """The server thread commits for real: a fresh copy of the seeded SQLite file per test."""
    app = make_app(
        fresh_sqlite_url(sqlite_template, tmp_path),
        WTF_CSRF_ENABLED=True,  # the browser sends real forms, tokens and all
        MAIL_OUTBOX_DIR=str(tmp_path / "outbox"),
    )
    downloads: list[tuple[str, bytes]] = []
    app.extensions["test_downloads"] = downloads

    @app.after_request
    def _keep_downloads(response):
        # What leaves the system as a file: checked by nothing_identifying_leaves.
        if "attachment" in response.headers.get("Content-Disposition", ""):
            downloads.append((request.path, response.get_data()))
        return response

    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def nothing_identifying_leaves(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[None]:
    """After every test that served the app: no mail, download or log line it emitted holds an
    identity number or a case's title or description (tests/e2e/emitted.py)."""
    if "live_app" not in request.fixturenames:
        yield
        return
    from tests.e2e.emitted import LogLines, case_texts, collect, leaks

    app = request.getfixturevalue("live_app")
    logs = LogLines()
    root = logging.getLogger()
    level = root.level
    root.addHandler(logs)
    root.setLevel(logging.INFO)
    try:
        yield
    finally:
        root.removeHandler(logs)
        root.setLevel(level)
    found = leaks(collect(app, tmp_path / "outbox", logs), case_texts(app))
    assert not found, "Identifying content left the system:\n" + "\n".join(found)


@pytest.fixture
def live_server(live_app: Flask) -> Iterator[LiveServer]:
    server = LiveServer(live_app)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def page(browser, live_server: LiveServer, request: pytest.FixtureRequest):
    context = browser.new_context(base_url=live_server.url, locale="nb-NO")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    if getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


def log_in(page, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/logg-inn")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(lambda url: "/logg-inn" not in url)


def log_out(page) -> None:
    page.context.clear_cookies()


def assert_accessible(page, label: str) -> None:
    """Run axe-core on the current page; fail listing every WCAG 2.1 A/AA violation."""
    _require(AXE.exists(), f"axe-core is not installed at {AXE} (run `npm ci`)")
    # Through the DevTools protocol, which the Content-Security-Policy does not govern: an
    # inline <script> (page.add_script_tag) is refused like any other.
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate("() => {\n" + AXE.read_text() + "\n}")
    # resultTypes: axe skips working out selectors for what passed (its API's advice on
    # speed), and only the violations cross back to Python.
    found = page.evaluate(
        """async (tags) => (await axe.run(document, {
            runOnly: {type: 'tag', values: tags}, resultTypes: ['violations'],
        })).violations""",
        WCAG_TAGS,
    )
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
