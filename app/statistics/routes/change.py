"""*Endring over tid* (issue 23): run charts with Anhøj's rules, a P-chart and a Pareto, on the
statistics blueprint, with the same scope as the tertial page (who sees what: scope.py).

Thin as the tertial page's views: check the choices, load (services/change.py), draw (reports/). pandas,
reportlab and openpyxl are imported inside the views, so a worker that never draws a
statistics page does not load them.
"""

from __future__ import annotations

from flask import Response, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from markupsafe import Markup

from app.common.translations import report_language
from app.statistics.labels import direction_labels
from app.statistics.routes.blueprint import bp
from app.statistics.routes.pages import _download, _scope
from app.statistics.services import change as change_data
from reports import labels as report_labels

CHARTS = {"seriediagram": "run", "p-diagram": "p", "pareto": "pareto"}


def _messages() -> dict[str, str]:
    return {
        "month": _("Skriv måneden som ÅÅÅÅ-MM, f.eks. 2025-03."),
        "order": _("Til-måneden kan ikke være før fra-måneden."),
        "too_few": _("Velg minst %(n)s måneder: reglene trenger minst %(n)s punkter.")
        % {"n": change_data.MIN_MONTHS},
        "too_many": _("Velg høyst %(n)s måneder.") % {"n": change_data.MAX_MONTHS},
        "baseline": _("Grunnlinjen må være fra %(min)s måneder til antallet måneder som vises.")
        % {"min": change_data.MIN_MONTHS},
        "direction": _("Velg en retning fra listen."),
        "category": _("Velg en kategori fra listen."),
        "org": _("Velg en organisasjon fra listen."),
    }


def _args() -> dict[str, str]:
    names = ("fra", "til", "grunnlinje", "retning", "kategori", "org")
    return {name: request.args.get(name, "").strip() for name in names}


def _choices(base, args, language: str = "nb"):
    """The checked choices; the category named in ``language`` (the page: the reader's; the
    downloads: Norwegian, as every export)."""
    return change_data.check_choices(
        base,
        first=args["fra"] or None,
        last=args["til"] or None,
        baseline=args["grunnlinje"] or None,
        direction=args["retning"] or None,
        category=args["kategori"] or None,
        org=args["org"] or None,
        messages=_messages(),
        language=language,
    )


def _query(choices) -> dict[str, str]:
    """The choices as the links' query string, so a download shows what the page showed."""
    from reports.runchart import month_code

    query = {
        "fra": month_code(choices.period.first),
        "til": month_code(choices.period.last),
        "grunnlinje": str(choices.baseline),
    }
    if choices.direction:
        query["retning"] = choices.direction
    if choices.category:
        query["kategori"] = choices.category
    if choices.scope.organisation_id is not None:
        query["org"] = choices.scope.name
    return query


@bp.get("/endring")
@login_required
def change():
    from app.statistics.services.queries import load_categories
    from reports import runchart
    from reports.runchart_charts import change_svgs

    base = _scope()
    args = _args()
    error = None
    language = report_language()
    try:
        choices = _choices(base, args, language.code)
    except change_data.BadChoice as bad:
        error = bad
        choices = _choices(base, {k: "" for k in args}, language.code)
    result = change_data.change_over_time(choices, direction_labels(), language.code)
    charts = {name: Markup(svg) for name, svg in change_svgs(result, language).items()}
    months = result.months
    words = {
        "run": [runchart.describe(s, months, language) for s in result.run_signals],
        "p": [runchart.describe(s, months, language) for s in result.p_signals],
    }
    active, names = load_categories(language.code)
    categories = active + [n for n in names.values() if n not in active]
    query = _query(choices)
    return render_template(
        "statistics/change.html",
        result=result,
        choices=choices,
        args=args if error else {**args, **query, "org": query.get("org", args["org"])},
        error=error,
        charts=charts,
        words=words,
        fmt=language.numbers,
        month_label=lambda m: runchart.month_label(m, language),
        month_code=runchart.month_code,
        too_few=_(runchart.TOO_FEW) % {"n": runchart.MIN_POINTS},
        directions=direction_labels(),
        categories=categories,
        organisations=change_data.organisations_for(base),
        all_label=_(report_labels.ALL_ORGANISATIONS),
        scope_name=_(result.scope) if choices.scope.organisation_id is None else result.scope,
        links={
            **{chart: url_for("statistics.change_csv", chart=chart, **query) for chart in CHARTS},
            "xlsx": url_for("statistics.change_xlsx", **query),
        },
        series_link=lambda **extra: url_for("statistics.change", **{**query, **extra}),
    ), (422 if error else 200)


@bp.get("/endring/<chart>.csv")
@login_required
def change_csv(chart: str):
    from reports import runchart
    from reports.export import csv_bytes

    base = _scope()
    if chart not in CHARTS:
        from flask import abort

        abort(404)
    try:
        choices = _choices(base, _args())
    except change_data.BadChoice as bad:
        return Response(bad.message, status=422, mimetype="text/plain")
    result = change_data.change_over_time(choices, direction_labels())
    columns, rows = {
        "run": (runchart.RUN_CHART_COLUMNS, runchart.run_chart_rows(result.run)),
        "p": (runchart.P_CHART_COLUMNS, runchart.p_chart_rows(result.p)),
        "pareto": (runchart.PARETO_COLUMNS, runchart.pareto_rows(result.pareto)),
    }[CHARTS[chart]]
    return _download(
        csv_bytes(columns, rows),
        "text/csv",
        f"{chart}-{choices.period.code}.csv",
        choices.scope,
    )


@bp.get("/endring/datasett.xlsx")
@login_required
def change_xlsx():
    from app.statistics.services.exports import EXPORT_COLUMNS, export_rows
    from reports import runchart
    from reports.export import workbook_bytes

    base = _scope()
    try:
        choices = _choices(base, _args())
    except change_data.BadChoice as bad:
        return Response(bad.message, status=422, mimetype="text/plain")
    result = change_data.change_over_time(choices, direction_labels())
    rows = export_rows(
        choices.period, choices.scope, *change_data.filters(choices.direction, choices.category_id)
    )
    body = workbook_bytes([("Avvik", EXPORT_COLUMNS, rows), *runchart.dataset_sheets(result)])
    return _download(
        body,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        f"datasett-{choices.period.code}.xlsx",
        choices.scope,
    )
