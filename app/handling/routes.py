"""Mottak: the inbox of the receiving organisation's handlers."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required

from app.common import permissions
from app.common.dates import today_local
from app.deviations.services import active_categories
from app.handling import services
from app.models import Status

bp = Blueprint("handling", __name__)


@bp.get("/mottak")
@login_required
def inbox():
    if not permissions.is_handler(current_user):
        abort(404)
    status = request.args.get("status") or None
    category = request.args.get("category") or None
    filters = services.InboxFilter(
        status=Status(status) if status in {s.value for s in Status} else None,
        category_id=int(category) if category and category.isdigit() else None,
    )
    page = services.inbox_page(
        current_user,
        filters,
        cursor=request.args.get("etter"),
        page_size=current_app_page_size(),
    )
    return render_template(
        "handling/inbox.html",
        page=page,
        filters=filters,
        categories=active_categories(),
        today=today_local(),
        first_page="etter" not in request.args,
    )


def current_app_page_size() -> int:
    from flask import current_app

    return int(current_app.config["INBOX_PAGE_SIZE"])
