"""Every PDF says what it is: title, author, subject and language (in the language it was
drawn in), and has bookmarks for its parts. Read with poppler's pdfinfo (what the issue
checked) and pypdf's outline. reportlab makes no tagged PDF: the accessibility statement says
so, and names the statistics page as the accessible alternative."""

from __future__ import annotations

import io
import shutil
import subprocess

from pypdf import PdfReader

from app.auth.services import find_user
from app.extensions import db
from tests import factories, statistics_data
from tests.test_privacy_access_export import PATIENT, _setup

PDFINFO = shutil.which("pdfinfo")


def _info(pdf: bytes) -> dict[str, str]:
    if PDFINFO is None:  # poppler-utils: pypdf's reading of the same dictionary
        meta = PdfReader(io.BytesIO(pdf)).metadata
        return {"Title": meta.title, "Author": meta.author, "Subject": meta.subject}
    out = subprocess.run(
        [PDFINFO, "-"], input=pdf, capture_output=True, check=True, timeout=30
    ).stdout.decode()
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in out.splitlines())}


def _language(pdf: bytes) -> str:
    return str(PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/Lang"])


def _outline(pdf: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(pdf))

    def walk(items):
        for item in items:
            if isinstance(item, list):
                yield from walk(item)
            else:
                yield item.title

    return list(walk(reader.outline))


def _pages_of_outline(pdf: bytes) -> list[int]:
    reader = PdfReader(io.BytesIO(pdf))
    flat = []

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                flat.append(reader.get_destination_page_number(item))

    walk(reader.outline)
    return flat


def _english(email: str) -> None:
    find_user(email).language = "en"
    db.session.commit()


def test_the_tertial_report_says_what_it_is_in_both_languages(app, login_as):
    with app.app_context():
        statistics_data.insert_cases()
        db.session.commit()
    pdf = login_as("forbedring@demo.demo").get("/statistikk/2023-T2/rapport.pdf").data
    info = _info(pdf)
    assert info["Title"] == "Avviksoversikt pr. 2. tertial 2023 – Forbedringsgruppen"
    assert info["Author"] and info["Subject"] == "Alle organisasjoner i helsefellesskapet"
    if PDFINFO:
        assert info["Tagged"] == "no"  # said plainly in the accessibility statement
    assert _language(pdf) == "nb-NO"
    outline = _outline(pdf)
    assert outline[0] == "Avviksoversikt pr. 2. tertial 2023"
    for part in ("Nøkkeltall", "Utvikling siste seks tertialer", "Organisasjoner og enheter"):
        assert part in outline, outline
    pages = _pages_of_outline(pdf)
    assert pages == sorted(pages) and pages[-1] > 0  # each bookmark on its own page, in order
    assert len(PdfReader(io.BytesIO(pdf)).pages) > pages[-1]


def test_the_english_report_says_so(app, login_as):
    with app.app_context():
        statistics_data.insert_cases()
        _english("forbedring@demo.demo")
    pdf = login_as("forbedring@demo.demo").get("/statistikk/2023-T2/rapport.pdf").data
    info = _info(pdf)
    assert info["Title"].startswith("Deviation report for Tertial 2, 2023"), info
    assert info["Subject"].startswith("All organisations")
    assert _language(pdf) == "en-GB"
    assert "Key figures" in _outline(pdf)


def test_the_analysis_pdf_says_what_it_is(app, login_as):
    with app.app_context():
        analysis = factories.analysis()
        factories.fill_analysis(analysis)
        ref, title = analysis.reference, analysis.title
        db.session.commit()
    pdf = login_as("mottak@stolav.demo").get(f"/analyser/{ref}/pdf").data
    info = _info(pdf)
    assert info["Title"] == f"Hendelsesanalyse {ref}"
    assert info["Author"] and info["Subject"] == title
    assert _language(pdf) == "nb-NO"
    outline = _outline(pdf)
    assert outline[0] == f"Hendelsesanalyse {ref}" and "Handlingsplan" in outline


def test_the_access_answer_says_what_it_is(app, login_as):
    _setup(app, login_as)
    from tests.test_access_log import OFFICER

    pdf = login_as(OFFICER).post("/personvern/innsyn.pdf", data={"number": PATIENT}).data
    info = _info(pdf)
    assert info["Title"] and info["Author"] and info["Subject"] == "St. Olavs hospital HF"
    assert _language(pdf) == "nb-NO"
    assert _outline(pdf)[0] == info["Title"]


def test_the_accessibility_statement_is_honest_about_the_pdfs(client, login_as):
    page = client.get("/tilgjengelighet").get_data(as_text=True)
    assert "ikke tagget PDF" in page and "tilgjengelige alternativet" in page
    assert "ikke testet for tilgjengelighet" not in page
    # Named for everyone; a link for those who may open it.
    assert "<strong>Statistikk</strong>" in page and 'href="/statistikk/"' not in page
    page = login_as("forbedring@demo.demo").get("/tilgjengelighet").get_data(as_text=True)
    assert '<a href="/statistikk/">Statistikk</a>.' in page


def test_a_heading_split_over_two_pages_keeps_one_bookmark():
    from reports.pdf_layout import STYLES, heading

    long = heading("Et langt avsnittsnavn " * 12, STYLES["h2"], 1)
    long.wrap(200, 1000)
    first, second = long.split(200, 30)
    assert first.outline_title.startswith("Et langt avsnittsnavn") and second.outline_title is None
