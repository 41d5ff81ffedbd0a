"""Two handlers in two browsers on the same case: the one who submits second is told that
someone else changed it, sees the case as it is now, and keeps what they typed."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from app.data.seed import HOSPITAL
from app.extensions import db
from app.models import Role
from tests import factories
from tests.e2e.browser import CONTEXT, assert_accessible, log_in, screenshot, switch_language

pytestmark = pytest.mark.e2e


def test_the_second_handler_is_told_and_keeps_the_text(browser, live_app, live_server, page):
    with live_app.app_context():
        factories.new_user(
            "mottak2@stolav.demo", name="Per Mottak", org=HOSPITAL, roles=[Role.SAKSBEHANDLER]
        )
        reference = factories.deviation().reference
        db.session.commit()
    other = browser.new_context(base_url=live_server.url, **CONTEXT).new_page()
    other.set_viewport_size({"width": 360, "height": 740})
    log_in(page, "mottak@stolav.demo")
    log_in(other, "mottak2@stolav.demo")
    for p in (page, other):
        p.goto(f"/avvik/{reference}")

    other.locator("summary", has_text="Avvis").click()  # opens the reject form, then waits
    typed = "Dette er et internt avvik hos oss, ikke et samhandlingsavvik."
    other.get_by_label("Begrunnelse").fill(typed)

    page.locator("summary", has_text="Besvar og lukk").click()
    page.get_by_label("Endelig svar til melder").fill("Vi har endret rutinen for utskrivning.")
    page.get_by_role("button", name="Send svaret og lukk").click()
    expect(page.get_by_text("Svaret er sendt til melderen, og avviket er lukket.")).to_be_visible()

    other.get_by_role("button", name="Avvis").click()
    expect(other.get_by_text("Noen andre endret avviket samtidig med deg.")).to_be_visible()
    expect(other.get_by_text("Vi har endret rutinen for utskrivning.").first).to_be_visible()
    # Rejecting is no longer possible (the case is answered): the text is there to copy.
    expect(other.get_by_label("Det du skrev")).to_have_value(typed)
    assert other.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(other, "move-conflict")
    assert_accessible(other, "the deviation page after a lost race")

    # The same in English, the other way round: a reopening decided on the answered case
    # after a colleague has already reopened it.
    switch_language(other, "English")
    other.locator("summary", has_text="Reopen").click()
    other.get_by_label("Why is the deviation being reopened?").fill("The reporter called again.")
    page.locator("summary", has_text="Gjenåpne").click()
    page.get_by_role("button", name="Gjenåpne").click()
    expect(page.get_by_text("Avviket er åpnet igjen.")).to_be_visible()
    other.get_by_role("button", name="Reopen").click()
    expect(
        other.get_by_text("Someone else changed the deviation at the same time as you.")
    ).to_be_visible()
    expect(other.get_by_label("What you wrote")).to_have_value("The reporter called again.")
    assert other.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(other, "move-conflict-en")
    assert_accessible(other, "the deviation page after a lost race, in English")
    other.context.close()
