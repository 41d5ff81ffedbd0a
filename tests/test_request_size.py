"""Security review, finding 1: CPU for the asking. A request far larger than any form is refused
with a Norwegian 413 before it is read; a text over its field's limit is refused for its length
without being scanned for identity numbers; and the scan itself is linear, so a long chain of
digit groups costs no more than its length."""

from __future__ import annotations

import sqlalchemy as sa

from app.common.identity import find_all
from app.extensions import db
from app.models import Deviation
from app.models.deviation import DESCRIPTION_MAX
from tests.test_filing_routes import valid_form

MEGABYTE = 1024 * 1024


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(Deviation.id)))


def test_a_megabyte_from_a_visitor_is_refused_before_it_is_read(client):
    response = client.post(
        "/logg-inn", data={"email": "x@y.no", "password": "1 " * (MEGABYTE // 2)}
    )
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "Skjemaet var for stort" in page


def test_a_megabyte_filing_is_refused_with_413_not_checked(app, login_as):
    client = login_as("melder@trondheim.demo")
    before = _count(app)
    response = client.post("/avvik/nytt", data=valid_form(app, description="1 " * (MEGABYTE // 2)))
    assert response.status_code == 413
    assert "Skjemaet var for stort" in response.get_data(as_text=True)
    assert _count(app) == before


def test_the_413_page_in_english(client):
    client.set_cookie("lang", "en")
    response = client.post("/logg-inn", data={"email": "x@y.no", "password": "x" * MEGABYTE})
    assert response.status_code == 413
    assert "The form was too large" in response.get_data(as_text=True)


def test_a_text_over_its_limit_is_refused_for_its_length_and_kept(app, login_as):
    client = login_as("melder@trondheim.demo")
    # Over the limit, and holding a valid identity number: the length is what is said.
    long_text = "pasient 010190 100 46 " + "1 " * DESCRIPTION_MAX
    response = client.post("/avvik/nytt", data=valid_form(app, description=long_text))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f"høyst {DESCRIPTION_MAX} tegn" in page.replace("\u00a0", " ")
    assert "ser ut til å inneholde et fødselsnummer" not in page
    assert "1 1 1 1 1 1 1 1" in page  # what was typed comes back


def test_within_the_limit_the_identity_check_still_runs(app, login_as):
    client = login_as("melder@trondheim.demo")
    response = client.post("/avvik/nytt", data=valid_form(app, description="Gjaldt 010190 100 46."))
    assert response.status_code == 422
    assert "ser ut til å inneholde et fødselsnummer" in response.get_data(as_text=True)


def test_the_scan_finds_a_number_inside_a_long_chain_of_digit_groups():
    chain = "1 " * 20000 + "010190 100 46" + " 2" * 20000
    assert "01019010046" in find_all(chain)
    assert find_all("1 " * 50000) == []
    assert find_all("0 1 " * 25000) == []


def test_the_scan_agrees_with_the_definition_on_every_window():
    """Every stretch of whole groups holding exactly 11 digits is a candidate; no other."""
    text = "01 01 90 100 46 x 0101901 0046 x 010190100460 x 0-1-0-1-9-0-1-0-0-4-6"
    assert find_all(text) == ["01019010046", "01019010046", "01019010046"]
