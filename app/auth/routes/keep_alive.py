"""The session kept alive while someone types (static/session.js), and how long it has left.

A POST like any form: Flask-WTF checks its CSRF token (the X-CSRFToken header), and the
request hook that loads the user notes the visit, which is all "keeping alive" is. The answer
says how long the session has left, so the page's warning counts from the server's clock.
"""

from __future__ import annotations

import math

from flask import g, jsonify
from flask_login import current_user

from app.auth.routes.blueprint import bp
from app.common.database import defer_write_lock
from app.models import utcnow


def _time_left():
    if not current_user.is_authenticated:
        return jsonify(seconds_left=0), 401
    ends_at = g.get("login_session_ends_at")
    # Rounded up, as on the page: the page never tells of an end the server has not reached.
    left = max(0, math.ceil((ends_at - utcnow()).total_seconds())) if ends_at else 0
    return jsonify(seconds_left=left)


@bp.post("/okt/fortsett")
@defer_write_lock  # nothing but the visit is written, in a block of its own
def keep_alive():
    return _time_left()


@bp.get("/okt")
def session_status():
    """How long the session has left, without noting a visit (sign_in.load_user_first): the
    page asks before it warns or says the session has ended, since another tab may have kept
    it alive meanwhile."""
    return _time_left()
