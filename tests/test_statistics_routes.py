"""The statistics page and its downloads: who sees what, and that nothing identifies a patient."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from app.common.dates import today_local
from app.extensions import db
from reports import Tertial
from tests import factories
from tests.factories import identity_number

PATIENT = identity_number("120345")
TITLE = "Hjemmesykepleien ble ikke varslet om utskrivning"


@pytest.fixture
def filed(app):
    """One deviation from Trondheim to the hospital and one from the hospital to Malvik, both
    with a patient identity stored, in the running tertial."""
    with app.app_context():
        for reporter, counterpart in (
            ("melder@trondheim.demo", "St. Olavs hospital HF"),
            ("melder@stolav.demo", "Malvik"),
        ):
            factories.deviation(
                reporter=reporter,
                counterpart=counterpart,
                event_date=today_local() - timedelta(days=1),
                title=TITLE,
                description="Beskrivelse som ikke skal ut av systemet.",
                patient=PATIENT,
            )
        db.session.commit()
    return Tertial.of(today_local())


def test_melder_gets_404_and_no_nav_link(client, login_as):
    login_as("melder@trondheim.demo")
    assert client.get("/statistikk/").status_code == 404
    assert client.get("/statistikk/2023-T2/rapport.pdf").status_code == 404
    assert client.get("/statistikk/2023-T2/avvik.csv").status_code == 404
    assert "Statistikk" not in client.get("/").get_data(as_text=True)


def test_anonymous_is_sent_to_login(client):
    response = client.get("/statistikk/")
    assert response.status_code == 302 and "/logg-inn" in response.headers["Location"]


@pytest.mark.parametrize("email", ["forbedring@demo.demo", "admin@demo.demo"])
def test_group_and_admin_see_all_organisations(client, login_as, filed, email):
    login_as(email)
    response = client.get(f"/statistikk/?tertial={filed.code}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f"Avviksoversikt pr. {filed.label}" in page
    assert "Alle organisasjoner i helsefellesskapet" in page
    assert 'href="/statistikk/"' in page  # the nav link
    # Both cases count: Trondheim→hospital and hospital→Malvik (a plain number: the group and
    # admins may not open every case counted).
    assert '<span class="stat-tile-value">2</span>' in page
    assert PATIENT not in page and TITLE not in page


def test_default_is_the_last_complete_tertial(client, login_as):
    login_as("forbedring@demo.demo")
    page = client.get("/statistikk/").get_data(as_text=True)
    assert f"Avviksoversikt pr. {Tertial.last_complete(today_local()).label}" in page


def test_a_bad_tertial_gets_a_message_beside_the_field(client, login_as):
    login_as("forbedring@demo.demo")
    response = client.get("/statistikk/?tertial=2023-T9")
    assert response.status_code == 422
    assert "Velg et tertial fra listen" in response.get_data(as_text=True)
    assert client.get("/statistikk/2023-T9/rapport.pdf").status_code == 404


def test_handler_sees_only_their_own_organisation(client, login_as, filed):
    login_as("mottak@malvik.demo")
    page = client.get(f"/statistikk/?tertial={filed.code}").get_data(as_text=True)
    assert '<p class="text-body-secondary mb-3">Malvik' in page
    # Only hospital → Malvik, linked to its case.
    assert re.search(
        r'<span class="stat-tile-value"><a href="/sok\?[^"]*">1<span class="visually-hidden"> avvik: vis listen</span></a></span>',
        page,
    )
    rows = client.get(f"/statistikk/{filed.code}/avvik.csv").get_data(as_text=True).splitlines()
    assert len(rows) == 2 and ";Malvik;" in rows[1]


def test_downloads_carry_no_identity_and_no_free_text(client, login_as, filed):
    login_as("forbedring@demo.demo")
    csv = client.get(f"/statistikk/{filed.code}/avvik.csv")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert 'filename="avvik-' in csv.headers["Content-Disposition"]
    text = csv.get_data().decode("utf-8-sig")
    header, *rows = text.splitlines()
    assert header.split(";")[:3] == ["reference", "registered", "event_date"]
    assert len(rows) == 2
    xlsx = client.get(f"/statistikk/{filed.code}/avvik.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.get_data()), read_only=True).worksheets[0]
    cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert len(list(sheet.iter_rows())) == 3
    pdf = client.get(f"/statistikk/{filed.code}/rapport.pdf")
    assert pdf.mimetype == "application/pdf"
    pdf_text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.get_data())).pages)
    assert "Avviksoversikt" in pdf_text
    for content in (text, " ".join(cells), pdf_text):
        assert PATIENT not in content
        assert PATIENT[:6] not in content.replace(".", "")  # not even the birth date part
        assert TITLE not in content and "Beskrivelse" not in content


def test_report_command_writes_pdf_csv_and_xlsx(app, runner, filed, tmp_path):
    out, csv_out, xlsx_out = tmp_path / "r.pdf", tmp_path / "r.csv", tmp_path / "r.xlsx"
    args = [
        "report",
        "tertial",
        filed.code,
        "--out",
        str(out),
        "--csv",
        str(csv_out),
        "--xlsx",
        str(xlsx_out),
    ]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert f"{filed.label}: 2 avvik." in result.output
    first = out.read_bytes()
    assert (
        first.startswith(b"%PDF") and len(csv_out.read_text(encoding="utf-8-sig").splitlines()) == 3
    )
    assert runner.invoke(args=args).exit_code == 0
    assert out.read_bytes() == first, "the same data gives the same PDF"
    bad = runner.invoke(args=["report", "tertial", "2023-T7", "--out", str(out)])
    assert bad.exit_code != 0 and "2023-T2" in bad.output
