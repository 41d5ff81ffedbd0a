"""Art. 15: the data protection officer hands a patient the cases that concern them and who read
them when, as CSV and PDF; the number is in neither, and the export is logged as a search."""

from __future__ import annotations

import csv
import io

from app.auth.services import find_user
from app.data.seed import HOSPITAL
from app.extensions import db
from app.models import AccessAction, Deviation, Role
from tests import factories
from tests.support import pdf_text
from tests.test_access_log import OFFICER, OTHER_PATIENT, PATIENT, TITLE, _entries


def _file(reporter: str = "melder@trondheim.demo", counterpart: str = HOSPITAL,
          patient: str | None = PATIENT) -> Deviation:  # fmt: skip
    return factories.deviation(
        reporter=reporter, counterpart=counterpart, patient=patient, title=TITLE
    )


def _officer(org: str = HOSPITAL, email: str = OFFICER) -> None:
    factories.new_user(email, name="Petra Personvern", org=org, roles=[Role.PERSONVERN])


def _setup(app, login_as) -> tuple[str, str]:
    with app.app_context():
        _officer()
        read, unread = _file(), _file(reporter="melder@stolav.demo", counterpart="Malvik")
        _file(patient=OTHER_PATIENT)
        refs = read.reference, unread.reference
        db.session.commit()
    login_as("mottak@stolav.demo").get(f"/avvik/{refs[0]}")
    return refs


def test_the_csv_lists_each_reading_of_the_patients_cases_without_the_number(app, login_as):
    read, _unread = _setup(app, login_as)
    answer = login_as(OFFICER).post("/personvern/innsyn.csv", data={"number": PATIENT})
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in answer.headers["Content-Disposition"]
    body = answer.get_data(as_text=True)
    assert PATIENT not in body and PATIENT[:6] not in body
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))
    readers = [(r["reference"], r["reader"], r["reader_email"]) for r in rows]
    assert (read, "Siri Mottak", "mottak@stolav.demo") in readers
    assert "Kom hjem uten epikrise" not in body  # who read, never what the case says
    with app.app_context():
        actions = [r.action for r in _entries(user_id=find_user(OFFICER).id)]
        assert actions[0] is AccessAction.PATIENT_SEARCH


def test_the_pdf_names_every_case_and_its_readers(app, login_as):
    read, unread = _setup(app, login_as)
    answer = login_as(OFFICER).post("/personvern/innsyn.pdf", data={"number": PATIENT})
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    text = "\n".join(pdf_text(answer.data))
    assert read in text and unread in text and "Siri Mottak" in text
    assert "Ingen oppslag er logget." in text
    assert PATIENT not in text


def test_a_bad_number_is_refused_on_the_page_and_others_get_404(app, login_as):
    _setup(app, login_as)
    refused = login_as(OFFICER).post("/personvern/innsyn.pdf", data={"number": "123"})
    assert refused.status_code == 422 and "gyldig" in refused.get_data(as_text=True)
    handler = login_as("mottak@stolav.demo")
    assert handler.post("/personvern/innsyn.csv", data={"number": PATIENT}).status_code == 404


def test_min_konto_shows_the_persons_own_security_log_rows_only(app, client, login_as):
    client.post("/logg-inn", data={"email": "mottak@malvik.demo", "password": "feil-passord"})
    page = login_as("melder@trondheim.demo").get("/konto").get_data(as_text=True)
    assert "Min sikkerhetslogg" in page
    table = page.split('id="egen-sikkerhetslogg"', 1)[1].split("</table>", 1)[0]
    assert "Innlogget" in table  # this login
    assert "Mislykket innlogging" not in table and "mottak@malvik" not in table  # not mine
