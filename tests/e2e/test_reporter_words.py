"""The reporter's words in a real browser (issue 22, docs/glossary.md): the case page and Mine
avvik show the reporting side's status with its explanation, never the handler's routing, and
the harm with its definition; 360 and 1280 px, Norwegian and English, axe-core on each."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.handling.moves import Move
from app.models import Harm
from tests import factories
from tests.e2e.browser import assert_accessible, log_in, screenshot, switch_language

pytestmark = pytest.mark.e2e

REPORTER = "melder@trondheim.demo"
PHONE, DESK = {"width": 360, "height": 800}, {"width": 1280, "height": 900}

WORDS = {
    "nb": {
        "status": "Under arbeid",
        "explains": "Mottaket arbeider med avviket.",
        "internal": ("Videresendt", "Under behandling", "Ny"),
        "harm": "Moderat skade",
        "defines": "Skade som trengte ekstra behandling eller oppfølging",
        "legend": "Hva betyr statusene?",
        "overdue": "Over fristen",
    },
    "en": {
        "status": "Being worked on",
        "explains": "The receiving inbox is working on the deviation.",
        "internal": ("Forwarded", "In progress", "New"),
        "harm": "Moderate harm",
        "defines": "Harm that needed extra treatment or follow-up",
        "legend": "What do the statuses mean?",
        "overdue": "Overdue",
    },
}


def _no_sideways_scroll(page, label: str) -> None:
    wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 0, f"{label}: {wide} px sideways"


def test_the_reporter_reads_the_reporting_sides_status_and_the_harm_defined(page, live_app):
    with live_app.app_context():
        forwarded = factories.deviation(title="Videresendt internt", harm=Harm.MODERAT)
        factories.move(forwarded, Move.START)
        factories.forward(forwarded, factories.new_unit(name="Slagenheten"), text="Se på dette")
        late = factories.deviation(title="Gammelt avvik", days_ago=40)
        reference = forwarded.reference
        late_reference = late.reference
        db.session.commit()

    log_in(page, REPORTER)
    for lang, name in (("nb", None), ("en", "English")):
        words = WORDS[lang]
        if name:
            switch_language(page, name)
        page.goto(f"/avvik/{reference}")
        main = page.locator("main")
        expect(main.locator(".badge", has_text=words["status"])).to_be_visible()
        expect(page.locator("#status-forklaring")).to_contain_text(words["explains"])
        expect(page.locator("#skade-definisjon")).to_contain_text(words["defines"])
        expect(main).to_contain_text(words["harm"])
        badges = main.locator(".badge").all_inner_texts()
        for internal in words["internal"]:
            assert internal not in badges, (lang, internal)
        # Where the receiving organisation sent it inside is its own business.
        assert "Slagenheten" not in main.inner_text()
        for size in (PHONE, DESK):
            page.set_viewport_size(size)
            screenshot(page, f"reporter-case-{lang}-{size['width']}")
            _no_sideways_scroll(page, f"case page {lang} {size['width']}")
            assert_accessible(page, f"reporter's case page {lang} at {size['width']} px")

        page.goto("/avvik/mine")
        row = page.locator("tr", has_text=reference)
        expect(row.locator(".badge", has_text=words["status"])).to_be_visible()
        expect(page.locator("tr", has_text=late_reference)).to_contain_text(words["overdue"])
        page.get_by_text(words["legend"]).click()
        expect(page.locator("#statusforklaring")).to_contain_text(words["explains"])
        for size in (PHONE, DESK):
            page.set_viewport_size(size)
            screenshot(page, f"reporter-mine-{lang}-{size['width']}")
            _no_sideways_scroll(page, f"Mine avvik {lang} {size['width']}")
            assert_accessible(page, f"Mine avvik {lang} at {size['width']} px")
