"""The conversation in a real browser: the reporter files, the handler asks, the reporter
answers, the handler closes with a response, the reporter reads it. axe-core on every page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import assert_accessible, log_in, log_out, screenshot
from tests.factories import identity_number

pytestmark = pytest.mark.e2e


def test_reporter_and_handler_talk_until_the_case_is_answered(page, live_server):
    # The reporter files a deviation against the hospital.
    log_in(page, "melder@trondheim.demo")
    page.goto("/avvik/nytt")
    page.locator("#counterpart_org").select_option(label="St. Olavs hospital HF")
    page.locator("#category").select_option(label="Utskrivning")
    page.get_by_label("Liten skade").check()
    page.locator("#title").fill("Epikrise manglet ved utskrivning")
    page.locator("#description").fill("Pasienten kom hjem uten epikrise og med ny medisin.")
    page.get_by_role("button", name="Send avvik").click()
    reference = page.locator("#referanse").inner_text()
    assert re.fullmatch(r"AV-\d{4}-\d{5}", reference)
    log_out(page)

    # The handler finds it in the inbox, with the counts and the deadline.
    log_in(page, "mottak@stolav.demo")
    page.goto("/mottak")
    expect(page.locator("#antall-apne")).to_have_text("1")
    row = page.get_by_role("row").filter(has_text=reference)
    expect(row.get_by_role("cell").last.get_by_text("14 dager igjen")).to_be_visible()
    assert_accessible(page, "inbox")
    page.get_by_role("link", name=reference).click()
    page.wait_for_url(f"**/avvik/{reference}")
    # Opening the new case acknowledged it; one button takes it.
    expect(page.get_by_text("Mottaket er bekreftet.")).to_be_visible()
    expect(page.get_by_role("button", name="Bekreft mottak")).to_have_count(0)
    assert_accessible(page, "deviation page, handler, new case")
    screenshot(page, "handling-actions-new-case")
    page.get_by_role("button", name="Ta saken").click()
    page.wait_for_url(f"**/avvik/{reference}")
    expect(page.get_by_text("Du har tatt avviket. Det står nå under Mine.")).to_be_visible()
    expect(page.get_by_text("Du har saken.")).to_be_visible()

    # A question with an identity number is refused beside the field, text kept; then asked.
    # (The handler's composer to the reporter is "Svar til melder" since issue 20.)
    box = page.get_by_label("Melding til melderen", exact=True)
    typed = f"Gjelder det {identity_number('010190')}? Hvilken dag ble pasienten utskrevet?"
    box.fill(typed)
    page.get_by_role("button", name="Send til melder").click()
    expect(page.locator("#body-feil")).to_contain_text("fødselsnummer eller D-nummer")
    expect(page.locator("#body")).to_have_value(typed)
    box = page.get_by_label("Melding til melderen", exact=True)
    box.fill("Hvilken dag ble pasienten utskrevet?")
    page.get_by_role("button", name="Send til melder").click()
    expect(page.get_by_text("Meldingen er sendt.")).to_be_visible()
    log_out(page)

    # The reporter sees the question and answers it.
    log_in(page, "melder@trondheim.demo")
    page.goto("/avvik/mine")
    # The question tops Mine avvik, under "Venter på svar fra deg", and leads to the thread.
    waiting = page.locator("section.waiting-for-you")
    expect(waiting.get_by_role("heading", name="Venter på svar fra deg")).to_be_visible()
    waiting.get_by_role("link", name=reference).click()
    thread = page.locator("#samtale-seksjon")
    expect(thread.get_by_text("Hvilken dag ble pasienten utskrevet?")).to_be_visible()
    expect(page.get_by_role("button", name="Besvar og lukk")).to_have_count(0)
    assert_accessible(page, "deviation page, reporter, open case")
    page.get_by_label("Melding", exact=True).fill("Fredag 6. mars, sent på kvelden.")
    page.get_by_role("button", name="Send melding").click()
    expect(thread.get_by_text("Fredag 6. mars, sent på kvelden.")).to_be_visible()
    log_out(page)

    # The handler tries to close without a response, is told so, then closes with one.
    log_in(page, "mottak@stolav.demo")
    page.goto(f"/avvik/{reference}")
    expect(
        page.locator("#samtale-seksjon").get_by_text("Fredag 6. mars, sent på kvelden.")
    ).to_be_visible()
    # The handler has taken the case: the answer is the next step, its form already open.
    expect(page.locator("#besvar-text")).to_be_visible()
    page.locator("#besvar-text").fill("")
    page.locator("form:has(#besvar-text)").get_by_role("button", name="Send svaret og lukk").click()
    error = page.locator("#besvar-text-feil")
    expect(error).to_have_text("Skriv svaret til den som meldte avviket.")
    assert_accessible(page, "deviation page with a refused move")
    page.locator("#besvar-text").fill("Vi har innført sjekkliste for epikrise ved utskrivning.")
    page.locator("form:has(#besvar-text)").get_by_role("button", name="Send svaret og lukk").click()
    page.wait_for_url(f"**/avvik/{reference}")
    expect(page.get_by_text("Svaret er sendt til melderen, og avviket er lukket.")).to_be_visible()
    log_out(page)

    # The reporter reads the response.
    log_in(page, "melder@trondheim.demo")
    page.goto("/avvik/mine")
    row = page.get_by_role("row").filter(has_text=reference)
    expect(row.get_by_text("Besvart")).to_be_visible()
    row.get_by_role("link", name=reference).click()
    answer = page.locator("section[aria-labelledby=svar]")
    expect(
        answer.get_by_text("Vi har innført sjekkliste for epikrise ved utskrivning.")
    ).to_be_visible()
    expect(answer.get_by_text("Svar fra St. Olavs hospital HF")).to_be_visible()
    assert_accessible(page, "deviation page, reporter, answered")
