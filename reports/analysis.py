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

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
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


@dataclass(frozen=True)
class Member:
    name: str
    organisation: str
    is_leader: bool


@dataclass(frozen=True)
class TimelineRow:
    when: datetime  # local time
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
    made_at: datetime  # local time, printed in the footer


def fmt_date(value: date | None) -> str:
    return value.strftime("%d.%m.%Y") if value else "–"


def fmt_datetime(value: datetime) -> str:
    return value.strftime("%d.%m.%Y kl. %H:%M")


PRIMARY = colors.HexColor("#0d3b66")
GRID = colors.HexColor("#b8c4d0")
HEADER_BG = colors.HexColor("#e7eef5")


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=base["BodyText"], fontName="Helvetica", fontSize=10, leading=13.5)
    return {
        "title": ParagraphStyle("title", parent=base["Title"], fontName="Helvetica-Bold", fontSize=18,
                                leading=22, alignment=TA_LEFT, textColor=PRIMARY, spaceAfter=2 * mm),
        "subtitle": ParagraphStyle("subtitle", parent=body, fontSize=12, leading=15, textColor=PRIMARY),
        "h2": ParagraphStyle("h2", parent=base["Heading2"], fontName="Helvetica-Bold", fontSize=13,
                             leading=16, textColor=PRIMARY, spaceBefore=5 * mm, spaceAfter=2 * mm),
        "h3": ParagraphStyle("h3", parent=body, fontName="Helvetica-Bold", spaceBefore=2 * mm, spaceAfter=1 * mm),
        "body": body,
        "cell": ParagraphStyle("cell", parent=body, fontSize=8.5, leading=10.5),
        "cellhead": ParagraphStyle("cellhead", parent=body, fontName="Helvetica-Bold", fontSize=8.5, leading=10.5),
        "muted": ParagraphStyle("muted", parent=body, textColor=colors.HexColor("#555555")),
    }  # fmt: skip


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    # Free text keeps its line breaks; escape so "<" in a note cannot break the layout.
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def _table(header: list[str], rows: list[list[str]], widths: list[float], s: dict) -> Table:
    data = [[_p(h, s["cellhead"]) for h in header]]
    data += [[_p(c, s["cell"]) for c in row] for row in rows]
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), HEADER_BG),
                ("GRID", (0, 0), (-1, -1), 0.5, GRID),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 4),
                ("RIGHTPADDING", (0, 0), (-1, -1), 4),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f7f9fb")]),
            ]
        )
    )
    return table


def _none(s: dict, text: str = "Ingen registrert.") -> Paragraph:
    return _p(text, s["muted"])


def render_analysis_pdf(report: AnalysisReport) -> bytes:
    s = _styles()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=20 * mm,
        title=f"Hendelsesanalyse {report.reference}",
        author="Samhandlingsavvik",
        subject=report.title,
        creator="Samhandlingsavvik",
        invariant=True,  # same data, same bytes: no clock or random id in the file
    )
    width = doc.width
    story: list = [
        _p(f"Hendelsesanalyse {report.reference}", s["title"]),
        _p(report.title, s["subtitle"]),
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
        [[_p(k, s["cellhead"]), _p(v, s["cell"])] for k, v in facts], colWidths=[40 * mm, width - 40 * mm]
    )
    facts_table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, GRID),
                ("BACKGROUND", (0, 0), (0, -1), HEADER_BG),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story.append(facts_table)

    story.append(_p("Mandat", s["h2"]))
    story.append(_p(report.mandate, s["body"]))
    if report.scope:
        story.append(_p("Avgrensning", s["h3"]))
        story.append(_p(report.scope, s["body"]))

    story.append(_p("Analyseteam", s["h2"]))
    story.append(
        _table(
            ["Navn", "Organisasjon", "Rolle"],
            [[m.name, m.organisation, "Leder" if m.is_leader else "Medlem"] for m in report.members],
            [width * 0.4, width * 0.4, width * 0.2],
            s,
        )
    )

    story.append(_p("Tidslinje", s["h2"]))
    if report.timeline:
        story.append(
            _table(
                ["Tidspunkt", "Hva skjedde", "Kilde"],
                [[fmt_datetime(t.when), t.what, t.source] for t in report.timeline],
                [32 * mm, width - 32 * mm - 38 * mm, 38 * mm],
                s,
            )
        )
    else:
        story.append(_none(s))

    story.append(_p("Problemer og medvirkende faktorer", s["h2"]))
    if not report.problems:
        story.append(_none(s))
    for number, problem in enumerate(report.problems, start=1):
        block: list = [_p(f"Problem {number}: {problem.text}", s["h3"])]
        if problem.factors:
            block.append(
                _table(
                    ["Gruppe (Londonprotokollen)", "Medvirkende faktor"],
                    [[f.group, f.text] for f in problem.factors],
                    [45 * mm, width - 45 * mm],
                    s,
                )
            )
        else:
            block.append(_none(s, "Ingen medvirkende faktorer registrert."))
        story.append(KeepTogether(block))

    story.append(_p("Rotårsaker", s["h2"]))
    if report.root_causes:
        story.append(
            ListFlowable(
                [ListItem(_p(c, s["body"]), value=i) for i, c in enumerate(report.root_causes, start=1)],
                bulletType="1",
                bulletFormat="%s.",
                leftIndent=6 * mm,
            )
        )
    else:
        story.append(_none(s))

    story.append(_p("Handlingsplan", s["h2"]))
    if report.actions:
        rows = []
        for a in report.actions:
            text = a.text + (f"\nEffektmåling: {a.effect_measure}" if a.effect_measure else "")
            who = a.organisation + (f"\n{a.person}" if a.person else "\n(person ikke valgt)")
            cause = str(a.root_cause_number) if a.root_cause_number else "–"
            rows.append([str(a.number), text, cause, who, fmt_date(a.due), a.status, a.strength])
        story.append(
            _table(
                ["Nr.", "Tiltak og effektmåling", "Rotårsak", "Ansvarlig", "Frist", "Status", "Styrke"],
                rows,
                [9 * mm, width - 9 * mm - 17 * mm - 38 * mm - 19 * mm - 20 * mm - 16 * mm, 17 * mm,
                 38 * mm, 19 * mm, 20 * mm, 16 * mm],
                s,
            )  # fmt: skip
        )
        story.append(
            _p(
                "Styrke etter RCA²-hierarkiet: sterke tiltak endrer systemet, middels tiltak støtter "
                "den som gjør jobben, svake tiltak avhenger av at folk husker.",
                s["muted"],
            )
        )
    else:
        story.append(_none(s))

    story.append(_p("Læringspunkter", s["h2"]))
    if report.learning_points:
        story.append(
            ListFlowable(
                [ListItem(_p(t, s["body"])) for t in report.learning_points],
                bulletType="bullet",
                leftIndent=6 * mm,
            )
        )
    else:
        story.append(_none(s))

    footer = f"Hendelsesanalyse {report.reference} · laget {fmt_datetime(report.made_at)}"

    def _page_footer(canvas, document) -> None:  # noqa: ANN001
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.setFillColor(colors.HexColor("#555555"))
        canvas.drawString(doc.leftMargin, 10 * mm, footer)
        canvas.drawRightString(A4[0] - doc.rightMargin, 10 * mm, f"Side {document.page}")
        canvas.restoreState()

    doc.build(story, onFirstPage=_page_footer, onLaterPages=_page_footer)
    return buffer.getvalue()
