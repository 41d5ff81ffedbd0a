"""The search page: every deviation the user may see, by words, with the inbox's filters."""

from __future__ import annotations

from flask import current_app, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.common import permissions
from app.common.dates import today_local
from app.common.picklists import active_categories
from app.deviations.services import get_by_reference
from app.privacy.access_log import log_listing
from app.search import services
from app.search.forms import filters_from_request, status_options, url_args
from app.search.routes.blueprint import bp


@bp.get("/sok")
@login_required
def index():
    filters = filters_from_request()
    # Someone who receives no cases reads the reporting side's four statuses (docs/glossary.md),
    # in the filter as in the results.
    reporter_view = not permissions.can(current_user, "open", permissions.INBOX)
    reference = services.reference_in(filters.text)
    if reference:
        deviation = get_by_reference(reference)
        if deviation is not None and permissions.can(current_user, "view", deviation):
            return redirect(url_for("deviations.show", reference=deviation.reference))
    page = None
    if filters.text:
        page = services.search(
            current_user,
            filters,
            cursor=request.args.get("etter"),
            page_size=int(current_app.config["INBOX_PAGE_SIZE"]),
        )
        log_listing(current_user, (row.id for row in page.items))
    elif filters.picks:
        # The cases behind a count on the statistics page.
        page = services.listing(
            current_user,
            filters,
            cursor=request.args.get("etter"),
            page_size=int(current_app.config["INBOX_PAGE_SIZE"]),
        )
        log_listing(current_user, (row.id for row in page.items))
    args = url_args(filters)
    return render_template(
        "search/index.html",
        filters=filters,
        args=args,
        statuses=status_options(reporter_view, args.get("status")),
        chosen_status=args.get("status"),
        picked_org=services.organisation_name(filters.organisation_id),
        page=page,
        categories=active_categories(),
        today=today_local(),
        first_page="etter" not in request.args,
    )
