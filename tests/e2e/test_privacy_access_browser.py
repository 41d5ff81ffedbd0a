"""Art. 15 in a real browser, in Norwegian and in English: the data protection officer
downloads a patient's cases and their readers as PDF and CSV; a person sees their own
security-log rows on Min konto. axe-core on both pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.e2e.browser import assert_accessible, log_in, log_out, switch_language
from tests.factories import identity_number as make_identity_number
from tests.support import pdf_text

pytestmark = pytest.mark.e2e

OFFICER = "personvern@stolav.demo"
PATIENT = make_identity_number("030370")
WORDS = {
    "nb": {"pdf": "Innsyn som PDF", "csv": "Innsyn som CSV", "log": "Min sikkerhetslogg"},
    "en": {"pdf": "Access report as PDF", "csv": "Access report as CSV", "log": "My security log"},
}


def _populate(app) -> str:
    from app.auth.services import create_user, find_user
    from app.common.dates import today_local
    from app.data.demo import DEMO_PASSWORD
    from app.data.seed import HOSPITAL, organisation_by_name
    from app.deviations.services import DeviationInput, file_deviation
    from app.extensions import db
    from app.models import Category, Harm, Role

    with app.app_context():
        create_user(OFFICER, "Petra Personvern", organisation_by_name(HOSPITAL), DEMO_PASSWORD,
                    {Role.PERSONVERN})  # fmt: skip
        category = db.session.scalar(sa.select(Category).limit(1))
        reference = file_deviation(
            find_user("melder@trondheim.demo"),
            DeviationInput(
                counterpart_org_id=organisation_by_name(HOSPITAL).id,
                event_date=today_local(),
                category_id=category.id,
                harm=Harm.LAV,
                title="Kom hjem uten epikrise",
                description="Kom hjem uten papirer.",
                patient_id=PATIENT,
            ),
        ).reference
        db.session.commit()
        return reference


def _english(page, language: str) -> None:
    if language == "en":
        switch_language(page, "English")
        page.wait_for_load_state()


@pytest.mark.parametrize("language", ["nb", "en"])
def test_the_officer_hands_over_readers_and_a_person_sees_their_own_log(page, live_app, language):
    words = WORDS[language]
    reference = _populate(live_app)
    log_in(page, "mottak@stolav.demo")
    page.goto(f"/avvik/{reference}")  # one reading to find
    log_out(page)

    log_in(page, OFFICER)
    _english(page, language)
    page.goto("/personvern/")
    page.locator("#number").fill(PATIENT)
    with page.expect_download() as pdf:
        page.get_by_role("button", name=words["pdf"]).click()
    text = "\n".join(pdf_text(pdf.value.path().read_bytes()))
    assert reference in text and "Siri Mottak" in text and PATIENT not in text
    page.locator("#number").fill(PATIENT)
    with page.expect_download() as csv:
        page.get_by_role("button", name=words["csv"]).click()
    body = csv.value.path().read_text(encoding="utf-8-sig")
    assert reference in body and "mottak@stolav.demo" in body and PATIENT not in body
    assert_accessible(page, f"privacy page ({language})")

    page.goto("/konto")
    expect(page.get_by_role("heading", name=words["log"])).to_be_visible()
    expect(page.locator("#egen-sikkerhetslogg tbody tr").first).to_be_visible()
    assert_accessible(page, f"account page with own security log ({language})")


@pytest.mark.parametrize("language", ["nb", "en"])
def test_the_officer_reads_the_unusual_access_list(page, live_app, language):
    from app.auth.services import find_user
    from app.extensions import db
    from app.maintenance import run_maintenance
    from app.models import AccessAction, utcnow
    from app.privacy.access_log import record_access

    reference = _populate(live_app)
    live_app.config["UNUSUAL_ACCESS_CASES_PER_DAY"] = 0
    with live_app.app_context():
        from app.models import Deviation

        case = db.session.scalar(sa.select(Deviation).where(Deviation.reference == reference))
        yesterday = utcnow() - timedelta(days=1)
        record_access(find_user("mottak@malvik.demo"), AccessAction.DEVIATION_VIEWED,
                      deviation=case, now=yesterday)  # fmt: skip
        record_access(find_user("mottak@stolav.demo"), AccessAction.DEVIATION_VIEWED,
                      deviation=case, now=yesterday)  # fmt: skip
        run_maintenance()
        db.session.commit()
    log_in(page, OFFICER)
    _english(page, language)
    page.goto("/personvern/")
    page.get_by_role(
        "link", name={"nb": "Uvanlige oppslag", "en": "Unusual access"}[language]
    ).click()
    row = page.locator("#uvanlige tbody tr").filter(has_text="Siri Mottak")
    expect(row).to_contain_text(
        {"nb": "Leste uvanlig mange avvik", "en": "Read an unusual number of deviations"}[language]
    )
    # Malvik's handler is Malvik's officer's business, not the hospital's.
    expect(page.locator("#uvanlige")).not_to_contain_text("Mona Mottak")
    assert_accessible(page, f"unusual access ({language})")
