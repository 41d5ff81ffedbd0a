"""A handler's start page in a real browser (issue 20): the handler lands on the queues after
logging in; at 360 and 1280 px, in Norwegian and in English, the counts are the database's,
every row shows its harm, its unread mark and its deadline whole (nothing cut, nothing scrolls
sideways), and axe-core finds no WCAG 2.1 A/AA violation."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.models import Harm
from tests import factories
from tests.e2e.browser import assert_accessible, log_in, screenshot, switch_language
from tests.test_handler_queues import QUEUES, expected_counts

pytestmark = pytest.mark.e2e

LONG_TITLE = (
    "Pasienten ble skrevet ut fra sykehuset på kvelden uten legemiddelliste og uten at "
    "hjemmetjenesten var varslet om ny insulin-dosering"
)

# Every element of a queue's row that must show whole: its right edge inside its row and the
# window, and not clipped by an overflow (scrollWidth beyond clientWidth).
CUT = """(rows) => rows.flatMap(row => {
  const box = row.getBoundingClientRect();
  return [...row.querySelectorAll('.badge, .text-nowrap, a')].filter(el => {
    const r = el.getBoundingClientRect();
    return r.width === 0 || r.right > box.right + 0.5 || r.right > window.innerWidth
      || el.scrollWidth > el.clientWidth + 1;
  }).map(el => el.textContent.trim());
})"""


def test_handler_lands_on_the_queues_whole_at_360_and_1280_in_both_languages(page, live_app):
    with live_app.app_context():
        factories.deviation(days_ago=30, harm=Harm.DOD, title="Pasienten døde etter utskrivning")
        factories.deviation(days_ago=14, title=LONG_TITLE)
        factories.deviation(days_ago=10, harm=Harm.ALVORLIG, title="Fall i hjemmet")
        asked = factories.deviation(days_ago=3, title="Melderen har svart")
        factories.message(asked, by="mottak@stolav.demo", body="Hvilken dag?")
        factories.message(asked, body="Fredag.")
        factories.deviation(title="Helt ny sak")
        db.session.commit()
        handler = factories.user("mottak@stolav.demo")
        expected = expected_counts(handler.organisation_id, handler.id, handler.unit_id)

    log_in(page, "mottak@stolav.demo")
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Arbeidsliste – St. Olavs hospital HF"
    )
    for language, heading in (("nb", "Over fristen"), ("en", "Overdue")):
        if language == "en":
            switch_language(page, "English")
        expect(page.locator("#ko-over-fristen-tittel")).to_contain_text(heading)
        for queue in QUEUES:
            expect(page.locator(f"#antall-{queue}")).to_have_text(expected[queue])
        overdue = page.locator("#ko-over-fristen .list-group-item")
        expect(overdue.first).to_contain_text("Pasienten døde etter utskrivning")  # serious first
        answered = page.locator("#ko-svar-fra-melder .list-group-item").first
        expect(answered.locator(".unread-mark")).to_be_visible()
        for width in (360, 1280):
            page.set_viewport_size({"width": width, "height": 900})
            scroll = page.evaluate("document.documentElement.scrollWidth")
            assert scroll <= width, f"scrolls sideways at {width} px ({language}): {scroll}"
            rows = page.locator(".queue-rows .list-group-item")
            assert rows.count() >= 5
            cut = rows.evaluate_all(CUT)
            assert not cut, f"cut at {width} px ({language}): {cut}"
            assert_accessible(page, f"handler's start page ({language}, {width} px)")
            screenshot(page, f"arbeidsliste-{language}-{width}")
