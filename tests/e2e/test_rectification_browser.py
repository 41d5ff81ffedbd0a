"""Rectification in a real browser, in Norwegian and in English: the receiving handler removes a
name from the case (a wrong passage first, refused beside the field with the text kept) and
corrects the patient number; the page and the history show it. axe-core on the page."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.e2e.browser import assert_accessible, log_in, switch_language
from tests.factories import identity_number as make_identity_number

pytestmark = pytest.mark.e2e

NAME = "Petter Smart"
WORDS = {
    "nb": {
        "section": "Rett opplysninger",
        "passage": "Tekst som skal fjernes",
        "remove": "Fjern teksten",
        "not_found": "Fant ikke teksten i avviket",
        "removed": "Teksten er fjernet.",
        "history": "Tekst fjernet",
        "number": "Riktig fødselsnummer eller D-nummer",
        "correct": "Rett nummeret",
        "corrected": "Pasientens nummer er rettet.",
        "history_number": "Pasientens nummer rettet",
    },
    "en": {
        "section": "Correct information",
        "passage": "Text to remove",
        "remove": "Remove the text",
        "not_found": "The text was not found in the deviation",
        "removed": "The text has been removed.",
        "history": "Text removed",
        "number": "Correct national identity number or D number",
        "correct": "Correct the number",
        "corrected": "The patient's number has been corrected.",
        "history_number": "Patient's number corrected",
    },
}


def _file_case(app) -> str:
    from app.auth.services import find_user
    from app.common.dates import today_local
    from app.data.seed import HOSPITAL, organisation_by_name
    from app.deviations.services import DeviationInput, file_deviation
    from app.extensions import db
    from app.models import Category, Harm

    with app.app_context():
        category = db.session.scalar(sa.select(Category).limit(1))
        deviation = file_deviation(
            find_user("melder@trondheim.demo"),
            DeviationInput(
                counterpart_org_id=organisation_by_name(HOSPITAL).id,
                event_date=today_local(),
                category_id=category.id,
                harm=Harm.LAV,
                title="Kom hjem uten epikrise",
                description=f"{NAME} kom hjem uten papirer.",
                patient_id=make_identity_number("010150"),
            ),
        )
        db.session.commit()
        return deviation.reference


@pytest.mark.parametrize("language", ["nb", "en"])
def test_the_handler_removes_a_name_and_corrects_the_number(page, live_app, language):
    words = WORDS[language]
    reference = _file_case(live_app)
    log_in(page, "mottak@stolav.demo")
    if language == "en":
        switch_language(page, "English")
        page.wait_for_load_state()
    page.goto(f"/avvik/{reference}")
    expect(page.get_by_text(f"{NAME} kom hjem")).to_be_visible()
    page.get_by_text(words["section"]).click()

    box = page.get_by_label(words["passage"])
    box.fill("Ola Hansen")
    page.get_by_role("button", name=words["remove"]).click()
    expect(page.locator("#fjern-passage-feil")).to_contain_text(words["not_found"])
    expect(page.locator("#fjern-passage")).to_have_value("Ola Hansen")
    assert_accessible(page, f"case page, rectification refused ({language})")

    page.get_by_label(words["passage"]).fill(NAME)
    page.get_by_role("button", name=words["remove"]).click()
    page.wait_for_url(f"**/avvik/{reference}#retting")
    expect(page.get_by_text(words["removed"])).to_be_visible()
    expect(page.get_by_text("[fjernet av Siri Mottak")).to_be_visible()
    expect(page.get_by_text(NAME)).to_have_count(0)
    expect(page.get_by_text(words["history"], exact=True)).to_be_visible()

    page.get_by_text(words["section"]).click()
    page.get_by_label(words["number"]).fill(make_identity_number("020260"))
    page.get_by_role("button", name=words["correct"]).click()
    expect(page.get_by_text(words["corrected"])).to_be_visible()
    expect(page.get_by_text(words["history_number"])).to_be_visible()
    assert_accessible(page, f"case page after rectification ({language})")
