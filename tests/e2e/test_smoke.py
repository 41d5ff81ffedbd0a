"""The login page loads in a real browser and passes axe-core."""

from playwright.sync_api import expect

from tests.e2e.browser import assert_accessible, log_in


def test_login_page_is_accessible_and_login_works(page):
    page.goto("/logg-inn")
    assert_accessible(page, "login page")
    log_in(page, "melder@trondheim.demo")
    expect(page.get_by_role("link", name="Meld avvik").first).to_be_visible()
