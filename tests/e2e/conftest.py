"""Browser fixtures: the app served on a free loopback port, Debian's Chromium via Playwright,
and axe-core for WCAG 2.1 A/AA checks.

Pages are served from a SQLite file seeded with the demo data; the services and routes below are
tested on PostgreSQL too by the HTTP-level tests.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask, request
from jinja2 import BytecodeCache

from app.extensions import db
from tests.e2e.browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, CONTEXT, LiveServer, require
from tests.support import fresh_sqlite_url, make_app


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    require(Path(CHROMIUM).exists() or bool(shutil.which("chromium")), "Chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class _CompiledTemplates(BytecodeCache):
    """Jinja's compiled templates, kept for the worker's whole run. Each browser test makes an
    app of its own, and compiling a page's templates again cost more than serving it (the
    start page's first request took ten times its second). A template is reused only while its
    source is the same: Jinja keys each entry by the template's name and checks its source."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if (code := self._code.get(bucket.key)) is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


@pytest.fixture(scope="session")
def compiled_templates() -> BytecodeCache:
    return _CompiledTemplates()


@pytest.fixture
def live_app(
    sqlite_template: Path, tmp_path: Path, compiled_templates: BytecodeCache
) -> Iterator[Flask]:
    """The server thread commits for real: a fresh copy of the seeded SQLite file per test."""
    app = make_app(
        fresh_sqlite_url(sqlite_template, tmp_path),
        WTF_CSRF_ENABLED=True,  # the browser sends real forms, tokens and all
        MAIL_OUTBOX_DIR=str(tmp_path / "outbox"),
    )
    app.jinja_env.bytecode_cache = compiled_templates
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
    context = browser.new_context(base_url=live_server.url, **CONTEXT)
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
