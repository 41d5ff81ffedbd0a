"""The tertial report as a PDF: reportlab platypus, vector charts, in Norwegian or English.

Deterministic: reportlab's invariant mode fixes the document ID, and the creation date written
into the file is ``made_at`` (a parameter, never the clock), so the same data, ``made_at`` and
language give the same bytes. Texts are msgids marked with ``_()`` (the language's gettext, see
reports/i18n.py); the summary comes already labelled in the same language (``summarise``).
The look (font, colours, tables, page footer) is reports/pdf_layout.py; the charts are
reports/charts.py.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    KeepTogether,
    PageBreak,
    SimpleDocTemplate,
    Spacer,
    Table,
)

from reports import formatting, labels
from reports.charts import bar_chart, trend_chart
from reports.formatting import Numbers
from reports.i18n import N_, NORWEGIAN, Language
from reports.learning_pdf import learning_section
from reports.pdf_layout import CONTENT_W, MARGIN, numbered_canvas, paragraph, ruled_table
from reports.rows import Row
from reports.summary import DEFINITIONS, Change, TertialSummary

if TYPE_CHECKING:
    from reports.runchart import ChangeOverTime

REPORT_GROUP = N_("Forbedringsgruppen")


def _change_section(change: ChangeOverTime, language: Language) -> list:
    # pandas comes with it: only a report that has the page loads it.
    from reports.runchart_pdf import change_section

    return change_section(change, language)


def report_title(summary: TertialSummary, language: Language = NORWEGIAN) -> str:
    _ = language.gettext
    return _("Avviksoversikt pr. %(tertial)s") % {"tertial": summary.tertial.label_in(_)}


def _count_table(title_col: str, rows: Sequence[Row], lang: Language) -> Table:
    _, fmt = lang.gettext, lang.numbers
    body = [(r.label, fmt.integer(r.count), fmt.percent(r.share)) for r in rows]
    count = sum(r.count for r in rows)
    total = (_("Sum"), fmt.integer(count), fmt.percent(1.0 if count else None))
    return ruled_table(
        (title_col, _("Antall"), _("Andel")), body, (CONTENT_W - 60 * mm, 30 * mm, 30 * mm), total
    )


def _change_text(change: Change, fmt: Numbers) -> str:
    return f"{fmt.signed_integer(change.delta)} ({fmt.signed_percent(change.ratio)})"


# --- pages ---------------------------------------------------------------------------------------


def _cover(summary: TertialSummary, made_at: datetime, lang: Language) -> list:
    _, fmt = lang.gettext, lang.numbers
    t = summary.tertial
    return [
        Spacer(1, 55 * mm),
        paragraph(report_title(summary, lang), "cover_title"),
        Spacer(1, 4 * mm),
        paragraph(_(REPORT_GROUP), "cover_sub"),
        Spacer(1, 14 * mm),
        ruled_table(
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
        paragraph(
            _(
                "Samhandlingsavvik mellom St. Olavs hospital og kommunene i helsefellesskapet. "
                "Rapporten inneholder ingen pasientopplysninger og ingen tekst fra avvikene."
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
            % {
                "n": fmt.integer(summary.answered_within_deadline),
                "of": fmt.integer(summary.answered),
            }
            + ")",
        ),
        (_("Åpne avvik ved utgangen av tertialet"), fmt.integer(summary.open_at_end)),
        (_("– herav over fristen"), fmt.integer(summary.overdue_at_end)),
        (
            _("Alvorlige hendelser (alvorlig skade eller dødsfall)"),
            fmt.integer(summary.serious_events),
        ),
        (_("– herav varslet Helsetilsynet"), fmt.integer(summary.serious_notified)),
        (_("– herav ikke varslingspliktige"), fmt.integer(summary.serious_not_notifiable)),
        (_("– herav ikke registrert"), fmt.integer(summary.serious_unrecorded)),
        (_("Hendelsesanalyser startet"), fmt.integer(summary.analyses.started)),
    ]
    return [
        paragraph(_("Nøkkeltall"), "h1"),
        ruled_table(("", f"{t.short_label}"), rows, (CONTENT_W - 55 * mm, 55 * mm)),
        Spacer(1, 8 * mm),
        KeepTogether(
            [
                paragraph(_("Retning"), "h2"),
                _count_table(_("Fra – til"), summary.by_direction, lang),
                Spacer(1, 4 * mm),
                bar_chart(summary.by_direction, CONTENT_W),
            ]
        ),
        PageBreak(),
    ]


def _trend(summary: TertialSummary, lang: Language) -> list:
    _, fmt = lang.gettext, lang.numbers
    trend = summary.trend
    col = 19 * mm
    first = CONTENT_W - col * len(trend.tertials)
    body = [[c] + [fmt.integer(v) for v in trend.counts[c]] for c in trend.categories]
    total = [_("Sum")] + [fmt.integer(v) for v in trend.totals]
    return [
        paragraph(_("Utvikling siste seks tertialer"), "h1"),
        paragraph(_("Antall avvik per kategori, etter registreringsdato."), "note"),
        Spacer(1, 3 * mm),
        trend_chart(summary, CONTENT_W),
        Spacer(1, 6 * mm),
        ruled_table(
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
        paragraph(_("Kategori og skade på pasienten"), "h1"),
        paragraph(_("Etter kategori"), "h2"),
        bar_chart(summary.by_category, CONTENT_W),
        Spacer(1, 3 * mm),
        _count_table(_("Kategori"), summary.by_category, lang),
        KeepTogether(
            [
                paragraph(_(labels.HARM_SCALE), "h2"),
                _count_table(_(labels.HARM_SCALE), summary.by_harm, lang),
            ]
        ),
        # The scale's definitions, as on the form and the statistics page.
        *(
            paragraph(f"{_(labels.HARMS[h])}: {_(labels.HARM_HELP[h])}", "note")
            for h in labels.HARMS
        ),
        PageBreak(),
    ]


def _organisations(summary: TertialSummary, lang: Language) -> list:
    _ = lang.gettext
    parts: list = [paragraph(_("Organisasjoner og enheter"), "h1")]
    parts += [
        paragraph(_("Meldt av"), "h2"),
        _count_table(_("Organisasjon som meldte"), summary.by_reporter_org, lang),
        CondPageBreak(60 * mm),
        paragraph(_("Mottatt av"), "h2"),
        _count_table(_("Organisasjon som mottok"), summary.by_counterpart_org, lang),
        CondPageBreak(60 * mm),
        paragraph(_("Klinikk ved sykehuset"), "h2"),
        paragraph(
            _("Avvik til eller fra sykehuset, etter klinikken som meldte eller mottok."), "note"
        ),
        Spacer(1, 2 * mm),
    ]
    if summary.by_hospital_unit:
        parts.append(_count_table(_("Klinikk"), summary.by_hospital_unit, lang))
    else:
        parts.append(paragraph(_("Ingen avvik til eller fra sykehuset i tertialet.")))
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
        paragraph(_("Oppfølging"), "h1"),
        KeepTogether(
            [
                paragraph(_("Status ved utgangen av tertialet"), "h2"),
                paragraph(
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
                paragraph(_("Hendelsesanalyser og tiltak"), "h2"),
                ruled_table(("", _("Antall")), analysis_rows, (CONTENT_W - 30 * mm, 30 * mm)),
                Spacer(1, 3 * mm),
                ruled_table(
                    (_("Tiltak etter status"), _("Antall"), _("Tiltak etter styrke"), _("Antall")),
                    _side_by_side(a.actions_by_status, a.actions_by_strength),
                    (CONTENT_W / 2 - 25 * mm, 25 * mm, CONTENT_W / 2 - 25 * mm, 25 * mm),
                    numeric=(1, 3),
                ),
            ]
        ),
        KeepTogether(
            [paragraph(_("Om tallene"), "h2")]
            + [paragraph(f"• {_(d)}", "note") for d in DEFINITIONS]
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


def _canvas_class(summary: TertialSummary, made_at: datetime, lang: Language) -> type[Canvas]:
    _ = lang.gettext
    return numbered_canvas(
        f"{report_title(summary, lang)} – {_(REPORT_GROUP)}",
        _("Utarbeidet %(when)s") % {"when": lang.numbers.datetime(made_at)},
        _("Side %(page)d av %(pages)d"),
        made_at,
    )


def render_pdf(
    summary: TertialSummary,
    made_at: datetime,
    language: Language = NORWEGIAN,
    change: ChangeOverTime | None = None,
) -> bytes:
    """The whole report. ``made_at`` (aware) is printed and stamped into the file.

    ``summary`` must come from ``summarise(..., language)`` with the same language; ``change``
    (*Endring over tid*, reports.runchart) adds its page after the trend.
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
        displayDocTitle=True,
    )
    story = (
        _cover(summary, made_at, language)
        + _key_figures(summary, language)
        + _trend(summary, language)
        + (_change_section(change, language) if change is not None else [])
        + _categories(summary, language)
        + _organisations(summary, language)
        + learning_section(summary, language)
        + _follow_up(summary, language)
    )
    doc.build(story, canvasmaker=_canvas_class(summary, made_at, language))
    return buffer.getvalue()
