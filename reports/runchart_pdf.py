"""*Endring over tid* as a page of the tertial PDF: the run chart of all deviations, the
P-chart of the share answered in time and the Pareto of categories, each with its signals in
words, so the committee reads the same thing on paper as on the page."""

from __future__ import annotations

from reportlab.platypus import KeepTogether, PageBreak

from reports.i18n import Language
from reports.pdf_layout import paragraph
from reports.runchart import MIN_POINTS, TOO_FEW, ChangeOverTime, describe, month_label
from reports.runchart_charts import PDF, p_chart_drawing, pareto_drawing, run_chart_drawing


def _words(signals, months, lang: Language) -> list:
    return [paragraph(f"• {describe(s, months, lang)}", "body") for s in signals] or [
        paragraph(lang.gettext(TOO_FEW) % {"n": MIN_POINTS}, "note")
    ]


def change_section(change: ChangeOverTime, lang: Language) -> list:
    _, fmt = lang.gettext, lang.numbers
    months = change.months
    period = {
        "from": month_label(months[0], lang),
        "to": month_label(months[-1], lang),
        "baseline": change.baseline,
    }
    vital = [b for b in change.pareto if b.vital]
    return [
        paragraph(_("Endring over tid"), "h1"),
        paragraph(
            _(
                "Avvik per registreringsmåned fra %(from)s til %(to)s. Senterlinjen er medianen "
                "av de %(baseline)s første månedene (grunnlinjen). Signaler etter Anhøjs regler: "
                "en usedvanlig lang serie på samme side av linjen, eller usedvanlig få kryssinger "
                "av den, tyder på en reell endring og ikke tilfeldig variasjon. P-diagrammet viser "
                "andelen av avvikene besvart eller avvist i måneden som ble besvart innen fristen; "
                "kontrollgrensene (3 sigma) er videre i måneder med få avvik."
            )
            % period,
            "note",
        ),
        KeepTogether(
            [
                paragraph(_("Seriediagram: avvik per måned"), "h2"),
                run_chart_drawing(change.run, PDF, lang),
                *_words(change.run_signals, months, lang),
            ]
        ),
        KeepTogether(
            [
                paragraph(_("P-diagram: andel besvart innen fristen"), "h2"),
                p_chart_drawing(change.p, PDF, lang),
                *_words(change.p_signals, months, lang),
            ]
        ),
        KeepTogether(
            [
                paragraph(_("Pareto: avvik etter kategori i perioden"), "h2"),
                pareto_drawing(change.pareto, PDF, lang),
                paragraph(
                    _("%(n)s kategorier utgjør %(share)s av avvikene: %(names)s.")
                    % {
                        "n": len(vital),
                        "share": fmt.percent(vital[-1].cumulative if vital else None, 0),
                        "names": ", ".join(b.label for b in vital),
                    },
                    "body",
                )
                if vital
                else paragraph(_("Ingen avvik i perioden."), "body"),
            ]
        ),
        PageBreak(),
    ]
