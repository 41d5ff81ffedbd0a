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
from app.models import Harm, Status
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
    harm = request.args.get("harm") or None
    filters = services.InboxFilter(
        status=Status(status) if status in {s.value for s in Status} else None,
        category_id=parse_id(category),
        sort=services.SORT_DEADLINE if sort == services.SORT_DEADLINE else services.SORT_NEWEST,
        harm=harm if harm in {services.HARM_SERIOUS, *(h.value for h in Harm)} else None,
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
    # The open serious events come first, above the first page of an unfiltered inbox.
    serious_first = (
        services.open_serious_first(current_user)
        if found is None and not filters.narrowed and "etter" not in request.args
        else None
    )
    shown = found.items if found is not None else page.items
    if serious_first is not None:
        shown = [*serious_first.items, *shown]
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
        serious_first=serious_first,
        harm_serious=services.HARM_SERIOUS,
        unread=unread,
    )
