"""No case without a reader, in a real browser (issue 20): a nurse in Trondheim files to Frøya,
whose mottak nobody staffs; the form says before sending that the case goes to the fallback
mottak, the receipt says where it went, and St. Olavs' mottak is mailed. Then Mine avvik as
stacked cards on a phone, topped by "Venter på svar fra deg". Both languages, 360 and 1280 px,
axe-core on every page and width, one page load per look."""

from __future__ import annotations

import sqlalchemy as sa
from playwright.sync_api import expect

from app.data.seed import HOSPITAL
from app.extensions import db
from app.models import Deviation, Organisation, OutboxMail
from tests import factories
from tests.e2e.browser import (
    assert_accessible,
    axe_in_every_load,
    log_in,
    screenshot,
    switch_language,
)

NURSE = "melder@trondheim.demo"
LONG_TITLE = (
    "Spørsmål om legemiddellisten ved utskrivning fra Geriatrisk avdeling til hjemmetjenesten"
)


def _no_sideways_scroll(page, width: int) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"scrolls sideways at {width} px: {scroll}"


def _row_display(page) -> str:
    return page.locator("table.table-stack tbody tr").first.evaluate(
        "e => getComputedStyle(e).display"
    )


def test_unstaffed_froya_reaches_the_fallback_and_mine_avvik_stacks(page, live_app):
    with live_app.app_context():
        db.session.scalar(
            sa.select(Organisation).where(Organisation.name == HOSPITAL)
        ).fallback_mottak = True
        froya = db.session.scalar(sa.select(Organisation.id).where(Organisation.name == "Frøya"))
        asked = factories.deviation(title=LONG_TITLE)
        factories.message(asked, by="mottak@stolav.demo", body="Når kom pasienten hjem?")
        asked_reference = asked.reference
        db.session.commit()

    axe_in_every_load(page)  # every page loaded after the log-in is looked at with axe
    log_in(page, NURSE)
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto("/avvik/nytt")
    note = page.locator(f'[data-unstaffed-org="{froya}"]')
    expect(note).to_be_hidden()
    page.select_option("#counterpart_org", label="Frøya")
    expect(note).to_be_visible()
    expect(note).to_contain_text("Mottaket hos Frøya har ingen saksbehandler")
    expect(note).to_contain_text("reservemottak hos St. Olavs hospital HF")
    _no_sideways_scroll(page, 360)
    assert_accessible(page, "filing form, Frøya chosen (nb, 360 px)")
    page.select_option("#counterpart_org", label="Malvik")
    expect(note).to_be_hidden()
    page.select_option("#counterpart_org", label="Frøya")
    page.select_option("#category", label="Utskrivning")
    page.locator("#title").fill("Utskrevet uten legemiddelliste")
    page.locator("#description").fill("Pasienten kom hjem uten oppdatert legemiddelliste.")
    page.locator("input[name=harm][value=lav]").check()
    page.get_by_role("button", name="Send avvik").click()
    page.wait_for_url("**/sendt")
    where = page.locator("#hvor-avviket-gikk")
    expect(where).to_contain_text("Mottaket hos Frøya har ingen saksbehandler i Avvik")
    expect(where).to_contain_text("reservemottak hos St. Olavs hospital HF, som skal svare innen")
    _no_sideways_scroll(page, 360)
    assert_accessible(page, "receipt, sent on to the fallback (nb, 360 px)")
    receipt_url = page.url
    reference = page.locator("#referanse").inner_text().strip()
    with live_app.app_context():
        case = db.session.scalar(sa.select(Deviation).where(Deviation.reference == reference))
        assert case.counterpart_org_name == HOSPITAL
        mails = db.session.scalars(
            sa.select(OutboxMail).where(OutboxMail.subject.contains(reference))
        )
        assert [m.to_address for m in mails] == ["mottak@stolav.demo"]

    # Mine avvik on a phone: cards, no sideways scroll, the question waiting on top.
    page.goto("/avvik/mine")
    waiting = page.locator("section.waiting-for-you")
    expect(waiting.get_by_role("heading", name="Venter på svar fra deg")).to_be_visible()
    expect(waiting).to_contain_text(asked_reference)
    assert _row_display(page) == "block"
    expect(page.locator("table.table-stack tbody")).to_contain_text(reference)
    _no_sideways_scroll(page, 360)
    assert_accessible(page, "Mine avvik (nb, 360 px)")
    screenshot(page, "mine-avvik-nb-360")
    page.set_viewport_size({"width": 1280, "height": 900})
    assert _row_display(page) == "table-row"
    assert_accessible(page, "Mine avvik (nb, 1280 px)")

    # English: the same pages say the same.
    switch_language(page, "English")
    assert page.locator("html").get_attribute("lang") == "en"
    expect(waiting.get_by_role("heading", name="Waiting for your answer")).to_be_visible()
    assert_accessible(page, "Mine avvik (en, 1280 px)")
    page.set_viewport_size({"width": 360, "height": 800})
    assert _row_display(page) == "block"
    _no_sideways_scroll(page, 360)
    assert_accessible(page, "Mine avvik (en, 360 px)")
    screenshot(page, "mine-avvik-en-360")

    page.goto(receipt_url)
    expect(where).to_contain_text("The inbox of Frøya has no case handler in Avvik")
    expect(where).to_contain_text("fallback inbox at St. Olavs hospital HF")
    _no_sideways_scroll(page, 360)
    assert_accessible(page, "receipt (en, 360 px)")

    page.goto("/avvik/nytt")
    page.select_option("#counterpart_org", label="Frøya")
    expect(note).to_be_visible()
    expect(note).to_contain_text("goes at once to the health community's fallback inbox")
    assert_accessible(page, "filing form, Frøya chosen (en, 360 px)")
    page.set_viewport_size({"width": 1280, "height": 900})
    expect(note).to_be_visible()
    assert_accessible(page, "filing form, Frøya chosen (en, 1280 px)")
    screenshot(page, "filing-froya-en-1280")


def test_handler_sends_a_case_on_to_unstaffed_froya_and_hears_where_it_went(page, live_app):
    """The same rule for a handler's "Send til annen organisasjon": Malvik's handler sees
    Frøya marked in the choice, sends, and the notice names the fallback mottak."""
    with live_app.app_context():
        db.session.scalar(
            sa.select(Organisation).where(Organisation.name == HOSPITAL)
        ).fallback_mottak = True
        froya = db.session.scalar(sa.select(Organisation.id).where(Organisation.name == "Frøya"))
        reference = factories.deviation(counterpart="Malvik").reference
        db.session.commit()

    log_in(page, "mottak@malvik.demo")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"/avvik/{reference}")
    page.locator("summary", has_text="Send til annen organisasjon").click()
    form = page.locator("form:has(input[name=move][value=omdiriger])")
    note = form.locator(f'[data-unstaffed-org="{froya}"]')
    expect(note).to_be_hidden()
    form.locator("#omdiriger-target_org").select_option(label="Frøya")
    expect(note).to_be_visible()
    expect(note).to_contain_text("Mottaket hos Frøya har ingen saksbehandler")
    expect(note).to_contain_text("reservemottak hos St. Olavs hospital HF")
    assert_accessible(page, "reroute form, Frøya chosen (nb, 1280 px)")
    page.set_viewport_size({"width": 360, "height": 800})
    expect(note).to_be_visible()
    _no_sideways_scroll(page, 360)
    assert_accessible(page, "reroute form, Frøya chosen (nb, 360 px)")
    form.locator("#omdiriger-target_org").select_option(label=HOSPITAL)
    expect(note).to_be_hidden()
    form.locator("#omdiriger-target_org").select_option(label="Frøya")
    form.locator("#omdiriger-text").fill("Pasienten bor på Frøya.")
    form.locator("button[type=submit]").click()
    page.wait_for_url("**/mottak")
    notice = page.get_by_text("Mottaket hos Frøya har ingen saksbehandler i Avvik nå.")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("reservemottak hos St. Olavs hospital HF")
    _no_sideways_scroll(page, 360)
    assert_accessible(page, "inbox after sending on to the fallback (nb, 360 px)")
    page.set_viewport_size({"width": 1280, "height": 900})
    expect(notice).to_be_visible()
    assert_accessible(page, "inbox after sending on to the fallback (nb, 1280 px)")
    screenshot(page, "reroute-froya-notice-nb-1280")
    with live_app.app_context():
        case = db.session.scalar(sa.select(Deviation).where(Deviation.reference == reference))
        assert case.counterpart_org_name == HOSPITAL
        mails = db.session.scalars(
            sa.select(OutboxMail.to_address).where(
                OutboxMail.subject.contains(reference),
                OutboxMail.subject.contains("reservemottaket"),
            )
        )
        assert list(mails) == ["mottak@stolav.demo"]
