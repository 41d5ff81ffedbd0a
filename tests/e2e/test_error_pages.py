"""The error pages in a real browser: the plain one served when the database is gone, and the
ordinary one with its support reference, axe-clean in both languages and at 360 px."""

from __future__ import annotations

import sqlalchemy.exc
from playwright.sync_api import expect

from tests.e2e.browser import assert_accessible, log_in, screenshot


def test_error_pages_are_accessible_in_both_languages(page, live_app):
    live_app.config["PROPAGATE_EXCEPTIONS"] = False

    @live_app.get("/test-database-gone")
    def database_gone():
        raise sqlalchemy.exc.OperationalError("SELECT 1", {}, ConnectionError("gone"))

    @live_app.get("/test-bug")
    def bug():
        raise RuntimeError("a bug")

    log_in(page, "melder@trondheim.demo")
    page.set_viewport_size({"width": 360, "height": 740})
    for language, heading in (
        ("nb", "Tjenesten er midlertidig utilgjengelig"),
        ("en", "The service is temporarily unavailable"),
    ):
        page.context.add_cookies([{"name": "lang", "value": language, "url": page.url}])
        response = page.goto("/test-database-gone")
        assert response.status == 503
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        expect(page.get_by_text(response.headers["x-request-id"])).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        screenshot(page, f"error-503-{language}")
        assert_accessible(page, f"the plain 503 page ({language})")
    response = page.goto("/test-bug")
    assert response.status == 500
    expect(page.get_by_text(response.headers["x-request-id"])).to_be_visible()
    screenshot(page, "error-500")
    assert_accessible(page, "the 500 page")
