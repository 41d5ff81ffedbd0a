"""``GET /helse``: for load balancers and monitoring; no login, no session, no case data."""

from __future__ import annotations

from flask import current_app, jsonify
from flask_babel import force_locale

from app.ops import health
from app.ops.routes.blueprint import bp


@bp.get("/helse")
def health_check():
    # In the default language whoever asks: the locale selector would load the session's user,
    # which needs the database this endpoint may be reporting as down.
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        result = health.check()
    return jsonify(result.as_json()), (200 if result.ok else 503)
