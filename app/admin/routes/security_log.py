"""The security log page: logins, failures, locks and the like, newest first."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user

from app.admin import services
from app.admin.routes.blueprint import bp
from app.auth import labels
from app.common import permissions
from app.common.ids import parse_id

PAGE_SIZE = 100


@bp.get("/sikkerhetslogg")
def security_log():
    permissions.require(current_user, "read", permissions.ADMIN_LOG)
    before = request.args.get("for", type=parse_id)
    email = request.args.get("e-post", "")[:254]
    rows = services.security_log(current_user, PAGE_SIZE + 1, before, email)
    return render_template(
        "admin/security_log.html",
        rows=rows[:PAGE_SIZE],
        next_before=rows[PAGE_SIZE - 1].id if len(rows) > PAGE_SIZE else None,
        email=email,
        auth_labels=labels,
    )
