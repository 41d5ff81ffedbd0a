"""The PDFs in English: the tertial report (service, page, download, CLI) and its numbers, with
no Norwegian heading left; names that are data (categories, organisations) stay as stored."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.auth.services import find_user
from app.extensions import db
from app.statistics import services
from app.statistics.services.change import tertial_change
from reports import Tertial
from reports.i18n import NORWEGIAN, load
from reports.pdf import render_pdf
from tests import statistics_data as data
from tests.support import norwegian_msgids_in, pdf_text

T2 = Tertial(2023, 2)
MADE_AT = datetime(2023, 9, 5, 8, 0, tzinfo=UTC)
REPORT_SOURCES = (
    "reports/pdf.py", "reports/labels.py", "reports/summary.py", "reports/tertial.py",
    "reports/runchart.py", "reports/runchart_pdf.py", "reports/runchart_charts.py",
)  # fmt: skip


def _data_names(summary) -> set[str]:
    rows = summary.by_category + summary.by_reporter_org + summary.by_counterpart_org
    return {r.label for r in rows + summary.by_hospital_unit} | set(summary.trend.categories)


def test_english_tertial_pdf_has_english_headings_labels_and_numbers(ctx):
    data.insert_cases()
    english = load("en")
    summary = services.tertial_summary(T2, services.ALL, english)
    pdf = render_pdf(summary, MADE_AT, english)
    assert pdf == render_pdf(summary, MADE_AT, english), "same data and language, same bytes"
    norwegian = render_pdf(services.tertial_summary(T2, services.ALL), MADE_AT)
    assert pdf != norwegian

    pages = pdf_text(pdf)
    text = "\n".join(pages)
    assert "Deviation report for Tertial 2, 2023" in pages[0]
    assert "The Improvement Group" in pages[0]
    assert "All organisations in the health community" in pages[0]
    assert "01.05.2023–31.08.2023" in pages[0]  # dd.mm.yyyy in English too
    assert "Prepared 05.09.2023 at 10:00" in pages[0]
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
    lines = text.splitlines()
    for line in [
        "Deviations registered in the tertial 8",
        "Change from the previous tertial (T1 2023: 3) +5 (+166.7 %)",
        "Handling time, median 8.5 d",
        "Handling time, 90th percentile 67.0 d",
        "Answered within the deadline 66.7 % (4 of 6)",
        "– of which overdue 3",
        "Municipality to hospital 4 50.0 %",
        "Unit not given 4 57.1 %",
        "In progress 2 25.0 %",
        "No harm 4 50.0 %",
        "Transport 1 0 1 0 0 2",  # a category: data, as stored
        "Total 1 0 2 0 3 8",
    ]:
        assert line in lines, f"{line!r} not a line of the English PDF"
    for heading in (
        "Key figures",
        "Direction",
        "Trend over the last six tertials",
        "Category and harm to the patient",
        "Harm to the patient",
        "Organisations and units",
        "Hospital clinic",
        "Follow-up",
        "Incident analyses and actions",
        "About the figures",
    ):
        assert heading in text, heading
    left = [m for s in REPORT_SOURCES for m in norwegian_msgids_in(text, s, _data_names(summary))]
    assert not left, f"Norwegian left in the English PDF: {left}"
    assert "Avviksoversikt pr. 2. tertial 2023" in pdf_text(norwegian)[0]


def test_norwegian_pdf_keeps_norwegian_headings_and_formats(ctx):
    data.insert_cases()
    pages = pdf_text(render_pdf(services.tertial_summary(T2, services.ALL), MADE_AT, NORWEGIAN))
    text = "\n".join(pages)
    assert "Side 1 av" in pages[0] and "Utarbeidet 05.09.2023 kl. 10:00" in pages[0]
    assert "Behandlingstid, median 8,5 d" in text.splitlines()
    assert "Key figures" not in text and "Page 1 of" not in text


def _english(email: str) -> None:
    user = find_user(email)
    assert user is not None
    user.language = "en"
    db.session.commit()


def test_statistics_page_and_pdf_follow_the_users_language(app, client, login_as):
    with app.app_context():
        data.insert_cases()
        db.session.commit()
        _english("forbedring@demo.demo")
    client = login_as("forbedring@demo.demo")
    page = client.get("/statistikk/?tertial=2023-T2").get_data(as_text=True)
    for english in (
        "Deviation report for Tertial 2, 2023",
        "Municipality to hospital",
        "No harm",
        "A deviation is counted in the tertial it was registered in",
        "66.7 %",
    ):
        assert english in page, english
    for norwegian in ("Kommune til sykehus", "Avviksoversikt", "2. tertial 2023", "Ingen skade"):
        assert norwegian not in page, norwegian
    response = client.get("/statistikk/2023-T2/rapport.pdf")
    assert response.status_code == 200
    pages = pdf_text(response.data)
    assert "Deviation report for Tertial 2, 2023" in pages[0] and "Page 1 of" in pages[0]
    summary = None
    with app.app_context():
        summary = services.tertial_summary(T2, services.ALL)
    names = _data_names(summary)
    assert not [m for s in REPORT_SOURCES for m in norwegian_msgids_in("\n".join(pages), s, names)]


@pytest.mark.parametrize("lang", ["en", "nb"])
def test_report_command_writes_the_pdf_in_the_chosen_language(app, runner, tmp_path, lang):
    with app.app_context():
        data.insert_cases()
        db.session.commit()
    out = tmp_path / "rapport.pdf"
    result = runner.invoke(
        args=[
            "report",
            "tertial",
            "2023-T2",
            "--out",
            str(out),
            "--lang",
            lang,
            "--made-at",
            MADE_AT.isoformat(),
        ]
    )
    assert result.exit_code == 0, result.output
    language = load(lang)
    with app.app_context():
        # The whole report, Endring over tid's page included, as the web page makes it.
        change = tertial_change(T2, services.ALL, {}, language.code)
        expected = render_pdf(
            services.tertial_summary(T2, services.ALL, language), MADE_AT, language, change
        )
    assert out.read_bytes() == expected
    first = pdf_text(out.read_bytes())[0]
    assert ("Page 1 of" in first) == (lang == "en") and ("Side 1 av" in first) == (lang == "nb")


def test_report_command_refuses_an_unknown_language(runner, tmp_path):
    result = runner.invoke(
        args=["report", "tertial", "2023-T2", "--out", str(tmp_path / "r.pdf"), "--lang", "de"]
    )
    assert result.exit_code != 0 and "de" in result.output
