"""The API's pages in Chromium: the documentation page and the admin's client page keep the
Content-Security-Policy (no violation reported) and pass axe; the token is shown once."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import log_in
from tests.e2e.test_browser_policy import Visitor

pytestmark = pytest.mark.e2e


def test_api_docs_and_client_pages_keep_the_policy(page, live_app, live_server):
    visitor = Visitor(page, live_server.url, "nb")
    page.goto("/api/v1/")
    expect(page.locator("h1")).to_contain_text("Avvik API")
    expect(page.locator("main")).to_contain_text("/api/v1/deviations/{reference}")
    visitor.check("the API documentation page")
    log_in(page, "lokaladmin@trondheim.demo")
    page.goto("/admin/api-klienter/")
    visitor.check("the API clients page")
    page.locator("#name").fill("Kvalitetssystemet")
    page.get_by_label("deviations:read", exact=False).check()
    page.get_by_role("button", name="Opprett klient og vis nøkkelen").click()
    token = page.locator("#token")
    expect(token).to_be_visible()
    assert token.input_value().startswith("avvik_")
    visitor.checked.clear()  # axe-core again, on the page with the token, at both widths
    visitor.check("the API clients page with a new token")
    page.goto("/admin/api-klienter/")
    expect(page.locator("#token")).to_have_count(0)
    assert not visitor.violations, "\n".join(visitor.violations)
