"""The tertial statistics' figures for the token's organisation."""

from __future__ import annotations

from flask_smorest import abort

from app.api import scopes
from app.api.routes.blueprint import actor, bp, requires
from app.api.schemas import StatisticsSchema
from app.api.services import reading
from reports import Tertial


@bp.route("/statistics/tertials/<tertial>", methods=["GET"])
@bp.response(200, StatisticsSchema)
@bp.alt_response(401, response="UNAUTHORIZED")
@bp.alt_response(403, response="FORBIDDEN")
@bp.alt_response(404, response="NOT_FOUND")
@bp.alt_response(429, response="TOO_MANY_REQUESTS")
@requires(scopes.STATISTICS_READ)
def tertial_statistics(tertial: str):
    """A tertial's figures (e.g. 2026-T1) over what the organisation sent or received

    The same numbers as the statistics page and its PDF; labels in the language of
    Accept-Language, keys as stored.
    """
    try:
        parsed = Tertial.parse(tertial)
    except ValueError:
        abort(404)
    if not 2000 <= parsed.year <= 2100:
        abort(404)
    return reading.tertial_figures(actor(), parsed)
