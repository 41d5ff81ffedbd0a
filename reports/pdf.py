"""The tertial report as a PDF: reportlab platypus, vector charts, in Norwegian or English.

Deterministic: reportlab's invariant mode fixes the document ID, and the creation date written
into the file is ``made_at`` (a parameter, never the clock), so the same data, ``made_at`` and
language give the same bytes. Texts are msgids marked with ``_()`` (the language's gettext, see
reports/i18n.py); the summary comes already labelled in the same language (``summarise``).
"""

from __future__ import annotations

import io
import math
import os
from collections.abc import Sequence
from datetime import datetime

import reportlab
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import TimeStamp
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from reports import formatting
from reports.formatting import Numbers
from reports.i18n import N_, NORWEGIAN, Language
from reports.summary import DEFINITIONS, Change, Row, TertialSummary

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

_STYLES = {
    "cover_title": ParagraphStyle("cover_title", fontName=BOLD, fontSize=22, leading=28, textColor=ACCENT),
    "cover_sub": ParagraphStyle("cover_sub", fontName=FONT, fontSize=16, leading=22, textColor=INK),
    "h1": ParagraphStyle("h1", fontName=BOLD, fontSize=16, leading=20, textColor=ACCENT, spaceAfter=6),
    "h2": ParagraphStyle("h2", fontName=BOLD, fontSize=12, leading=15, textColor=INK, spaceBefore=10, spaceAfter=4),
    "body": ParagraphStyle("body", fontName=FONT, fontSize=10, leading=14, textColor=INK, alignment=TA_LEFT),
    "note": ParagraphStyle("note", fontName=FONT, fontSize=8.5, leading=11, textColor=MUTED),
    "cell": ParagraphStyle("cell", fontName=FONT, fontSize=9.5, leading=12, textColor=INK),
}  # fmt: skip

REPORT_GROUP = N_("Forbedringsgruppen")


def report_title(summary: TertialSummary, language: Language = NORWEGIAN) -> str:
    _ = language.gettext
    return _("Avviksoversikt pr. %(tertial)s") % {"tertial": summary.tertial.label_in(_)}


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _p(text: str, style: str = "body") -> Paragraph:
    return Paragraph(_esc(text), _STYLES[style])


def _table(
    header: Sequence[str] | None,
    rows: Sequence[Sequence[object]],
    widths: Sequence[float],
    total: Sequence[object] | None = None,
    numeric: Sequence[int] | None = None,
) -> Table:
    """A ruled table with a repeated header, zebra rows, numbers right-aligned.

    ``numeric`` lists the right-aligned columns (default: all but the first).
    """
    data: list[list[object]] = [list(header)] if header else []
    data += [[_p(str(c), "cell") if i == 0 else str(c) for i, c in enumerate(r)] for r in rows]
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
        style += [("FONT", (0, -1), (-1, -1), BOLD, 9.5), ("LINEABOVE", (0, -1), (-1, -1), 0.8, INK)]
    table.setStyle(TableStyle(style))
    return table


def _count_table(title_col: str, rows: Sequence[Row], lang: Language) -> Table:
    _, fmt = lang.gettext, lang.numbers
    body = [(r.label, fmt.integer(r.count), fmt.percent(r.share)) for r in rows]
    count = sum(r.count for r in rows)
    total = (_("Sum"), fmt.integer(count), fmt.percent(1.0 if count else None))
    return _table(
        (title_col, _("Antall"), _("Andel")), body, (CONTENT_W - 60 * mm, 30 * mm, 30 * mm), total
    )


def _change_text(change: Change, fmt: Numbers) -> str:
    return f"{fmt.signed_integer(change.delta)} ({fmt.signed_percent(change.ratio)})"


# --- charts ------------------------------------------------------------------------------------


def _hbar(rows: Sequence[Row], width: float, label_width: float = 62 * mm) -> Drawing:
    """Horizontal bars, one per row, the count written at the end of each bar."""
    bar_h = 16
    height = max(len(rows), 1) * bar_h + 28
    drawing = Drawing(width, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = label_width, 18
    chart.width, chart.height = width - label_width - 40, height - 24
    ordered = list(reversed(rows))  # the chart draws bottom-up; the table reads top-down
    chart.data = [[r.count for r in ordered] or [0]]
    chart.categoryAxis.categoryNames = [r.label for r in ordered] or [""]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 8.5
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -4
    chart.categoryAxis.strokeColor = RULE
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 8
    chart.valueAxis.labelTextFormat = lambda v: formatting.integer(int(v))
    chart.valueAxis.strokeColor = RULE
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = colors.HexColor("#e3e8ed")
    chart.bars[0].fillColor = ACCENT
    chart.bars[0].strokeColor = None
    chart.barLabelFormat = lambda v: formatting.integer(int(v))
    chart.barLabels.fontName = FONT
    chart.barLabels.fontSize = 8
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    chart.barSpacing = 2
    drawing.add(chart)
    return drawing


def _nice_ceiling(value: float) -> float:
    """The next of 1, 2, 2.5, 5 x 10^n at or above value, so the axis has round steps."""
    if value <= 0:
        return 5.0
    magnitude = 10 ** math.floor(math.log10(value))
    for factor in (1, 2, 2.5, 5, 10):
        if factor * magnitude >= value:
            return float(factor * magnitude)
    return float(10 * magnitude)


def _trend_chart(summary: TertialSummary, width: float) -> Drawing:
    trend = summary.trend
    height = 250
    drawing = Drawing(width, height)
    chart = VerticalBarChart()
    legend_w = 175
    chart.x, chart.y = 40, 30
    chart.width, chart.height = width - legend_w - 60, height - 50
    chart.categoryAxis.style = "stacked"
    series = [c for c in trend.categories]
    chart.data = [trend.counts[c] for c in series] or [[0] * len(trend.tertials)]
    chart.categoryAxis.categoryNames = [t.short_label for t in trend.tertials]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 8.5
    chart.categoryAxis.strokeColor = RULE
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 8
    chart.valueAxis.labelTextFormat = lambda v: formatting.integer(int(v))
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = colors.HexColor("#e3e8ed")
    chart.valueAxis.strokeColor = RULE
    chart.barWidth = 14
    chart.groupSpacing = 12
    for i, _ in enumerate(series):
        chart.bars[i].fillColor = colors.HexColor(PALETTE[i % len(PALETTE)])
        chart.bars[i].strokeColor = colors.white
        chart.bars[i].strokeWidth = 0.3
    drawing.add(chart)
    # The total above each column: the one number a reader looks for first.
    peak = max(trend.totals, default=0)
    top = _nice_ceiling(peak * 1.12)
    chart.valueAxis.valueMax = top
    chart.valueAxis.valueStep = top / 5
    step = chart.width / len(trend.tertials)
    for i, total in enumerate(trend.totals):
        drawing.add(
            String(
                chart.x + step * (i + 0.5),
                chart.y + chart.height * total / top + 3,
                formatting.integer(total),
                fontName=BOLD,
                fontSize=8,
                textAnchor="middle",
                fillColor=INK,
            )
        )
    legend = Legend()
    legend.x, legend.y = width - legend_w + 4, height - 12
    legend.alignment = "right"
    legend.fontName = FONT
    legend.fontSize = 7.5
    legend.boxAnchor = "nw"
    legend.columnMaximum = 14
    legend.dxTextSpace = 4
    legend.deltay = 11
    legend.dx = legend.dy = 7
    # Top of the legend = top of the stack.
    legend.colorNamePairs = [
        (colors.HexColor(PALETTE[i % len(PALETTE)]), c) for i, c in reversed(list(enumerate(series)))
    ]
    drawing.add(legend)
    return drawing


# --- pages ---------------------------------------------------------------------------------------


def _cover(summary: TertialSummary, made_at: datetime, lang: Language) -> list:
    _, fmt = lang.gettext, lang.numbers
    t = summary.tertial
    return [
        Spacer(1, 55 * mm),
        _p(report_title(summary, lang), "cover_title"),
        Spacer(1, 4 * mm),
        _p(_(REPORT_GROUP), "cover_sub"),
        Spacer(1, 14 * mm),
        _table(
            None,
            [
                (_("Omfang"), summary.scope),
                (_("Periode"), f"{fmt.date(t.start)}–{fmt.date(t.end)}"),
                (_("Avvik registrert i perioden"), fmt.integer(summary.total)),
                (_("Utarbeidet"), fmt.datetime(made_at)),
            ],
            (55 * mm, CONTENT_W - 55 * mm),
            numeric=(),
        ),
        Spacer(1, 12 * mm),
        _p(
            _(
                "Samhandlingsavvik mellom St. Olavs hospital og kommunene i helsefellesskapet. "
                "Rapporten inneholder ingen pasientopplysninger og ingen fritekst."
            ),
            "note",
        ),
        PageBreak(),
    ]


def _key_figures(summary: TertialSummary, lang: Language) -> list:
    _, fmt = lang.gettext, lang.numbers
    t = summary.tertial
    prev, last_year = t.previous(), t.same_last_year()
    rows = [
        (_("Avvik registrert i tertialet"), fmt.integer(summary.total)),
        (
            _("Endring fra forrige tertial (%(t)s: %(n)s)")
            % {"t": prev.short_label, "n": fmt.integer(summary.vs_previous.before)},
            _change_text(summary.vs_previous, fmt),
        ),
        (
            _("Endring fra samme tertial i fjor (%(t)s: %(n)s)")
            % {"t": last_year.short_label, "n": fmt.integer(summary.vs_last_year.before)},
            _change_text(summary.vs_last_year, fmt),
        ),
        (_("Besvart eller avvist i tertialet"), fmt.integer(summary.answered)),
        (_("Behandlingstid, median"), fmt.days(summary.median_days)),
        (_("Behandlingstid, 90-persentil"), fmt.days(summary.p90_days)),
        (
            _("Besvart innen fristen"),
            f"{fmt.percent(summary.within_deadline_share)} ("
            + _("%(n)s av %(of)s")
            % {"n": fmt.integer(summary.answered_within_deadline), "of": fmt.integer(summary.answered)}
            + ")",
        ),
        (_("Åpne avvik ved utgangen av tertialet"), fmt.integer(summary.open_at_end)),
        (_("– herav forfalt"), fmt.integer(summary.overdue_at_end)),
        (_("Hendelsesanalyser startet"), fmt.integer(summary.analyses.started)),
    ]
    return [
        _p(_("Nøkkeltall"), "h1"),
        _table(("", f"{t.short_label}"), rows, (CONTENT_W - 55 * mm, 55 * mm)),
        Spacer(1, 8 * mm),
        KeepTogether(
            [
                _p(_("Retning"), "h2"),
                _count_table(_("Fra – til"), summary.by_direction, lang),
                Spacer(1, 4 * mm),
                _hbar(summary.by_direction, CONTENT_W),
            ]
        ),
        PageBreak(),
    ]


def _trend(summary: TertialSummary, lang: Language) -> list:
    _, fmt = lang.gettext, lang.numbers
    trend = summary.trend
    col = 19 * mm
    first = CONTENT_W - col * len(trend.tertials)
    body = [
        [c] + [fmt.integer(v) for v in trend.counts[c]]
        for c in trend.categories
    ]
    total = [_("Sum")] + [fmt.integer(v) for v in trend.totals]
    return [
        _p(_("Utvikling siste seks tertialer"), "h1"),
        _p(_("Antall avvik per kategori, etter registreringsdato."), "note"),
        Spacer(1, 3 * mm),
        _trend_chart(summary, CONTENT_W),
        Spacer(1, 6 * mm),
        _table(
            [_("Kategori")] + [t.short_label for t in trend.tertials],
            body,
            [first] + [col] * len(trend.tertials),
            total,
        ),
        PageBreak(),
    ]


def _categories(summary: TertialSummary, lang: Language) -> list:
    _ = lang.gettext
    return [
        _p(_("Kategori og alvorlighet"), "h1"),
        _p(_("Etter kategori"), "h2"),
        _hbar(summary.by_category, CONTENT_W),
        Spacer(1, 3 * mm),
        _count_table(_("Kategori"), summary.by_category, lang),
        KeepTogether(
            [
                _p(_("Konsekvens for pasienten"), "h2"),
                _count_table(_("Alvorlighet"), summary.by_harm, lang),
            ]
        ),
        PageBreak(),
    ]


def _organisations(summary: TertialSummary, lang: Language) -> list:
    _ = lang.gettext
    parts: list = [_p(_("Organisasjoner og enheter"), "h1")]
    parts += [
        _p(_("Meldt av"), "h2"),
        _count_table(_("Organisasjon som meldte"), summary.by_reporter_org, lang),
        CondPageBreak(60 * mm),
        _p(_("Mottatt av"), "h2"),
        _count_table(_("Organisasjon som mottok"), summary.by_counterpart_org, lang),
        CondPageBreak(60 * mm),
        _p(_("Klinikk ved sykehuset"), "h2"),
        _p(_("Avvik til eller fra sykehuset, etter klinikken som meldte eller mottok."), "note"),
        Spacer(1, 2 * mm),
    ]
    if summary.by_hospital_unit:
        parts.append(_count_table(_("Klinikk"), summary.by_hospital_unit, lang))
    else:
        parts.append(_p(_("Ingen avvik til eller fra sykehuset i tertialet.")))
    parts.append(PageBreak())
    return parts


def _follow_up(summary: TertialSummary, lang: Language) -> list:
    _, fmt = lang.gettext, lang.numbers
    a = summary.analyses
    analysis_rows = [
        (_("Hendelsesanalyser startet i tertialet"), fmt.integer(a.started)),
        (_("Hendelsesanalyser ferdigstilt i tertialet"), fmt.integer(a.finished)),
        (_("Tiltak i analyser startet i tertialet"), fmt.integer(a.actions_total)),
        (_("Tiltak på overtid ved utgangen av tertialet"), fmt.integer(a.overdue_actions)),
    ]
    return [
        _p(_("Oppfølging"), "h1"),
        KeepTogether(
            [
                _p(_("Status ved utgangen av tertialet"), "h2"),
                _p(
                    _("Avvik registrert i tertialet, med status per %(date)s.")
                    % {"date": fmt.date(summary.tertial.end)},
                    "note",
                ),
                Spacer(1, 2 * mm),
                _count_table(_("Status"), summary.status_at_end, lang),
            ]
        ),
        KeepTogether(
            [
                _p(_("Hendelsesanalyser og tiltak"), "h2"),
                _table(("", _("Antall")), analysis_rows, (CONTENT_W - 30 * mm, 30 * mm)),
                Spacer(1, 3 * mm),
                _table(
                    (_("Tiltak etter status"), _("Antall"), _("Tiltak etter styrke"), _("Antall")),
                    _side_by_side(a.actions_by_status, a.actions_by_strength),
                    (CONTENT_W / 2 - 25 * mm, 25 * mm, CONTENT_W / 2 - 25 * mm, 25 * mm),
                    numeric=(1, 3),
                ),
            ]
        ),
        KeepTogether(
            [_p(_("Om tallene"), "h2")] + [_p(f"• {_(d)}", "note") for d in DEFINITIONS]
        ),
    ]


def _side_by_side(left: Sequence[Row], right: Sequence[Row]) -> list[tuple[str, str, str, str]]:
    rows = []
    for i in range(max(len(left), len(right))):
        a = left[i] if i < len(left) else None
        b = right[i] if i < len(right) else None
        rows.append(
            (
                a.label if a else "",
                formatting.integer(a.count) if a else "",
                b.label if b else "",
                formatting.integer(b.count) if b else "",
            )
        )
    return rows


# --- the document ------------------------------------------------------------------------------


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

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            count = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
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


def _canvas_class(summary: TertialSummary, made_at: datetime, lang: Language) -> type[Canvas]:
    _ = lang.gettext
    return numbered_canvas(
        f"{report_title(summary, lang)} – {_(REPORT_GROUP)}",
        _("Utarbeidet %(when)s") % {"when": lang.numbers.datetime(made_at)},
        _("Side %(page)d av %(pages)d"),
        made_at,
    )


def render_pdf(summary: TertialSummary, made_at: datetime, language: Language = NORWEGIAN) -> bytes:
    """The whole report. ``made_at`` (aware) is printed and stamped into the file.

    ``summary`` must come from ``summarise(..., language)`` with the same language.
    """
    _ = language.gettext
    if made_at.tzinfo is None:
        raise ValueError("made_at must be timezone-aware")
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=22 * mm,
        title=f"{report_title(summary, language)} – {_(REPORT_GROUP)}",
        author=_(REPORT_GROUP),
        subject=summary.scope,
        creator="Avvik",
        invariant=True,
        lang=language.pdf_lang,
    )
    story = (
        _cover(summary, made_at, language)
        + _key_figures(summary, language)
        + _trend(summary, language)
        + _categories(summary, language)
        + _organisations(summary, language)
        + _follow_up(summary, language)
    )
    doc.build(story, canvasmaker=_canvas_class(summary, made_at, language))
    return buffer.getvalue()


# --- the same charts for the screen ----------------------------------------------------------


def chart_svgs(summary: TertialSummary, width: float = CONTENT_W) -> dict[str, str]:
    """The report's charts as SVG text, for the statistics page: one drawing code, two media."""
    from reportlab.graphics import renderSVG

    drawings = {
        "trend": _trend_chart(summary, width),
        "category": _hbar(summary.by_category, width),
        "direction": _hbar(summary.by_direction, width),
    }
    result = {}
    for name, drawing in drawings.items():
        svg = renderSVG.drawToString(drawing)
        # The browser has no "AvvikSans": name the generic family it falls back to anyway.
        svg = svg.replace(f"font-family: {BOLD}", "font-family: sans-serif; font-weight: bold")
        svg = svg.replace(f"font-family: {FONT}", "font-family: sans-serif")
        result[name] = svg[svg.index("<svg") :]
    return result
