"""The admin log page: every change, newest first, a hundred at a time."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user

from app.admin import services
from app.admin.labels import ACTION, FIELD
from app.admin.routes.blueprint import bp
from app.common import labels, permissions
from app.common.ids import parse_id

PAGE_SIZE = 100


@bp.get("/logg")
def admin_log():
    permissions.require(current_user, "read", permissions.ADMIN_LOG)
    before = request.args.get("for", type=parse_id)
    # One more than a page: if it comes, there is a next page, starting after the last shown.
    entries = services.log_entries(current_user, limit=PAGE_SIZE + 1, before_id=before)
    return render_template(
        "admin/log.html",
        entries=entries[:PAGE_SIZE],
        next_before=entries[PAGE_SIZE - 1].id if len(entries) > PAGE_SIZE else None,
        actions=ACTION,
        fields=FIELD,
        links=labels.TOKEN_PURPOSE,
    )
