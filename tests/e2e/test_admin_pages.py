"""The administration pages, the link pages and the accessibility statement in Chromium:
axe-core finds no WCAG 2.1 A/AA violation in Norwegian or in English.

The admin pages as served, and the public pages a visitor reaches from the login page, are
looked at by the crawl (tests/e2e/test_browser_policy.py: axe-core at 1280 and 360 px in both
languages, one h1, the same data): here only what the crawl does not reach, the pages behind
an e-mailed link and the forms showing their errors. test_the_crawl_covers_the_pages_left_to_it
fails if the crawl stops reaching one of them."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from app.admin import services as admin_services
from app.auth.services import find_user, issue_token
from app.data.seed import organisation_by_name
from app.extensions import db
from app.models import Category, TokenPurpose
from tests.e2e.browser import assert_accessible, log_in, switch_language
from tests.e2e.test_browser_policy import CRAWL_COVERS, VISITOR, kind_of

pytestmark = pytest.mark.e2e


def _ids(app) -> dict[str, object]:
    with app.app_context():
        admin = find_user("admin@demo.demo")
        trondheim = organisation_by_name("Trondheim")
        # Something in the log, and a user with a pending invitation.
        admin_services.update_organisation(admin, trondheim, response_days=21)
        invited = admin_services.invite_user(
            admin, "ny@trondheim.demo", "Nora Ny", trondheim.id, None, set()
        )
        token = issue_token(invited, TokenPurpose.INVITATION)
        db.session.commit()
        return {
            "trondheim": trondheim.id,
            "unit": trondheim.units[0].id,
            "user": find_user("melder@trondheim.demo").id,
            "category": db.session.query(Category.id).first()[0],
            "token": token,
        }


# Checked by the crawl as admin@demo.demo (CRAWL_COVERS), in the state _ids leaves them.
ADMIN_PAGES = [
    "/admin/",
    "/admin/organisasjoner",
    "/admin/organisasjoner/{trondheim}",
    "/admin/organisasjoner/{trondheim}/enheter",
    "/admin/enheter/{unit}",
    "/admin/kategorier",
    "/admin/kategorier/{category}",
    "/admin/avtaler",
    "/admin/brukere",
    "/admin/brukere/ny",
    "/admin/brukere/{user}",
    "/admin/logg",
    "/admin/reservemottak",
]
# Checked by the crawl before logging in.
CRAWLED_PUBLIC_PAGES = ["/glemt-passord", "/tilgjengelighet", "/logg-inn"]
# Not reached by the crawl: only an e-mailed link leads there.
PUBLIC_PAGES = ["/passord/ugyldig", "/passord/{token}"]  # the form last: its errors follow


def test_the_crawl_covers_the_pages_left_to_it():
    ids = {"trondheim": 1, "unit": 2, "user": 3, "category": 4}
    admin = {kind_of(url.format(**ids)) for url in ADMIN_PAGES}
    assert admin <= CRAWL_COVERS["admin@demo.demo"], admin - CRAWL_COVERS["admin@demo.demo"]
    public = {kind_of(url) for url in CRAWLED_PUBLIC_PAGES}
    assert public <= CRAWL_COVERS[VISITOR], public - CRAWL_COVERS[VISITOR]


def _choose_language(page, language: str) -> None:
    if language == "en":
        switch_language(page, "English")
        page.wait_for_load_state()
        assert page.locator("html").get_attribute("lang") == "en"


@pytest.mark.parametrize("language", ["nb", "en"])
def test_public_pages_are_accessible(page, live_app, language):
    ids = _ids(live_app)
    page.goto("/logg-inn")
    _choose_language(page, language)
    for url in PUBLIC_PAGES:
        page.goto(url.format(**ids))
        assert_accessible(page, f"{url} ({language})")
    # Forms showing their errors are checked too: the set-password form, still on the page.
    expect(page).to_have_url(re.compile(re.escape(f"/passord/{ids['token']}") + "$"))
    page.locator("#password").fill("kort")
    page.locator("#confirm").fill("kort")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator("#password-feil")).to_be_visible()
    assert_accessible(page, f"set password with errors ({language})")
    page.goto("/glemt-passord")
    page.locator("#email").fill("noen@trondheim.demo")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()
    assert_accessible(page, f"forgot password sent ({language})")


@pytest.mark.parametrize("language", ["nb", "en"])
def test_admin_pages_are_accessible(page, live_app, language):
    log_in(page, "admin@demo.demo")
    _choose_language(page, language)
    # The crawl looks at the statement before logging in; here with an admin's header.
    page.goto("/tilgjengelighet")
    expect(page.locator("h1")).to_have_count(1)
    assert_accessible(page, f"/tilgjengelighet as admin ({language})")
    # A form sent with errors: messages beside the fields, still accessible.
    page.goto("/admin/brukere/ny")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()
    expect(page.locator("#feiloppsummering")).to_be_visible()
    assert_accessible(page, f"invite with errors ({language})")


def test_lokal_admin_sees_only_their_own_organisation(page, live_app):
    _ids(live_app)
    log_in(page, "lokaladmin@trondheim.demo")
    page.get_by_role("link", name="Administrasjon").click()
    page.get_by_role("link", name="Organisasjoner").first.click()
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Trondheim")
    expect(page.get_by_role("link", name="Kategorier")).to_have_count(0)
    assert_accessible(page, "organisations as lokal_admin")


def test_language_choice_before_login_follows_to_the_account_pages(page, live_app):
    page.goto("/logg-inn")
    switch_language(page, "English")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    page.locator("#email").fill("melder@trondheim.demo")
    page.locator("#password").fill("demo-avvik")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/logg-inn" not in url)
    # Logging in from the English login page makes English the account's language.
    expect(page.get_by_role("link", name="Report deviation").first).to_be_visible()
    with live_app.app_context():
        assert find_user("melder@trondheim.demo").language == "en"
    page.get_by_role("link", name="Accessibility statement").click()
    expect(page.get_by_role("heading", name="Accessibility statement")).to_be_visible()
    assert "WCAG 2.1" in page.content()
