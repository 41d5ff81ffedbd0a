"""The PDF page *Gode historier og læring*: stories by direction, then the lessons published in
the tertial (title and category; their text where the improvement group chose so)."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, PageBreak, Spacer

from reports.i18n import Language
from reports.pdf_layout import CONTENT_W, paragraph, ruled_table
from reports.summary import TertialSummary


def learning_section(summary: TertialSummary, lang: Language) -> list:
    _, fmt = lang.gettext, lang.numbers
    learning = summary.learning
    parts: list = [
        paragraph(_("Gode historier og læring"), "h1"),
        paragraph(_("Gode historier etter retning"), "h2"),
        paragraph(
            _(
                "Gode historier om samarbeidet, fortalt i tertialet, etter hvem som fortalte til hvem."
            ),
            "note",
        ),
        Spacer(1, 2 * mm),
        ruled_table(
            (_("Fra – til"), _("Antall"), _("Andel")),
            [
                (r.label, fmt.integer(r.count), fmt.percent(r.share))
                for r in learning.stories_by_direction
            ],
            (CONTENT_W - 60 * mm, 30 * mm, 30 * mm),
            (
                _("Sum"),
                fmt.integer(learning.stories_total),
                fmt.percent(1.0 if learning.stories_total else None),
            ),
        ),
        paragraph(_("Læringspunkter publisert i tertialet"), "h2"),
    ]
    if not learning.lessons:
        parts.append(paragraph(_("Ingen læringspunkter ble publisert i tertialet.")))
        return [*parts, PageBreak()]
    parts.append(
        ruled_table(
            (_("Tittel"), _("Kategori"), _("Organisasjon"), _("Publisert")),
            [
                (lesson.title, lesson.category, lesson.organisation, fmt.date(lesson.published))
                for lesson in learning.lessons
            ],
            (CONTENT_W - 115 * mm, 45 * mm, 45 * mm, 25 * mm),
            numeric=(),
            wrap=(0, 1, 2),
        )
    )
    with_text = [lesson for lesson in learning.lessons if lesson.has_text]
    if with_text:
        parts.append(paragraph(_("Læringspunkter forbedringsgruppen har valgt ut"), "h2"))
    for lesson in with_text:
        parts.append(
            KeepTogether(
                [
                    paragraph(lesson.title, "h3"),
                    paragraph(f"{lesson.category} · {lesson.organisation}", "note"),
                    paragraph(_("Hva skjedde?"), "label"),
                    paragraph(lesson.what_happened or ""),
                    paragraph(_("Hva er endret?"), "label"),
                    paragraph(lesson.what_changed or ""),
                    Spacer(1, 3 * mm),
                ]
            )
        )
    return [*parts, PageBreak()]
