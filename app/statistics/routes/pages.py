"""The statistics page and its downloads: thin, everything is in services and reports/.

The PDF, chart and spreadsheet libraries (reportlab, openpyxl) are imported in the views that
draw or write with them, not here: every web worker imports this blueprint, and most of them
only ever serve the filing form and the inbox.
"""

from __future__ import annotations

from flask import Response, abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from app.common import permissions
from app.common.dates import today_local
from app.common.translations import report_language
from app.statistics import services
from app.statistics.routes.blueprint import bp
from reports import DEFINITIONS, Tertial


def _scope() -> services.Scope:
    # 404, not 403: the page does not exist for those who may not see it.
    permissions.require(current_user, "view", permissions.STATISTICS)
    return services.scope_for(current_user)


def _tertial_from_url(code: str) -> Tertial:
    try:
        return Tertial.parse(code)
    except ValueError:
        abort(404)


@bp.get("/")
@login_required
def index():
    from reports.charts import chart_svgs
    from reports.pdf import report_title

    scope = _scope()
    today = today_local()
    choices = services.available_tertials(today)
    error = None
    chosen = request.args.get("tertial")
    tertial = services.last_complete_tertial(today)
    if chosen:
        try:
            tertial = Tertial.parse(chosen)
        except ValueError:
            error = _("Velg et tertial fra listen, f.eks. %(example)s.", example=tertial.code)
    if tertial not in choices:
        choices.append(tertial)
    language = report_language()
    summary = services.tertial_summary(tertial, scope, language)
    # Drawn here from our own figures and labels, escaped by the XML writer.
    charts = {name: Markup(svg) for name, svg in chart_svgs(summary).items()}
    return render_template(
        "statistics/index.html",
        summary=summary,
        tertial=tertial,
        choices=choices,
        error=error,
        charts=charts,
        fmt=language.numbers,
        title=report_title(summary, language),
        definitions=[_(d) for d in DEFINITIONS],
        tertial_label=lambda t: t.label_in(language.gettext),
    ), (422 if error else 200)


def _download(body: bytes, mimetype: str, filename: str) -> Response:
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.get("/<code>/rapport.pdf")
@login_required
def pdf(code: str):
    from reports.pdf import render_pdf

    scope = _scope()
    tertial = _tertial_from_url(code)
    language = report_language()
    summary = services.tertial_summary(tertial, scope, language)
    made_at = services.data_stamp(scope) or tertial.end_utc
    change = _change_page(tertial, scope)  # Endring over tid (issue 23)
    return _download(
        render_pdf(summary, made_at, language, change),
        "application/pdf",
        f"avvik-{tertial.code}.pdf",
    )


def _change_page(tertial: Tertial, scope: services.Scope):
    from app.statistics.labels import direction_labels
    from app.statistics.services.change import tertial_change

    return tertial_change(tertial, scope, direction_labels())


@bp.get("/<code>/avvik.csv")
@login_required
def csv(code: str):
    from reports.export import csv_bytes

    scope = _scope()
    tertial = _tertial_from_url(code)
    body = csv_bytes(services.EXPORT_COLUMNS, services.export_rows(tertial, scope))
    return _download(body, "text/csv; charset=utf-8", f"avvik-{tertial.code}.csv")


@bp.get("/<code>/avvik.xlsx")
@login_required
def xlsx(code: str):
    from reports.export import xlsx_bytes

    scope = _scope()
    tertial = _tertial_from_url(code)
    body = xlsx_bytes(services.EXPORT_COLUMNS, services.export_rows(tertial, scope), tertial.code)
    return _download(
        body,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        f"avvik-{tertial.code}.xlsx",
    )
