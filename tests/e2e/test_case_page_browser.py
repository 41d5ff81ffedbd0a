"""The case page in reading order and a delete in an analysis, in a real browser (issue 20):
the thread oldest first with the two composers after it, the grouped access log, the jump links
on a phone; a delete that asks first and says what went. 360 and 1280 px, Norwegian and English,
axe-core on each, on as few loads as the checks need."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.models import AccessAction
from app.privacy.access_log import record_access
from tests import factories
from tests.e2e.browser import assert_accessible, log_in, screenshot, switch_language

pytestmark = pytest.mark.e2e

HANDLER = "mottak@stolav.demo"
PHONE, DESK = {"width": 360, "height": 800}, {"width": 1280, "height": 900}


def _y(locator) -> float:
    return locator.bounding_box()["y"]


def _at_both_widths(page, label: str) -> None:
    # The picture shows the page as it opens; axe then looks inside every closed section too.
    as_opened = page.evaluate("[...document.querySelectorAll('details')].map(d => d.open)")
    for size in (PHONE, DESK):
        page.set_viewport_size(size)
        page.evaluate(
            "(states) => document.querySelectorAll('details').forEach((d, i) => d.open = states[i])",
            as_opened,
        )
        screenshot(page, f"case-page-{label.replace(' ', '-')}-{size['width']}")
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        assert_accessible(page, f"{label} at {size['width']} px")


def test_case_page_reads_in_order_with_two_composers_and_a_grouped_log(page, live_app):
    start = datetime(2026, 3, 2, 0, 52, 5, tzinfo=UTC)  # 01:52 in Oslo
    with live_app.app_context():
        dev = factories.deviation()
        factories.message(dev, by=HANDLER, body="Første: hvilken dag kom pasienten hjem?")
        factories.message(dev, by=HANDLER, body="Andre: sjekk med post 3", internal=True)
        factories.message(dev, by="melder@trondheim.demo", body="Tredje: fredag kveld")
        siri = factories.user(HANDLER)
        for i in range(13):
            record_access(siri, AccessAction.DEVIATION_VIEWED, deviation=dev,
                          now=start + timedelta(seconds=5 * i))  # fmt: skip
        reference = dev.reference
        db.session.commit()

    log_in(page, HANDLER)
    page.set_viewport_size(DESK)
    page.goto(f"/avvik/{reference}")
    thread = page.locator("#samtale-seksjon ol.thread > li")
    expect(thread).to_have_count(3)
    expect(thread.nth(0)).to_contain_text("Første")
    expect(thread.nth(1)).to_contain_text("Andre")
    expect(thread.nth(1)).to_contain_text("Internt notat")
    expect(thread.nth(2)).to_contain_text("Tredje")
    reply, note = page.locator("#skriv-melder"), page.locator("#skriv-notat")
    assert _y(thread.nth(2)) < _y(reply) < _y(note)
    expect(reply.get_by_role("heading")).to_have_text("Svar til melder")
    expect(reply.get_by_role("button")).to_have_text("Send til melder")
    expect(note.get_by_role("heading")).to_have_text("Internt notat")
    expect(note.get_by_role("button")).to_have_text("Lagre internt notat")
    colours = page.evaluate(
        "() => ['#skriv-melder', '#skriv-notat'].map("
        "s => getComputedStyle(document.querySelector(s)).backgroundColor)"
    )
    assert colours[0] != colours[1]
    # The side column stands beside the case at a desk: no jump links there.
    expect(page.locator("#hopp-til")).to_be_hidden()
    page.locator("#tilgangslogg-seksjon summary").click()
    repeated = page.locator("#tilgangslogg-seksjon li.access-log-repeated").filter(
        has_text="02.03.2026"
    )
    expect(repeated).to_contain_text("02.03.2026 kl. 01:52–01:53")
    expect(repeated).to_contain_text("Siri Mottak, St. Olavs hospital HF, 13 visninger")
    _at_both_widths(page, "handler nb")

    # On a phone the identity, history and log are one tap away, above the thread.
    page.set_viewport_size(PHONE)
    page.evaluate("window.scrollTo(0, 0)")
    jumps = page.locator("#hopp-til")
    expect(jumps).to_be_visible()
    assert _y(jumps) < _y(thread.nth(0))
    for name, target in [("Tilgangslogg", "#tilgangslogg"), ("Pasientens identitet", "#pasient"),
                         ("Historikk", "#historikk")]:  # fmt: skip
        jumps.get_by_role("link", name=name).click()
        expect(page.locator(target)).to_be_in_viewport()

    # The note is written in its own composer and lands last in the thread, marked.
    note.get_by_label("Notat til saksbehandlerne").fill("Fjerde: ringt post 3")
    note.get_by_role("button", name="Lagre internt notat").click()
    expect(page.get_by_text("Det interne notatet er lagret.")).to_be_visible()
    expect(thread).to_have_count(4)
    expect(thread.nth(3)).to_contain_text("Fjerde: ringt post 3")
    expect(thread.nth(3)).to_contain_text("Internt notat")

    switch_language(page, "English")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    expect(page.locator("#skriv-melder").get_by_role("button")).to_have_text("Send to the reporter")
    expect(page.locator("#skriv-notat").get_by_role("button")).to_have_text("Save internal note")
    log = page.locator("#tilgangslogg-seksjon li.access-log-repeated")
    expect(log.filter(has_text="02.03.2026 at 01:52–01:53")).to_contain_text("13 views")
    expect(page.locator("#hopp-til").get_by_role("link", name="Access log")).to_be_visible()
    _at_both_widths(page, "handler en")


def test_deleting_in_an_analysis_asks_first_and_says_what_went(page, live_app):
    with live_app.app_context():
        analysis = factories.analysis()
        factories.fill_analysis(analysis)
        reference = analysis.reference
        db.session.commit()

    log_in(page, HANDLER)
    page.set_viewport_size(PHONE)
    page.goto(f"/analyser/{reference}")
    points = page.locator("#laeringspunkter")
    points.get_by_role("link", name="Slett læringspunkt 1").click()
    page.wait_for_url("**/laering/*/slett")
    expect(page.get_by_role("heading", level=1)).to_have_text("Vil du slette dette?")
    expect(page.locator("#det-som-slettes")).to_have_text(
        "Læringspunkt 1: «Ring kommunen før pasienten drar.»"
    )
    _at_both_widths(page, "delete question nb")
    # "Nei, behold" goes back with nothing deleted.
    page.get_by_role("link", name="Nei, behold").click()
    page.wait_for_url(f"**/analyser/{reference}#laeringspunkter")
    expect(points.get_by_text("Ring kommunen før pasienten drar.")).to_be_visible()

    switch_language(page, "English")
    page.wait_for_load_state()
    page.locator("#problemer").get_by_role("link", name="Delete problem 1").click()
    page.wait_for_url("**/problem/*/slett")
    expect(page.get_by_role("heading", level=1)).to_have_text("Do you want to delete this?")
    expect(page.get_by_text("The problem's contributory factor is deleted too.")).to_be_visible()
    _at_both_widths(page, "delete question en")
    page.get_by_role("button", name="Yes, delete").click()
    page.wait_for_url(f"**/analyser/{reference}#problemer")
    expect(
        page.get_by_text(
            re.compile(r"^Problem 1: «Hjemmetjenesten var ikke varslet.*» has been deleted\.$")
        )
    ).to_be_visible()
    expect(page.locator("#problemer").get_by_text("Ingen fast rutine")).to_have_count(0)
    assert_accessible(page, "analysis after a delete, en")
