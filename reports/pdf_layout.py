"""The look every PDF in reports/ shares: font, colours, page geometry, the ruled table, and a
canvas that numbers the pages ("Side 2 av 6") and stamps a fixed creation date.

The tertial report (reports/pdf.py), its charts (reports/charts.py) and the incident analysis
(reports/analysis_pdf.py) all draw with these, so they look alike on paper.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import datetime

import reportlab
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import TimeStamp
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, Table, TableStyle

# Bitstream Vera ships inside reportlab: the same glyphs (æ ø å) on every machine, no system font.
_FONT_DIR = os.path.join(os.path.dirname(reportlab.__file__), "fonts")
FONT, BOLD = "AvvikSans", "AvvikSans-Bold"
if FONT not in pdfmetrics.getRegisteredFontNames():
    pdfmetrics.registerFont(TTFont(FONT, os.path.join(_FONT_DIR, "Vera.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, os.path.join(_FONT_DIR, "VeraBd.ttf")))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD, italic=FONT, boldItalic=BOLD)

INK = colors.HexColor("#1b1f23")
MUTED = colors.HexColor("#4a5560")
ACCENT = colors.HexColor("#0b4f8a")
HEADER_BG = colors.HexColor("#dde7f0")
ZEBRA = colors.HexColor("#f3f6f9")
RULE = colors.HexColor("#9aa7b3")
# Distinct on screen and still apart when printed in grey (light and dark alternate).
PALETTE = [
    "#1f4e79", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948",
    "#b07aa1", "#9c755f", "#bab0ac", "#4e79a7", "#555555", "#ff9da7",
]  # fmt: skip

PAGE_W, PAGE_H = A4
MARGIN = 18 * mm
CONTENT_W = PAGE_W - 2 * MARGIN

STYLES = {
    "cover_title": ParagraphStyle("cover_title", fontName=BOLD, fontSize=22, leading=28, textColor=ACCENT),
    "cover_sub": ParagraphStyle("cover_sub", fontName=FONT, fontSize=16, leading=22, textColor=INK),
    "h1": ParagraphStyle("h1", fontName=BOLD, fontSize=16, leading=20, textColor=ACCENT, spaceAfter=6),
    "h2": ParagraphStyle("h2", fontName=BOLD, fontSize=12, leading=15, textColor=INK, spaceBefore=10, spaceAfter=4),
    "body": ParagraphStyle("body", fontName=FONT, fontSize=10, leading=14, textColor=INK, alignment=TA_LEFT),
    "note": ParagraphStyle("note", fontName=FONT, fontSize=8.5, leading=11, textColor=MUTED),
    "cell": ParagraphStyle("cell", fontName=FONT, fontSize=9.5, leading=12, textColor=INK),
    "h3": ParagraphStyle("h3", fontName=BOLD, fontSize=10.5, leading=13, textColor=INK, spaceBefore=8, spaceAfter=1),
    "label": ParagraphStyle("label", fontName=BOLD, fontSize=9, leading=12, textColor=MUTED, spaceBefore=3),
}  # fmt: skip


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# The PDF's bookmarks (outline): headings of these styles are entries, at these levels.
OUTLINE_LEVELS = {"cover_title": 0, "title": 0, "h1": 0, "h2": 1}


class OutlinedParagraph(Paragraph):
    """A heading that is also a bookmark in the PDF's outline, so a reader (and a screen reader
    user) can jump between the report's parts: reportlab writes no tagged PDF, and the outline
    is the navigation it can give."""

    # reportlab makes the parts of a split paragraph through the class with its own arguments:
    # so the outline's are keywords, and only the first part keeps the bookmark.
    def __init__(
        self,
        text,
        style=None,
        *args,
        outline_title: str | None = None,
        outline_level: int = 0,
        **kw,
    ) -> None:
        super().__init__(text, style, *args, **kw)
        self.outline_title = " ".join(outline_title.split()) if outline_title else None
        self.outline_level = outline_level

    def split(self, availWidth, availHeight):
        parts = super().split(availWidth, availHeight)
        for number, part in enumerate(parts):
            if isinstance(part, OutlinedParagraph):
                part.outline_title = self.outline_title if number == 0 else None
                part.outline_level = self.outline_level
        return parts

    def draw(self) -> None:
        if not self.outline_title:
            super().draw()
            return
        canvas = self.canv
        # Numbered per document, so the same report gives the same bytes.
        canvas.outline_count = getattr(canvas, "outline_count", 0) + 1
        key = f"outline-{canvas.outline_count}"
        _, top = canvas.absolutePosition(0, self.height)
        pending = getattr(canvas, "pending_bookmarks", None)
        if pending is None:
            canvas.bookmarkPage(key, fit="XYZ", left=0, top=top)
        else:  # numbered_canvas draws its pages at the end: the page is known only then
            pending.append((key, top))
        # An outline level may not skip one (a part heading before any title is level 0).
        level = min(self.outline_level, getattr(canvas, "_outline_depth", -1) + 1)
        canvas._outline_depth = level
        canvas.addOutlineEntry(self.outline_title, key, level=level, closed=False)
        canvas.showOutline()  # the reader opens with the bookmarks shown
        super().draw()


def heading(text: str, style: ParagraphStyle, level: int, markup: str | None = None) -> Paragraph:
    """A heading with its bookmark; ``markup`` when the caller has escaped the text already."""
    return OutlinedParagraph(
        markup if markup is not None else _esc(text), style, outline_title=text, outline_level=level
    )


def paragraph(text: str, style: str = "body") -> Paragraph:
    if style in OUTLINE_LEVELS:
        return heading(text, STYLES[style], OUTLINE_LEVELS[style])
    return Paragraph(_esc(text), STYLES[style])


def ruled_table(
    header: Sequence[str] | None,
    rows: Sequence[Sequence[object]],
    widths: Sequence[float],
    total: Sequence[object] | None = None,
    numeric: Sequence[int] | None = None,
    wrap: Sequence[int] = (0,),
) -> Table:
    """A ruled table with a repeated header, zebra rows, numbers right-aligned.

    ``numeric`` lists the right-aligned columns (default: all but the first); ``wrap`` the
    columns whose text wraps within the column (default: the first).
    """
    data: list[list[object]] = [list(header)] if header else []
    data += [
        [paragraph(str(c), "cell") if i in wrap else str(c) for i, c in enumerate(r)] for r in rows
    ]
    if total is not None:
        data.append([str(c) for c in total])
    # Paragraph cells wrap long names; plain strings are enough for the numbers.
    table = Table(data, colWidths=list(widths), repeatRows=1 if header else 0)
    first = 1 if header else 0
    style = [
        ("FONT", (0, 0), (-1, -1), FONT, 9.5),
        ("TEXTCOLOR", (0, 0), (-1, -1), INK),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LINEBELOW", (0, first), (-1, -1), 0.25, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if header:
        style += [
            ("FONT", (0, 0), (-1, 0), BOLD, 9.5),
            ("BACKGROUND", (0, 0), (-1, 0), HEADER_BG),
            ("LINEBELOW", (0, 0), (-1, 0), 0.8, INK),
        ]
    else:
        style.append(("LINEABOVE", (0, 0), (-1, 0), 0.8, INK))
    for column in range(1, len(widths)) if numeric is None else numeric:
        style.append(("ALIGN", (column, 0), (column, -1), "RIGHT"))
    for i in range(first, len(rows) + first):
        if (i - first) % 2 == 1:
            style.append(("BACKGROUND", (0, i), (-1, i), ZEBRA))
    if total is not None:
        style += [
            ("FONT", (0, -1), (-1, -1), BOLD, 9.5),
            ("LINEABOVE", (0, -1), (-1, -1), 0.8, INK),
        ]
    table.setStyle(TableStyle(style))
    return table


def numbered_canvas(
    footer: str, made: str, page_of: str, made_at: datetime | None = None
) -> type[Canvas]:
    """A canvas that holds the pages back until the end, so each footer can say 'Side 2 av 6'.

    With ``made_at`` the document's creation date is that instant, not the clock, so the same
    data gives the same bytes. Shared by every PDF in reports/ so they look alike.
    """
    stamp = None
    if made_at is not None:
        stamp = TimeStamp(invariant=True)
        stamp.t = made_at.timestamp()
        stamp.lt = made_at.utctimetuple()
        stamp.YMDhms = tuple(stamp.lt)[:6]

    class NumberedCanvas(Canvas):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            if stamp is not None:
                self._doc._timeStamp = stamp
            self._pages: list[dict] = []
            self.pending_bookmarks: list[tuple[str, float]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self.pending_bookmarks = []
            self._startPage()

        def save(self) -> None:
            count = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                for key, top in self.pending_bookmarks:
                    self.bookmarkPage(key, fit="XYZ", left=0, top=top)
                self._footer(number, count)
                super().showPage()
            super().save()

        def _footer(self, number: int, count: int) -> None:
            self.saveState()
            self.setStrokeColor(RULE)
            self.setLineWidth(0.5)
            self.line(MARGIN, 14 * mm, PAGE_W - MARGIN, 14 * mm)
            self.setFont(FONT, 8)
            self.setFillColor(MUTED)
            self.drawString(MARGIN, 10 * mm, footer)
            self.drawString(MARGIN, 6.5 * mm, made)
            self.setFont(BOLD, 9)
            self.drawRightString(
                PAGE_W - MARGIN, 10 * mm, page_of % {"page": number, "pages": count}
            )
            self.restoreState()

    return NumberedCanvas
