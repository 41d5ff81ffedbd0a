"""Retention in a real browser, in Norwegian and in English: after `flask maintenance` a case
closed longer ago than CASE_RETENTION_YEARS shows only what the statistics count, says why, and
keeps its clinic; axe-core on the page."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.e2e.browser import assert_accessible, log_in, switch_language

pytestmark = pytest.mark.e2e

WORDS = {
    "nb": ("Avviket ble anonymisert", "Avviket anonymisert etter oppbevaringstiden"),
    "en": ("The deviation was anonymised", "Deviation anonymised after the retention period"),
}
CLINIC = {
    "nb": ("Medisinsk klinikk", "Geriatrisk"),
    "en": ("Clinic of Medicine", "Geriatric"),
}


def _old_closed_case(app) -> str:
    from app.auth.services import find_user
    from app.common.dates import today_local
    from app.data.seed import HOSPITAL, organisation_by_name
    from app.deviations.services import DeviationInput, file_deviation
    from app.extensions import db
    from app.handling.thread import post_message
    from app.models import Category, Deviation, Harm, Status, Unit, utcnow

    with app.app_context():
        category = db.session.scalar(sa.select(Category).limit(1))
        unit = db.session.scalar(sa.select(Unit).where(Unit.name == "Geriatrisk avdeling"))
        deviation = file_deviation(
            find_user("melder@trondheim.demo"),
            DeviationInput(
                counterpart_org_id=organisation_by_name(HOSPITAL).id,
                counterpart_unit_id=unit.id,
                event_date=today_local(),
                category_id=category.id,
                harm=Harm.LAV,
                title="Petter Smart kom hjem uten epikrise",
                description="Petter Smart kom hjem uten papirer.",
            ),
        )
        post_message(deviation, find_user("mottak@stolav.demo"), "Hvilken dag kom Petter hjem?")
        db.session.execute(
            sa.update(Deviation)
            .where(Deviation.id == deviation.id)
            .values(status=Status.BESVART, closed_at=utcnow() - timedelta(days=11 * 366))
        )
        db.session.commit()
        return deviation.reference


@pytest.mark.parametrize("language", ["nb", "en"])
def test_an_anonymised_case_shows_only_what_the_statistics_count(page, live_app, language):
    notice, history = WORDS[language]
    reference = _old_closed_case(live_app)
    result = live_app.test_cli_runner().invoke(args=["maintenance"])
    assert "Saker anonymisert etter CASE_RETENTION_YEARS: 1" in result.output, result.output
    log_in(page, "mottak@stolav.demo")
    if language == "en":
        switch_language(page, "English")
        page.wait_for_load_state()
    page.goto(f"/avvik/{reference}")
    expect(page.get_by_role("status").filter(has_text=notice)).to_be_visible()
    expect(page.get_by_text(history)).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Petter")
    # The unit is cut to its clinic, named in the reader's language.
    clinic, department = CLINIC[language]
    expect(page.locator("main")).to_contain_text(clinic)
    expect(page.locator("main")).not_to_contain_text(department)
    # Nothing is left to rectify on an anonymised case.
    expect(page.locator("#retting-seksjon")).to_have_count(0)
    assert_accessible(page, f"anonymised case ({language})")
