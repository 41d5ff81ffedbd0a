"""Signing in, in Chromium: through a real OpenID provider and back, the second factor set up
and used, Min konto, and the admin's security log, each page axe-clean at 360 px in both
languages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pyotp
import pytest
from playwright.sync_api import expect

from app.auth.services import single_sign_on as sso
from app.models import utcnow
from tests.e2e.browser import assert_accessible, log_in, screenshot, switch_language
from tests.oidc import OidcProvider, running_provider

pytestmark = pytest.mark.e2e

PHONE = {"width": 360, "height": 780}


@pytest.fixture(scope="module")
def oidc_provider() -> Iterator[OidcProvider]:
    with running_provider() as provider:
        yield provider


@pytest.fixture
def with_provider(live_app, live_server, oidc_provider, tmp_path):
    live_app.config["BASE_URL"] = live_server.url
    registered = oidc_provider.register_client(
        f"{live_server.url}/logg-inn/sso/test/retur", f"{live_server.url}/logg-inn"
    )
    live_app.config["OIDC_PROVIDERS_FILE"] = oidc_provider.write_providers_file(
        tmp_path / "providers.json",
        {
            "name": "test",
            "label": "Trondheim kommune",
            "issuer": oidc_provider.issuer,
            "client_id": registered["client_id"],
            "client_secret": registered["client_secret"],
            "organisation": "Trondheim",
        },
    )
    sso.init_app(live_app)
    return live_server


def test_single_sign_on_in_the_browser_and_out_again(page, with_provider):
    page.set_viewport_size(PHONE)
    page.goto("/avvik/mine")
    expect(page.get_by_role("link", name="Logg inn med Trondheim kommune")).to_be_visible()
    assert_accessible(page, "login page with a provider")
    screenshot(page, "sign-in-login-sso")
    page.get_by_role("link", name="Logg inn med Trondheim kommune").click()
    page.get_by_label("Konto").fill("melder@trondheim.demo")
    page.get_by_role("button", name="Logg inn hos leverandøren").click()
    page.wait_for_url(re.compile(r"/avvik/mine$"))
    expect(page.get_by_role("heading", name="Mine avvik")).to_be_visible()

    page.goto("/konto")
    expect(page.get_by_text("med Trondheim kommune")).to_be_visible()
    assert_accessible(page, "Min konto (SSO)")

    page.get_by_role("button", name="Vis meny").click()
    page.locator("#kontomeny").click()  # Logg ut is in the account menu
    page.get_by_role("button", name="Logg ut", exact=True).first.click()
    page.get_by_role("button", name="Ja, logg ut").click()  # the provider's own logout page
    page.wait_for_url(re.compile(r"/logg-inn"))
    expect(page.get_by_text("Du er logget ut.")).to_be_visible()
    # The provider's session ended too: it asks who you are again.
    page.get_by_role("link", name="Logg inn med Trondheim kommune").click()
    expect(page.get_by_label("Konto")).to_be_visible()


def test_a_refused_sso_login_explains_itself(page, with_provider):
    page.goto("/logg-inn")
    page.get_by_role("link", name="Logg inn med Trondheim kommune").click()
    page.get_by_label("Konto").fill("ny.ansatt@trondheim.demo")
    page.get_by_role("button", name="Logg inn hos leverandøren").click()
    page.wait_for_url(re.compile(r"/logg-inn$"))
    expect(page.get_by_text("Du har ingen konto i Samhandlingsavvik")).to_be_visible()
    assert_accessible(page, "login page with a refusal")


def test_second_factor_set_up_at_login_then_used(page, live_app, live_server):
    live_app.config["REQUIRE_TOTP"] = True
    page.set_viewport_size(PHONE)
    page.goto("/logg-inn")
    page.locator("#email").fill("melder@trondheim.demo")
    page.locator("#password").fill("demo-avvik")
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(re.compile(r"/logg-inn/tofaktor$"))
    expect(page.locator(".qr-code svg")).to_be_visible()
    assert_accessible(page, "second factor set-up")
    screenshot(page, "sign-in-enrol")
    # On the phone: the key in groups of four, none broken across lines; the link that opens
    # the authenticator app with that key; the copy button puts it on the clipboard.
    groups = page.locator("#totp-nokkel span")
    secret = "".join(groups.all_inner_texts())
    assert len(secret) == 32 and all(len(g) == 4 for g in groups.all_inner_texts())
    heights = {round(groups.nth(i).bounding_box()["height"]) for i in range(groups.count())}
    assert len(heights) == 1, f"a group of the key broken across lines: {heights}"
    app_link = page.get_by_role("link", name="Åpne i autentiseringsappen")
    expect(app_link).to_be_visible()
    assert app_link.get_attribute("href").startswith("otpauth://totp/")
    assert f"secret={secret}" in app_link.get_attribute("href")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="Kopier nøkkelen").click()
    expect(page.get_by_role("status")).to_have_text("Nøkkelen er kopiert.")
    assert page.evaluate("navigator.clipboard.readText()") == secret
    page.get_by_label("Kode fra appen").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Slå på totrinnsinnlogging").click()
    expect(page.get_by_role("heading", name="Gjenopprettingskoder")).to_be_visible()
    assert page.locator(".recovery-codes code").count() == 10
    assert_accessible(page, "recovery codes")
    screenshot(page, "sign-in-recovery-codes")
    page.get_by_role("link", name=re.compile("fortsett")).click()
    page.wait_for_url(re.compile(r"/$"))

    page.context.clear_cookies()
    page.goto("/logg-inn")
    page.locator("#email").fill("melder@trondheim.demo")
    page.locator("#password").fill("demo-avvik")
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(re.compile(r"/logg-inn/kode$"))
    assert page.get_by_label("Kode fra appen").get_attribute("inputmode") == "numeric"
    assert_accessible(page, "second factor code")
    screenshot(page, "sign-in-code")
    page.get_by_label("Kode fra appen").fill("000000")
    page.get_by_role("button", name="Logg inn").click()
    expect(page.get_by_text("Koden stemmer ikke")).to_be_visible()
    assert_accessible(page, "second factor code refused")
    page.get_by_label("Kode fra appen").fill(
        pyotp.TOTP(secret).at(utcnow() + timedelta(seconds=30))
    )
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(re.compile(r"/$"))


def test_min_konto_and_the_security_log_in_both_languages(page, live_server):
    page.set_viewport_size(PHONE)
    log_in(page, "lokaladmin@trondheim.demo")
    page.goto("/konto")
    expect(page.get_by_role("heading", name="Mine innlogginger")).to_be_visible()
    expect(page.get_by_text("Denne nettleseren")).to_be_visible()
    assert_accessible(page, "Min konto")
    screenshot(page, "sign-in-account")
    page.get_by_role("link", name="Endre passord").click()
    page.get_by_label("Nåværende passord").fill("feil")
    page.locator("#password").fill("kort")
    page.locator("#confirm").fill("kort")
    page.get_by_role("button", name="Endre passord").click()
    expect(page.get_by_text("Passordet er feil.").first).to_be_visible()
    assert_accessible(page, "Endre passord with errors")
    page.goto("/admin/sikkerhetslogg")
    expect(page.get_by_role("heading", name="Sikkerhetslogg")).to_be_visible()
    expect(page.get_by_text("Innlogget").first).to_be_visible()
    assert_accessible(page, "security log")
    screenshot(page, "sign-in-security-log")

    switch_language(page, "English")
    expect(page.get_by_role("heading", name="Security log")).to_be_visible()
    assert_accessible(page, "security log (en)")
    page.goto("/konto")
    expect(page.get_by_role("heading", name="My sign-ins")).to_be_visible()
    assert_accessible(page, "Min konto (en)")
    page.context.clear_cookies()
    page.goto("/logg-inn")
    switch_language(page, "English")
    # axe-core on the English login page at 360 px: the crawl (CRAWL_COVERS).
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
