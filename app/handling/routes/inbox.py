"""Mottak: the receiving organisation's inbox. Moves and messages are made on the deviation's
page (move.py beside this, app/deviations/routes/case.py)."""

from __future__ import annotations

from flask import current_app, render_template, request
from flask_login import current_user, login_required

from app.common import permissions
from app.common.dates import today_local
from app.common.ids import parse_id
from app.common.picklists import active_categories
from app.handling import reading, services
from app.handling.routes.blueprint import bp
from app.models import Status
from app.privacy.access_log import log_listing
from app.search import services as search
from app.search.forms import filters_from_request as search_filters_from_request


@bp.get("/mottak")
@login_required
def inbox():
    permissions.require(current_user, "open", permissions.INBOX)
    status = request.args.get("status") or None
    category = request.args.get("category") or None
    sort = request.args.get("sorter")
    filters = services.InboxFilter(
        status=Status(status) if status in {s.value for s in Status} else None,
        category_id=parse_id(category),
        sort=services.SORT_DEADLINE if sort == services.SORT_DEADLINE else services.SORT_NEWEST,
    )
    today = today_local()
    found = None
    searched = search_filters_from_request(received_only=True)
    if searched.text:
        # The inbox's search box: words within what was sent to us, with the same filters.
        found = search.search(
            current_user,
            searched,
            cursor=request.args.get("etter"),
            page_size=int(current_app.config["INBOX_PAGE_SIZE"]),
        )
    page = (
        None
        if found is not None
        else services.inbox_page(
            current_user,
            filters,
            cursor=request.args.get("etter"),
            page_size=int(current_app.config["INBOX_PAGE_SIZE"]),
        )
    )
    shown = found.items if found is not None else page.items
    log_listing(current_user, (row.id for row in shown))
    unread = reading.unread_ids(current_user, (row.id for row in shown))
    return render_template(
        "handling/inbox.html",
        page=page,
        found=found,
        query=searched.text,
        filters=filters,
        counts=services.inbox_counts(
            current_user.organisation_id, today, cap=int(current_app.config["INBOX_COUNT_CAP"])
        ),
        categories=active_categories(),
        today=today,
        first_page="etter" not in request.args,
        sort_deadline=services.SORT_DEADLINE,
        unread=unread,
    )
