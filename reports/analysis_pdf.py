"""The incident analysis laid out for paper: mandate, team, timeline, problems with contributory
factors, root causes, the action plan as a table, learning points.

Headings are msgids marked with ``_()``, the gettext of the ``Language`` handed in
(reports/i18n.py). The data it lays out is ``reports.analysis.AnalysisReport``.
"""

from __future__ import annotations

import io
from datetime import date
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
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

from reports.analysis import AnalysisReport
from reports.i18n import NORWEGIAN, Language
from reports.pdf_layout import (
    ACCENT,
    BOLD,
    FONT,
    HEADER_BG,
    INK,
    MARGIN,
    MUTED,
    OUTLINE_LEVELS,
    RULE,
    ZEBRA,
    heading,
    numbered_canvas,
)

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
    markup = escape(text).replace("\n", "<br/>")
    if style in OUTLINE_LEVELS:  # the title and the parts are the PDF's bookmarks
        return heading(text, _STYLES[style], OUTLINE_LEVELS[style], markup)
    return Paragraph(markup, _STYLES[style])


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


def render_analysis_pdf(report: AnalysisReport, language: Language = NORWEGIAN) -> bytes:
    """The analysis as PDF bytes, headings in ``language``; ``report.made_at`` must be aware."""
    _, numbers = language.gettext, language.numbers

    def none(text: str | None = None) -> Paragraph:
        return _p(text or _("Ingen registrert."), "muted")

    def day(value: date | None) -> str:
        return numbers.date(value) or "–"

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
        title=_("Hendelsesanalyse %(ref)s") % {"ref": report.reference},
        author="Samhandlingsavvik",
        subject=report.title,
        creator="Samhandlingsavvik",
        invariant=True,  # same data, same bytes: no clock or random id in the file
        lang=language.pdf_lang,
        displayDocTitle=True,
    )
    width = doc.width
    story: list = [
        _p(_("Hendelsesanalyse %(ref)s") % {"ref": report.reference}, "title"),
        _p(report.title, "subtitle"),
        Spacer(0, 4 * mm),
    ]
    deviations = ", ".join(report.deviations) if report.deviations else ""
    if report.hidden_deviations:
        extra = _("%(num)d fra andre organisasjoner") % {"num": report.hidden_deviations}
        deviations = deviations + _(" og ") + extra if deviations else extra
    facts = [
        [_("Status"), report.status],
        [_("Startdato"), day(report.start_date)],
        [_("Frist"), day(report.due_date)],
        [_("Ferdig"), day(report.finished_on)],
        [_("Leder"), report.leader],
        [_("Avvik som inngår"), deviations or "–"],
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

    story.append(_p(_("Mandat"), "h2"))
    story.append(_p(report.mandate, "body"))
    if report.scope:
        story.append(_p(_("Avgrensning"), "h3"))
        story.append(_p(report.scope, "body"))

    story.append(_p(_("Analyseteam"), "h2"))
    story.append(
        _table(
            [_("Navn"), _("Organisasjon"), _("Rolle")],
            [
                [m.name, m.organisation, _("Leder") if m.is_leader else _("Medlem")]
                for m in report.members
            ],
            [width * 0.4, width * 0.4, width * 0.2],
        )
    )

    story.append(_p(_("Tidslinje"), "h2"))
    if report.timeline:
        story.append(
            _table(
                [_("Tidspunkt"), _("Hva skjedde"), _("Kilde")],
                [[numbers.datetime(t.when), t.what, t.source] for t in report.timeline],
                [36 * mm, width - 36 * mm - 38 * mm, 38 * mm],
            )
        )
    else:
        story.append(none())

    story.append(_p(_("Problemer og medvirkende faktorer"), "h2"))
    if not report.problems:
        story.append(none())
    for number, problem in enumerate(report.problems, start=1):
        block: list = [_p(_("Problem %(n)d: %(text)s") % {"n": number, "text": problem.text}, "h3")]
        if problem.factors:
            block.append(
                _table(
                    [_("Gruppe (Londonprotokollen)"), _("Medvirkende faktor")],
                    [[f.group, f.text] for f in problem.factors],
                    [45 * mm, width - 45 * mm],
                )
            )
        else:
            block.append(none(_("Ingen medvirkende faktorer registrert.")))
        story.append(KeepTogether(block))

    story.append(_p(_("Rotårsaker"), "h2"))
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
        story.append(none())

    story.append(_p(_("Handlingsplan"), "h2"))
    if report.actions:
        rows = []
        measure = _("Effektmåling: %(measure)s")
        for a in report.actions:
            text = a.text + (
                "\n" + measure % {"measure": a.effect_measure} if a.effect_measure else ""
            )
            who = a.organisation + "\n" + (a.person or "(" + _("person ikke valgt") + ")")
            cause = str(a.root_cause_number) if a.root_cause_number else "–"
            rows.append([str(a.number), text, cause, who, day(a.due), f"{a.status}\n{a.strength}"])
        fixed = [10 * mm, 21 * mm, 34 * mm, 22 * mm, 23 * mm]  # nr., cause, who, due, status
        story.append(
            _table(
                [
                    _("Nr."),
                    _("Tiltak og effektmåling"),
                    _("Rotårsak"),
                    _("Ansvarlig"),
                    _("Frist"),
                    _("Status og styrke"),
                ],
                rows,
                [fixed[0], width - sum(fixed), *fixed[1:]],
            )
        )
        story.append(
            _p(
                _(
                    "Styrke etter RCA²-hierarkiet: sterke tiltak endrer systemet, middels tiltak "
                    "støtter den som gjør jobben, svake tiltak avhenger av at folk husker."
                ),
                "muted",
            )
        )
    else:
        story.append(none())

    story.append(_p(_("Læringspunkter"), "h2"))
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
        story.append(none())

    canvas = numbered_canvas(
        _("Hendelsesanalyse %(ref)s") % {"ref": report.reference} + f" – {report.title}",
        _("Utarbeidet %(when)s") % {"when": numbers.datetime(report.made_at)},
        _("Side %(page)d av %(pages)d"),
    )
    doc.build(story, canvasmaker=canvas)
    return buffer.getvalue()
