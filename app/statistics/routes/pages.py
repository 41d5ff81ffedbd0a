"""The statistics page and its downloads: thin, everything is in services and reports/.

The PDF, chart and spreadsheet libraries (reportlab, openpyxl) are imported in the views that
draw or write with them, not here: every web worker imports this blueprint, and most of them
only ever serve the filing form and the inbox.
"""

from __future__ import annotations

from flask import Response, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from app.common import permissions
from app.common.dates import today_local
from app.common.translations import report_language
from app.privacy.access_log import log_export
from app.statistics import services
from app.statistics.routes.blueprint import bp
from reports import DEFINITIONS, Tertial


def _scope() -> services.Scope:
    # 404, not 403: the page does not exist for those who may not see it.
    permissions.require(current_user, "view", permissions.STATISTICS)
    return services.scope_for(current_user)


# A period the page can draw with its comparisons (the year before, the tertials before):
# year 1 or 9998 parsed, and then overflowed a date further on (a 500).
YEARS = range(1900, 3000)


def _parse_tertial(code: str) -> Tertial:
    tertial = Tertial.parse(code)
    if tertial.year not in YEARS:
        raise ValueError(f"year out of range: {tertial.year}")
    return tertial


def _tertial_from_url(code: str) -> Tertial:
    try:
        return _parse_tertial(code)
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
            tertial = _parse_tertial(chosen)
        except ValueError:
            error = _("Velg et tertial fra listen, f.eks. %(example)s.", example=tertial.code)
    if tertial not in choices:
        choices.append(tertial)
    language = report_language()
    summary = services.tertial_summary(tertial, scope, language)
    # Drawn here from our own figures and labels, escaped by the XML writer.
    charts = {name: Markup(svg) for name, svg in chart_svgs(summary, SCREEN_WIDTH).items()}
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
        cases=_case_links(scope, tertial, language.code),
    ), (422 if error else 200)


# The charts' width on the page, in SVG units: about a phone's column, so the page scales them
# up on a wide screen and hardly down on a narrow one (labels stay 11 px or more at 360 px).
SCREEN_WIDTH = 330


def _case_links(scope: services.Scope, tertial: Tertial, language: str):
    """A function making the link from a count to the list of its cases, or None when counts
    stay plain numbers: only where the list shows every case counted (a handler's statistics
    are their organisation's cases, which they may open; the improvement group's and admins'
    count cases they may not)."""
    if scope.organisation_id is None or not permissions.can(
        current_user, "list_cases", permissions.STATISTICS
    ):
        return None
    # The summary names categories in the reader's language: so does this lookup.
    names = services.load_categories(language)[1]
    category_ids = {name: ident for ident, name in names.items()}

    def link(period: Tertial = tertial, **picks: str | None) -> str | None:
        if "kategori" in picks:
            category = category_ids.get(picks.pop("kategori") or "")
            if category is None:
                return None
            picks["category"] = str(category)
        if any(value is None for value in picks.values()):
            return None
        return url_for(
            "search.index",
            fra=period.start.isoformat(),
            til=period.end.isoformat(),
            org=scope.organisation_id,
            **picks,
        )

    return link


def _download(body: bytes, mimetype: str, filename: str, scope: services.Scope) -> Response:
    """A file leaving the system: logged (who, which file, whose cases) before it is handed
    over."""
    log_export(current_user, f"{filename} ({scope.name})")
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
    change = _change_page(tertial, scope, language.code)  # Endring over tid (issue 23)
    return _download(
        render_pdf(summary, made_at, language, change),
        "application/pdf",
        f"avvik-{tertial.code}.pdf",
        scope,
    )


def _change_page(tertial: Tertial, scope: services.Scope, language: str):
    from app.statistics.labels import direction_labels
    from app.statistics.services.change import tertial_change

    return tertial_change(tertial, scope, direction_labels(), language)


@bp.get("/<code>/avvik.csv")
@login_required
def csv(code: str):
    from reports.export import csv_bytes

    scope = _scope()
    tertial = _tertial_from_url(code)
    body = csv_bytes(services.EXPORT_COLUMNS, services.export_rows(tertial, scope))
    return _download(body, "text/csv", f"avvik-{tertial.code}.csv", scope)


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
        scope,
    )
