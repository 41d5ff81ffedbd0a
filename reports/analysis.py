"""The PDF of one incident analysis (hendelsesanalyse). Plain data in, PDF bytes out; no Flask.

The app loads the analysis, translates the labels and hands over an ``AnalysisReport``; this
module lays it out for paper: mandate, team, timeline, problems with contributory factors,
root causes, the action plan as a table, learning points.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    KeepTogether,
    ListFlowable,
    ListItem,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from reports import formatting as fmt
from reports.pdf import ACCENT, BOLD, FONT, HEADER_BG, INK, MARGIN, MUTED, PAGE_W, RULE, ZEBRA


@dataclass(frozen=True)
class Member:
    name: str
    organisation: str
    is_leader: bool


@dataclass(frozen=True)
class TimelineRow:
    when: datetime  # aware; printed in Norwegian time
    what: str
    source: str


@dataclass(frozen=True)
class Factor:
    group: str  # the translated London Protocol group
    text: str


@dataclass(frozen=True)
class Problem:
    text: str
    factors: list[Factor] = field(default_factory=list)


@dataclass(frozen=True)
class ActionRow:
    number: int
    text: str
    root_cause_number: int | None
    organisation: str
    person: str | None
    due: date | None
    status: str
    strength: str
    effect_measure: str


@dataclass(frozen=True)
class AnalysisReport:
    reference: str
    title: str
    status: str
    start_date: date
    due_date: date
    finished_on: date | None
    leader: str
    mandate: str
    scope: str
    deviations: list[str]  # the references the reader may see
    hidden_deviations: int  # the others, only counted
    members: list[Member]
    timeline: list[TimelineRow]
    problems: list[Problem]
    root_causes: list[str]
    actions: list[ActionRow]
    learning_points: list[str]
    made_at: datetime  # aware; printed in the footer


def fmt_date(value: date | None) -> str:
    return fmt.date_no(value) or "–"


def fmt_datetime(value: datetime) -> str:
    return fmt.datetime_no(value)


# The tertial report's look: its font (Vera, shipped with reportlab), colours and rules.
_STYLES = {
    "title": ParagraphStyle("title", fontName=BOLD, fontSize=20, leading=25, textColor=ACCENT, spaceAfter=2 * mm),
    "subtitle": ParagraphStyle("subtitle", fontName=FONT, fontSize=14, leading=19, textColor=INK),
    "h2": ParagraphStyle("h2", fontName=BOLD, fontSize=12.5, leading=16, textColor=ACCENT, spaceBefore=5 * mm, spaceAfter=2 * mm),
    "h3": ParagraphStyle("h3", fontName=BOLD, fontSize=10, leading=13.5, textColor=INK, spaceBefore=2 * mm, spaceAfter=1 * mm),
    "body": ParagraphStyle("body", fontName=FONT, fontSize=10, leading=14, textColor=INK),
    "cell": ParagraphStyle("cell", fontName=FONT, fontSize=8.5, leading=10.5, textColor=INK),
    "cellhead": ParagraphStyle("cellhead", fontName=BOLD, fontSize=8.5, leading=10.5, textColor=INK),
    "muted": ParagraphStyle("muted", fontName=FONT, fontSize=8.5, leading=11, textColor=MUTED),
}  # fmt: skip


def _p(text: str, style: str) -> Paragraph:
    # Free text keeps its line breaks; escape so "<" in a note cannot break the layout.
    return Paragraph(escape(text).replace("\n", "<br/>"), _STYLES[style])


def _table(header: list[str], rows: list[list[str]], widths: list[float]) -> Table:
    data = [[_p(h, "cellhead") for h in header]]
    data += [[_p(c, "cell") for c in row] for row in rows]
    table = Table(data, colWidths=widths, repeatRows=1)
    style = [
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_BG),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, INK),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, RULE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    style += [("BACKGROUND", (0, i), (-1, i), ZEBRA) for i in range(2, len(data), 2)]
    table.setStyle(TableStyle(style))
    return table


def _none(text: str = "Ingen registrert.") -> Paragraph:
    return _p(text, "muted")


def _canvas_class(footer: str, made: str) -> type[Canvas]:
    class AnalysisCanvas(Canvas):
        """Holds the pages back until the end, so each can say 'Side 2 av 3'."""

        def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self) -> None:  # noqa: N802 (reportlab's name)
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            count = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                self.saveState()
                self.setStrokeColor(RULE)
                self.setLineWidth(0.5)
                self.line(MARGIN, 14 * mm, PAGE_W - MARGIN, 14 * mm)
                self.setFont(FONT, 8)
                self.setFillColor(MUTED)
                self.drawString(MARGIN, 10 * mm, footer)
                self.drawString(MARGIN, 6.5 * mm, made)
                self.setFont(BOLD, 9)
                self.drawRightString(PAGE_W - MARGIN, 10 * mm, f"Side {number} av {count}")
                self.restoreState()
                super().showPage()
            super().save()

    return AnalysisCanvas


def render_analysis_pdf(report: AnalysisReport) -> bytes:
    if report.made_at.tzinfo is None:
        raise ValueError("made_at must be timezone-aware")
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=22 * mm,
        title=f"Hendelsesanalyse {report.reference}",
        author="Samhandlingsavvik",
        subject=report.title,
        creator="Samhandlingsavvik",
        invariant=True,  # same data, same bytes: no clock or random id in the file
        lang="nb-NO",
    )
    width = doc.width
    story: list = [
        _p(f"Hendelsesanalyse {report.reference}", "title"),
        _p(report.title, "subtitle"),
        Spacer(0, 4 * mm),
    ]
    deviations = ", ".join(report.deviations) if report.deviations else ""
    if report.hidden_deviations:
        extra = f"{report.hidden_deviations} fra andre organisasjoner"
        deviations = f"{deviations} og {extra}" if deviations else extra
    facts = [
        ["Status", report.status],
        ["Startdato", fmt_date(report.start_date)],
        ["Frist", fmt_date(report.due_date)],
        ["Ferdig", fmt_date(report.finished_on)],
        ["Leder", report.leader],
        ["Avvik som inngår", deviations or "–"],
    ]
    facts_table = Table(
        [[_p(k, "cellhead"), _p(v, "cell")] for k, v in facts], colWidths=[40 * mm, width - 40 * mm]
    )
    facts_table.setStyle(
        TableStyle(
            [
                ("LINEABOVE", (0, 0), (-1, 0), 0.8, INK),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
                ("BACKGROUND", (0, 0), (0, -1), HEADER_BG),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story.append(facts_table)

    story.append(_p("Mandat", "h2"))
    story.append(_p(report.mandate, "body"))
    if report.scope:
        story.append(_p("Avgrensning", "h3"))
        story.append(_p(report.scope, "body"))

    story.append(_p("Analyseteam", "h2"))
    story.append(
        _table(
            ["Navn", "Organisasjon", "Rolle"],
            [
                [m.name, m.organisation, "Leder" if m.is_leader else "Medlem"]
                for m in report.members
            ],
            [width * 0.4, width * 0.4, width * 0.2],
        )
    )

    story.append(_p("Tidslinje", "h2"))
    if report.timeline:
        story.append(
            _table(
                ["Tidspunkt", "Hva skjedde", "Kilde"],
                [[fmt_datetime(t.when), t.what, t.source] for t in report.timeline],
                [36 * mm, width - 36 * mm - 38 * mm, 38 * mm],
            )
        )
    else:
        story.append(_none())

    story.append(_p("Problemer og medvirkende faktorer", "h2"))
    if not report.problems:
        story.append(_none())
    for number, problem in enumerate(report.problems, start=1):
        block: list = [_p(f"Problem {number}: {problem.text}", "h3")]
        if problem.factors:
            block.append(
                _table(
                    ["Gruppe (Londonprotokollen)", "Medvirkende faktor"],
                    [[f.group, f.text] for f in problem.factors],
                    [45 * mm, width - 45 * mm],
                )
            )
        else:
            block.append(_none("Ingen medvirkende faktorer registrert."))
        story.append(KeepTogether(block))

    story.append(_p("Rotårsaker", "h2"))
    if report.root_causes:
        story.append(
            ListFlowable(
                [
                    ListItem(_p(c, "body"), value=i)
                    for i, c in enumerate(report.root_causes, start=1)
                ],
                bulletType="1",
                bulletFormat="%s.",
                bulletFontName=FONT,
                bulletFontSize=10,
                leftIndent=6 * mm,
            )
        )
    else:
        story.append(_none())

    story.append(_p("Handlingsplan", "h2"))
    if report.actions:
        rows = []
        for a in report.actions:
            text = a.text + (f"\nEffektmåling: {a.effect_measure}" if a.effect_measure else "")
            who = a.organisation + (f"\n{a.person}" if a.person else "\n(person ikke valgt)")
            cause = str(a.root_cause_number) if a.root_cause_number else "–"
            rows.append(
                [str(a.number), text, cause, who, fmt_date(a.due), f"{a.status}\n{a.strength}"]
            )
        fixed = [10 * mm, 21 * mm, 34 * mm, 22 * mm, 23 * mm]  # nr., cause, who, due, status
        story.append(
            _table(
                [
                    "Nr.",
                    "Tiltak og effektmåling",
                    "Rotårsak",
                    "Ansvarlig",
                    "Frist",
                    "Status og styrke",
                ],
                rows,
                [fixed[0], width - sum(fixed), *fixed[1:]],
            )
        )
        story.append(
            _p(
                "Styrke etter RCA²-hierarkiet: sterke tiltak endrer systemet, middels tiltak støtter "
                "den som gjør jobben, svake tiltak avhenger av at folk husker.",
                "muted",
            )
        )
    else:
        story.append(_none())

    story.append(_p("Læringspunkter", "h2"))
    if report.learning_points:
        story.append(
            ListFlowable(
                [ListItem(_p(t, "body")) for t in report.learning_points],
                bulletType="bullet",
                bulletFontName=FONT,
                leftIndent=6 * mm,
            )
        )
    else:
        story.append(_none())

    canvas = _canvas_class(
        f"Hendelsesanalyse {report.reference} – {report.title}",
        f"Utarbeidet {fmt_datetime(report.made_at)}",
    )
    doc.build(story, canvasmaker=canvas)
    return buffer.getvalue()
