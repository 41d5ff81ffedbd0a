"""Good stories, lessons, the Læring page and the search in a real browser: axe-core finds no
WCAG 2.1 A/AA violation in Norwegian or English, nothing scrolls sideways at 360 px, and
screenshots at 360 and 1280 px go to test-artifacts/ for a human to look at."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.common.dates import today_local
from app.data.demo import create_demo_deviations
from app.data.demo_learning import create_demo_learning
from app.data.seed import HOSPITAL
from app.extensions import db
from app.handling.moves import Move
from app.models import Deviation, GoodStory, Lesson, LessonStatus
from reports import Tertial
from tests import factories
from tests.e2e.browser import (
    assert_accessible,
    axe_in_every_load,
    log_in,
    log_out,
    screenshot,
    switch_language,
)
from tests.factories import identity_number


@pytest.fixture
def demo(live_app) -> dict[str, object]:
    with live_app.app_context():
        create_demo_deviations()
        create_demo_learning()
        # Earlier cases like one of the demo deviations, so "Lignende avvik" has something.
        for days in (40, 60):
            factories.deviation(reporter="melder@trondheim.demo", counterpart=HOSPITAL, title="Legemiddelliste ikke oppdatert ved utreise", category="Legemidler/legemiddelliste", days_ago=days)  # fmt: skip
        db.session.commit()
        newest = db.session.scalar(
            sa.select(Deviation.reference).where(
                Deviation.title == "Legemiddelliste ikke oppdatert"
            )
        )
        waiting = db.session.scalar(
            sa.select(Lesson.id).where(Lesson.status == LessonStatus.TIL_VURDERING)
        )
        story = db.session.scalar(sa.select(GoodStory.id).where(GoodStory.passed_on_at.is_(None)))
        told = db.session.scalar(
            sa.select(GoodStory.id).where(GoodStory.title == "Ringte før utskrivning")
        )
        answered = db.session.scalar(
            sa.select(Deviation.reference).where(Deviation.title == "Kom hjem uten epikrise")
        )
    return {"newest": newest, "waiting": waiting, "story": story, "told": told,
            "answered": answered}  # fmt: skip


def _as(page, email: str, language: str) -> None:
    log_out(page)
    log_in(page, email)
    if language == "en":
        _english(page)


def _english(page) -> None:
    switch_language(page, "English")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"


def _check(page, url: str, name: str, language: str) -> None:
    page.goto(url)
    expect(page.locator("h1")).to_have_count(1)
    assert_accessible(page, f"{url} ({language})")
    for width in (360, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= width, f"{url} scrolls sideways at {width} px: {scroll}"
        screenshot(page, f"{name}-{language}-{width}")


# The search's status filter for someone who receives no cases: the reporting side's four.
REPORTER_STATUSES = {
    "nb": ["Alle", "Mottatt", "Under arbeid", "Besvart", "Avvist"],
    "en": ["All", "Received", "Being worked on", "Answered", "Rejected"],
}


@pytest.mark.parametrize("language", ["nb", "en"])
def test_pages_are_accessible_and_fit_a_phone(page, live_app, demo, language):
    with live_app.app_context():
        # One of the nurse's earlier cases is being worked on, for the status filter below.
        taken = db.session.scalars(
            sa.select(Deviation).where(
                Deviation.title == "Legemiddelliste ikke oppdatert ved utreise"
            )
        ).first()
        factories.move(taken, Move.START, by="mottak@stolav.demo")
        taken_ref = taken.reference
        db.session.commit()
    axe_in_every_load(page)  # axe looks at nearly every page loaded here
    _as(page, "melder@trondheim.demo", language)
    _check(page, "/", "forside", language)
    _check(page, "/gode-historier/ny", "historie-skjema", language)
    _check(page, "/gode-historier", "historier", language)
    _check(page, f"/gode-historier/{demo['told']}", "historie", language)
    _check(page, "/laering", "laering", language)
    _check(page, "/sok?q=legemiddelliste", "sok", language)
    words = REPORTER_STATUSES[language]
    expect(page.locator("#status option")).to_have_text(words)
    page.select_option("#status", label=words[2])
    page.locator("main form[role=search] button[type=submit]").click()
    page.wait_for_url("**status=under_arbeid**")
    expect(page.locator("#status")).to_have_value("under_arbeid")
    rows = page.locator("#sokeresultat tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(taken_ref)
    expect(rows.first.locator("td").nth(5)).to_have_text(words[2])
    assert_accessible(page, f"search by the reporter's status ({language})")

    _as(page, "mottak@malvik.demo", language)
    _check(page, f"/gode-historier/{demo['story']}", "historie-mottak", language)

    _as(page, "mottak@stolav.demo", language)
    _check(page, f"/avvik/{demo['newest']}", "avvik-lignende", language)
    expect(page.locator("#lignende-avvik li")).to_have_count(2)
    _check(page, "/mottak?q=epikrise", "mottak-sok", language)
    _check(page, f"/laering/nytt?avvik={demo['answered']}", "laering-skjema", language)

    _as(page, "forbedring@demo.demo", language)
    _check(page, f"/laering/{demo['waiting']}", "laering-vurdering", language)
    tertial = Tertial.last_complete(today_local()).code
    page.goto(f"/statistikk/?tertial={tertial}")
    expect(page.locator("#historier")).to_be_visible()
    assert_accessible(page, f"statistics with learning ({language})")


def test_telling_a_story_with_a_mistake_then_right(page, live_app, demo):
    log_in(page, "melder@stolav.demo")
    page.get_by_role("link", name="Fortell en god historie").first.click()  # the front page
    page.locator("#counterpart_org").select_option(label="Trondheim")
    page.locator("#title").fill("Takk til legevakten")
    page.locator("#description").fill(f"De ringte om {identity_number('010190')}.")
    page.locator("#why_it_mattered").fill("Pasienten slapp innleggelse.")
    page.locator("#consent_to_share").check()
    page.get_by_role("button", name="Send historien").click()
    expect(page.locator("#feiloppsummering")).to_be_visible()
    assert_accessible(page, "story form with an error")
    # Everything typed is still there; only the number has to go.
    expect(page.locator("#title")).to_have_value("Takk til legevakten")
    page.locator("#description").fill("De ringte legevakten og fikk svar med en gang.")
    page.get_by_role("button", name="Send historien").click()
    expect(page.get_by_text("Takk! Historien er sendt til mottaket hos Trondheim.")).to_be_visible()
    expect(page.get_by_role("heading", name="Takk til legevakten")).to_be_visible()


def test_review_and_publish_in_the_browser(page, live_app, demo):
    log_in(page, "forbedring@demo.demo")
    page.goto("/laering")
    page.get_by_role("link", name="Dosering skrives ut i klartekst").click()
    page.get_by_label("Publiser for hele helsefellesskapet").check()
    page.get_by_role("button", name="Lagre vurderingen").click()
    expect(page.get_by_text("Læringspunktet er publisert.")).to_be_visible()
    page.goto("/laering?q=blodfortynnende")
    expect(page.locator("#laering-liste article")).to_have_count(1)
