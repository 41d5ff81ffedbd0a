"""The English-name fields and the role cards in Chromium at a phone's and a desktop's width:
an admin names a category in both languages and an English reader finds the English name on the
filing form; a tap anywhere on a role's card ticks it; nothing scrolls sideways; axe is clean."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from app.auth.services import find_user
from tests.e2e.browser import assert_accessible, log_in, screenshot, switch_language

pytestmark = pytest.mark.e2e

WIDTHS = (360, 1280)


def _no_sideways_scroll(page, label: str) -> None:
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{label}: {overflow} px wider than the window"


def test_role_cards_and_english_names(page, live_app):
    log_in(page, "admin@demo.demo")
    page.goto("/admin/kategorier")
    page.locator("#name").fill("Ernæring")
    page.locator("#name_en").fill("Nutrition")
    page.get_by_role("button", name="Legg til").last.click()
    page.wait_for_load_state()
    expect(page.locator("main")).to_contain_text("Nutrition")

    for language in ("nb", "en"):
        if language == "en":
            switch_language(page, "English")
            page.wait_for_load_state()
        page.goto("/admin/brukere/ny")
        cards = page.locator(".choice-card")
        expect(cards).to_have_count(6)
        handler = cards.filter(has=page.locator("input[value=saksbehandler]"))
        expect(handler).to_contain_text("Saksbehandler" if language == "nb" else "Case handler")
        # The label covers the card: a tap on the help line ticks the box.
        handler.locator(".form-text").click(force=True)  # at its place: the label takes it
        expect(handler.locator("input")).to_be_checked()
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            _no_sideways_scroll(page, f"invite {width} {language}")
            screenshot(page, f"admin-invite-roles-{language}-{width}")
        assert_accessible(page, f"invite with role cards ({language})")
        page.goto("/admin/kategorier")
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            _no_sideways_scroll(page, f"categories {width} {language}")
            screenshot(page, f"admin-categories-{language}-{width}")
        assert_accessible(page, f"categories with English names ({language})")

    with live_app.app_context():
        assert find_user("admin@demo.demo").language == "en"
    page.goto("/avvik/nytt")
    options = page.locator("#category option")
    expect(options.filter(has_text=re.compile("^Nutrition$"))).to_have_count(1)
    expect(options.filter(has_text=re.compile("^Discharge$"))).to_have_count(1)
    expect(options.filter(has_text="Utskrivning")).to_have_count(0)
