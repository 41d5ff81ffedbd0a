"""Faster filing in a real browser (issue 20): a nurse already signed in files "utskrevet uten
legemiddelliste" on a phone, every tap counted; the suggested category; the warning before a
second similar case and "Send likevel"; the optional questions opening by themselves on an
error. 360 and 1280 px, Norwegian and English, axe-core on every state.
"""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa
from playwright.sync_api import expect

from app.common.dates import today_local
from app.extensions import db
from app.models import Deviation
from tests import factories
from tests.e2e.browser import assert_accessible, log_in, screenshot, switch_language

NURSE = "melder@trondheim.demo"
COLLEAGUE = "lokaladmin@trondheim.demo"
MAX_TAPS = 6
SENTENCE = "Utskrevet uten legemiddelliste"


def _seed_history(app) -> None:
    """Trondheim's earlier cases, filed by a colleague days ago (so none warns the nurse)."""
    with app.app_context():
        for n, (title, category, counterpart) in enumerate(
            [
                (
                    "Utskrevet uten legemiddelliste",
                    "Legemidler/legemiddelliste",
                    factories.HOSPITAL,
                ),
                ("Legemiddelliste manglet", "Legemidler/legemiddelliste", factories.HOSPITAL),
                ("Feil i legemiddellisten", "Legemidler/legemiddelliste", factories.HOSPITAL),
                ("Utskrevet uten epikrise", "Utskrivning", factories.HOSPITAL),
                ("Utskrevet uten beskjed", "Utskrivning", factories.HOSPITAL),
                ("Transport kom ikke", "Transport", "Malvik"),
            ]
        ):
            factories.deviation(
                reporter=COLLEAGUE,
                title=title,
                category=category,
                counterpart=counterpart,
                days_ago=3 + n,
            )
        db.session.commit()


def _selected(page, selector: str) -> str:
    return page.evaluate(
        "(s) => { const e = document.querySelector(s); return e.options[e.selectedIndex].text; }",
        selector,
    )


def _fits(page, width: int) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{page.url} scrolls sideways at {width} px: {scroll}"


def test_faster_filing(page, live_app, capsys):
    _seed_history(live_app)
    page.set_viewport_size({"width": 360, "height": 740})
    log_in(page, NURSE)  # "already signed in": the taps start on the start page

    # --- "utskrevet uten legemiddelliste" in counted taps, at 360 px ------------------------
    taps: list[str] = []

    def tap(locator, name: str) -> None:
        locator.click()
        taps.append(name)

    page.goto("/")
    tap(page.locator("main").get_by_role("link", name="Meld avvik"), "Meld avvik")
    page.wait_for_url(re.compile(r"/avvik/nytt$"))
    starts = page.locator("a.filing-start")
    expect(starts).to_have_count(3)
    expect(starts.first).to_contain_text("Legemidler/legemiddelliste")
    expect(starts.first).to_contain_text("til St. Olavs hospital HF")
    # The optional questions wait behind one line; the date buttons sit beside the date.
    expect(page.locator("#flere-opplysninger")).not_to_have_attribute("open", "")
    expect(page.locator("#suggestion")).to_be_hidden()
    _fits(page, 360)
    screenshot(page, "faster-filing-360")
    assert_accessible(page, "filing form at 360 px")

    tap(starts.first, "starting point")
    assert _selected(page, "#counterpart_org") == "St. Olavs hospital HF"
    assert _selected(page, "#category") == "Legemidler/legemiddelliste"
    # The starting point hands the keyboard to the title: the one sentence, typed.
    expect(page.locator("#title")).to_be_focused()
    page.keyboard.type(SENTENCE)
    tap(page.get_by_role("button", name="I går"), "I går")
    yesterday = today_local() - timedelta(days=1)
    assert page.locator("#event_date").input_value() == yesterday.isoformat()
    expect(page.get_by_role("button", name="I går")).to_have_attribute("aria-pressed", "true")
    tap(page.get_by_label("Liten skade", exact=True), "harm")
    assert_accessible(page, "filled filing form at 360 px")
    tap(page.get_by_role("button", name="Send avvik"), "Send avvik")
    page.wait_for_url(re.compile(r"/avvik/AV-\d{4}-\d{5}/sendt"))
    with capsys.disabled():
        print(f"\nfaster filing: {len(taps)} taps and one sentence: {', '.join(taps)}")
    assert len(taps) <= MAX_TAPS, taps
    with live_app.app_context():
        filed = db.session.scalar(sa.select(Deviation).order_by(Deviation.id.desc()).limit(1))
        assert filed.reporter.email == NURSE
        assert filed.counterpart_org_name == factories.HOSPITAL
        assert filed.category.name == "Legemidler/legemiddelliste"
        assert filed.event_date == yesterday
        assert (filed.title, filed.description) == (SENTENCE, SENTENCE)
        first_reference = filed.reference

    # --- in English at 1280 px: the suggested category, then the duplicate warning ----------
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/avvik/nytt")
    switch_language(page, "English")
    page.wait_for_url(re.compile(r"/avvik/nytt$"))
    expect(page.get_by_role("heading", level=1)).not_to_contain_text("Meld")
    expect(page.locator("a.filing-start").first).to_contain_text("to St. Olavs hospital HF")
    expect(page.get_by_role("button", name="Yesterday")).to_be_visible()
    expect(page.get_by_text("Add more details (optional)")).to_be_visible()
    page.locator("#counterpart_org").select_option(label=factories.HOSPITAL)
    page.locator("#title").fill("Legemiddellisten manglet ved utskrivning")
    badge = page.locator("#kategori-foreslatt")
    expect(badge).to_be_visible()
    expect(badge).to_have_text("Suggested")
    # The categories by their English names (issue 22).
    assert _selected(page, "#category") == "Medicines/medication list"
    assert_accessible(page, "filing form with a suggested category, English, 1280 px")
    # The reporter may always change it; the mark then goes.
    page.locator("#category").select_option(label="Discharge")
    expect(badge).to_be_hidden()
    page.locator("#category").select_option(label="Medicines/medication list")
    page.get_by_label("Mild harm", exact=True).check()
    page.get_by_role("button", name="Send deviation").click()

    warning = page.locator("#lignende-sendt")
    expect(warning).to_be_visible()
    expect(warning).to_be_focused()
    expect(warning.get_by_role("link", name=first_reference)).to_have_attribute(
        "href", f"/avvik/{first_reference}"
    )
    expect(warning).to_contain_text(SENTENCE)
    # Nothing typed is lost.
    assert page.locator("#title").input_value() == "Legemiddellisten manglet ved utskrivning"
    assert _selected(page, "#category") == "Medicines/medication list"
    _fits(page, 1280)
    screenshot(page, "faster-filing-duplicate-1280")
    assert_accessible(page, "duplicate warning, English, 1280 px")
    page.set_viewport_size({"width": 360, "height": 740})
    _fits(page, 360)
    screenshot(page, "faster-filing-duplicate-360")
    assert_accessible(page, "duplicate warning, English, 360 px")
    anyway = warning.get_by_role("button")
    assert anyway.inner_text() != "Send likevel"  # in English
    anyway.click()
    page.wait_for_url(re.compile(r"/avvik/AV-\d{4}-\d{5}/sendt"))
    with live_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Deviation)) == 8

    # --- back in Norwegian: an error among the optional questions opens them -----------------
    page.goto("/avvik/nytt")
    switch_language(page, "Norsk")
    page.wait_for_url(re.compile(r"/avvik/nytt$"))
    # Typed without a starting point: the category is suggested, and says so.
    page.locator("#title").fill("Feil legemiddelliste")
    expect(page.locator("#kategori-foreslatt")).to_have_text("Foreslått")
    expect(page.locator("#kategori-foreslatt")).to_be_visible()
    assert _selected(page, "#category") == "Legemidler/legemiddelliste"
    page.locator("#counterpart_org").select_option(label=factories.HOSPITAL)
    page.get_by_text("Legg til flere opplysninger (valgfritt)").click()
    page.locator("#patient_id").fill("12345678901")
    page.get_by_label("Ingen skade", exact=True).check()
    page.get_by_role("button", name="Send avvik").click()
    expect(page.locator("#feiloppsummering")).to_be_focused()
    expect(page.locator("#flere-opplysninger")).to_have_attribute("open", "")
    expect(page.locator("#patient_id")).to_be_visible()
    expect(page.locator("#patient_id-feil")).to_contain_text("ikke et gyldig fødselsnummer")
    assert page.locator("#title").input_value() == "Feil legemiddelliste"
    _fits(page, 360)
    assert_accessible(page, "optional questions opened by an error, 360 px")
    page.set_viewport_size({"width": 1280, "height": 900})
    screenshot(page, "faster-filing-optional-error-1280")
    assert_accessible(page, "optional questions opened by an error, 1280 px")
