"""A handler's queues: the start page's lists (drawn by main's "/" for a handler) and one
queue at a time, longer."""

from __future__ import annotations

from flask import abort, current_app, render_template
from flask_login import current_user, login_required

from app.common import permissions
from app.common.dates import today_local
from app.handling import queues
from app.handling.routes.blueprint import bp
from app.privacy.access_log import log_listing

QUEUE_PAGE_ROWS = 100


@bp.get("/mottak/ko/<name>")
@login_required
def queue(name: str):
    permissions.require(current_user, "open", permissions.INBOX)
    try:
        chosen = queues.Queue(name)
    except ValueError:
        abort(404)
    today = today_local()
    cap = int(current_app.config["INBOX_COUNT_CAP"])
    view = queues.QueueView(
        chosen,
        queues.count(chosen, current_user, today, cap),
        queues.rows(chosen, current_user, today, QUEUE_PAGE_ROWS),
        cap,
    )
    log_listing(current_user, (row.id for row in view.rows))
    return render_template("handling/queue.html", view=view, today=today)
