"""The answer to a patient's request for access (GDPR art. 15) as a PDF: which cases concern the
patient and who read each, when. The caller hands in the words already in the reader's language
and the rows as plain text; no Flask here, and no patient identity in the document."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate

from reports.pdf_layout import CONTENT_W, MARGIN, numbered_canvas, paragraph, ruled_table


@dataclass(frozen=True)
class AccessSection:
    heading: str  # the case: reference, dates, organisations
    rows: Sequence[Sequence[str]]  # when, who, organisation, what
    empty: str  # what to say when nobody read it


def render_access_pdf(
    title: str,
    intro: str,
    header: Sequence[str],
    sections: Sequence[AccessSection],
    none_found: str,
    footer: str,
    made: str,
    page_of: str,
    subject: str = "",
    lang: str = "nb-NO",
) -> bytes:
    """``lang`` is the language the words were handed in (BCP 47, e.g. en-GB), written into the
    file for screen readers."""
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=22 * mm,
        title=title,
        author="Samhandlingsavvik",
        subject=subject,
        creator="Avvik",
        lang=lang,
        displayDocTitle=True,
    )
    story: list = [paragraph(title, "h1"), paragraph(intro)]
    if not sections:
        story.append(paragraph(none_found))
    widths = [0.2 * CONTENT_W, 0.3 * CONTENT_W, 0.25 * CONTENT_W, 0.25 * CONTENT_W]
    for section in sections:
        story.append(paragraph(section.heading, "h2"))
        if section.rows:
            story.append(ruled_table(header, section.rows, widths, numeric=(), wrap=(1, 2, 3)))
        else:
            story.append(paragraph(section.empty, "note"))
    doc.build(story, canvasmaker=numbered_canvas(footer, made, page_of))
    return buffer.getvalue()
