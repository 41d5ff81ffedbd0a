"""The login page loads in a real browser and logging in works. axe-core looks at the login
page in the crawl (tests/e2e/test_browser_policy.py, CRAWL_COVERS)."""

from playwright.sync_api import expect

from tests.e2e.browser import log_in


def test_login_page_is_accessible_and_login_works(page):
    log_in(page, "melder@trondheim.demo")  # from the login page
    expect(page.get_by_role("link", name="Meld avvik").first).to_be_visible()
