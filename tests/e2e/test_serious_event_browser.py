"""A serious event in a real browser, from filing to "Varslet Helsetilsynet" and into the
tertial's figures: the guidance shows the moment harm Død is chosen (with the counterpart's
mottak telephone, and without one for a mottak that has none), the receipt repeats it, the
inbox shows the case first and marked, the handler records the notice, and the statistics page
counts it. 360 and 1280 px, Norwegian and English, axe-core on each page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from app.common.dates import today_local
from reports import Tertial
from tests.e2e.browser import assert_accessible, log_in, log_out, screenshot, switch_language

pytestmark = pytest.mark.e2e

PHONE = "73 00 00 01"  # the hospital's demo mottak (app/data/demo.py)


def fits(page) -> bool:
    """Nothing wider than the screen: no sideways scrolling of the whole page."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def both_widths(page, label: str, axe_at: tuple[int, ...] = (360, 1280)) -> None:
    """Laid out at 360 and 1280 px without sideways scrolling; axe-core at the widths named
    (both where the page's own form is checked, one where only the layout differs)."""
    for width, height in ((360, 780), (1280, 900)):
        page.set_viewport_size({"width": width, "height": height})
        assert fits(page), f"{label} scrolls sideways at {width} px"
        if width in axe_at:
            assert_accessible(page, f"{label} at {width} px")
        screenshot(page, f"serious-{label.replace(' ', '-')}-{width}")


def test_a_serious_event_from_filing_to_notified_and_into_the_tertial(page, live_server):
    page.set_viewport_size({"width": 360, "height": 780})
    log_in(page, "melder@trondheim.demo")
    page.goto("/avvik/nytt")
    guidance = page.locator("section.serious-guidance")
    expect(guidance).to_be_hidden()
    page.locator("#category").select_option(label="Utskrivning")
    page.locator("#title").fill("Død etter feil dose ved utskrivning")
    page.locator("#description").fill("Pasienten fikk dobbel dose etter hjemkomst.")
    # Død chosen before the counterpart: the guidance asks for it, then shows its telephone.
    page.get_by_label("Dødsfall", exact=True).check()
    expect(guidance).to_be_visible()
    expect(guidance.get_by_text("Velg hvem avviket gjelder")).to_be_visible()
    page.locator("#counterpart_org").select_option(label="Malvik")
    expect(guidance.get_by_text("Telefonnummeret til mottaket er ikke registrert")).to_be_visible()
    page.locator("#counterpart_org").select_option(label="St. Olavs hospital HF")
    call = guidance.get_by_role("link", name=PHONE)
    expect(call).to_be_visible()
    expect(call).to_have_attribute("href", "tel:73000001")
    expect(guidance.get_by_text("Telefonnummeret til mottaket er ikke registrert")).to_be_hidden()
    notice_form = guidance.get_by_role("link", name=re.compile("Skjema for varsel"))
    expect(notice_form).to_have_attribute(
        "href", "https://www.helsetilsynet.no/tilsyn/varsel-om-alvorlige-hendelser/"
    )
    expect(guidance).to_contain_text("spesialisthelsetjenesteloven § 3-3a")
    expect(guidance).to_contain_text("helse- og omsorgstjenesteloven § 12-3a")
    expect(guidance).to_contain_text("egen organisasjons avvikssystem")
    both_widths(page, "filing form with guidance")
    # Back to Moderat skade: gone at once; Dødsfall again: back.
    page.get_by_label("Moderat skade", exact=True).check()
    expect(guidance).to_be_hidden()
    page.get_by_label("Dødsfall", exact=True).check()
    expect(guidance).to_be_visible()
    page.get_by_role("button", name="Send avvik").click()
    reference = page.locator("#referanse").inner_text()
    assert re.fullmatch(r"AV-\d{4}-\d{5}", reference)
    receipt = page.locator("section.serious-guidance")
    expect(receipt).to_be_visible()
    expect(receipt.get_by_role("link", name=PHONE)).to_be_visible()
    both_widths(page, "receipt of a serious event", axe_at=(360,))
    log_out(page)

    # The handler: the case first in the inbox, marked; the notice still to record.
    page.set_viewport_size({"width": 360, "height": 780})
    log_in(page, "mottak@stolav.demo")
    page.goto("/mottak")
    first = page.locator("#alvorlige-hendelser")
    expect(first.get_by_role("link", name=reference)).to_be_visible()
    expect(first.locator(".serious-mark").first).to_have_text("Alvorlig hendelse")
    expect(first).to_contain_text("3 dager igjen")
    both_widths(page, "inbox with serious events first", axe_at=(1280,))
    page.goto(f"/avvik/{reference}")
    panel = page.locator("#varsling-panel")
    expect(panel).to_contain_text("Ikke registrert ennå.")
    both_widths(page, "case page waiting for the notice")
    # Refused without a date: told beside the field, the name kept.
    page.get_by_label("Varslet Helsetilsynet").check()
    page.locator("#notified_by").fill("Klinikksjef Hansen")
    page.locator("#reference").fill("2026/4711")
    page.get_by_role("button", name="Registrer varslingen").click()
    expect(page.locator("#notified_on-feil")).to_have_text("Skriv datoen varselet ble sendt.")
    expect(page.locator("#notified_by")).to_have_value("Klinikksjef Hansen")
    page.locator("#notified_on").fill(today_local().isoformat())
    page.get_by_role("button", name="Registrer varslingen").click()
    page.wait_for_url(f"**/avvik/{reference}#varsling")
    expect(page.get_by_text("Varslingen er registrert.")).to_be_visible()
    status = page.locator("#varsling-status")
    expect(status).to_contain_text("Varslet Helsetilsynet")
    expect(status).to_contain_text("Klinikksjef Hansen")
    expect(status).to_contain_text("Referanse: 2026/4711.")
    expect(page.locator("#varslingsskjema")).to_be_hidden()
    expect(page.get_by_text("Endre registreringen")).to_be_visible()
    expect(page.get_by_role("region", name="Historikk")).to_contain_text("Varslet Helsetilsynet")
    both_widths(page, "case page notified", axe_at=(360,))

    # In English: the same record, then the tertial's figures in both languages.
    switch_language(page, "English")
    expect(page.locator("#varsling-status")).to_contain_text("Board of Health notified")
    expect(page.locator("main .serious-mark").first).to_have_text("Serious event")
    both_widths(page, "case page notified in English")
    tertial = Tertial.of(today_local()).code
    page.goto(f"/statistikk/?tertial={tertial}")
    tile = page.locator("#tile-alvorlige")
    expect(tile).to_contain_text("Serious events (severe harm or death)")
    expect(tile.locator(".stat-tile-value")).to_have_text("1")
    expect(tile).to_contain_text("notified to the Board of Health: 1")
    both_widths(page, "tertial in English", axe_at=(1280,))
    switch_language(page, "Norsk")
    expect(tile).to_contain_text("Alvorlige hendelser (alvorlig skade eller dødsfall)")
    expect(tile).to_contain_text("varslet Helsetilsynet: 1")
