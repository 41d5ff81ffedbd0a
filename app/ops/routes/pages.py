"""``GET /helse``: for load balancers and monitoring; no login, no session, no case data.

The status code is for everyone; the detail (migration revision, mail-queue counts, problems)
only for a request with ``Authorization: Bearer <HEALTH_TOKEN>``: the revision tells an
attacker which release runs, and the queue how busy the service is.
"""

from __future__ import annotations

import hmac

from flask import current_app, jsonify, request
from flask_babel import force_locale

from app.ops import health
from app.ops.routes.blueprint import bp


def _may_see_detail() -> bool:
    token = current_app.config.get("HEALTH_TOKEN")
    if not token:
        return False
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode(), str(token).encode()
    )


@bp.get("/helse")
def health_check():
    # In the default language whoever asks: the locale selector would load the session's user,
    # which needs the database this endpoint may be reporting as down.
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        result = health.check()
    status = 200 if result.ok else 503
    if _may_see_detail():
        return jsonify(result.as_json()), status
    return ("ok" if result.ok else "error"), status, {"Content-Type": "text/plain; charset=utf-8"}
