"""The session kept alive while someone types (static/session.js), and how long it has left.

A POST like any form: Flask-WTF checks its CSRF token (the X-CSRFToken header), and the
request hook that loads the user notes the visit, which is all "keeping alive" is. The answer
says how long the session has left, so the page's warning counts from the server's clock.
"""

from __future__ import annotations

from flask import jsonify
from flask_login import current_user

from app.auth.routes.blueprint import bp
from app.auth.services.sign_in import session_seconds_left
from app.common.database import defer_write_lock


def _time_left():
    if not current_user.is_authenticated:
        return jsonify(seconds_left=0), 401
    return jsonify(
        seconds_left=session_seconds_left() or 0,
        # The absolute end (SESSION_MAX_HOURS): the warning says that no "Fortsett" moves it.
        max_seconds_left=session_seconds_left("login_session_max_at") or 0,
    )


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
