"""Deviations the token's organisation sent or received."""

from __future__ import annotations

from flask_smorest import abort

from app.api import scopes
from app.api.routes.blueprint import actor, bp, requires
from app.api.schemas import (
    DeviationListQuery,
    DeviationPageSchema,
    DeviationSchema,
)
from app.api.services import reading
from app.common.writing import writing
from app.privacy.access_log import log_listing


@bp.route("/deviations", methods=["GET"])
@bp.arguments(DeviationListQuery, location="query", as_kwargs=False)
@bp.response(200, DeviationPageSchema)
@bp.alt_response(401, response="UNAUTHORIZED")
@bp.alt_response(403, response="FORBIDDEN")
@bp.alt_response(429, response="TOO_MANY_REQUESTS")
@requires(scopes.DEVIATIONS_READ)
def deviations(query):
    """List deviations received (or sent) by the token's organisation

    The inbox's list, newest first or by nearest deadline, in keyset pages: follow
    ``next`` (or pass ``next_cursor`` as ``after``) until it is null. Each case listed is
    written to its access log, as a list in the inbox is.
    """
    page = reading.deviation_page(actor(), query)
    log_listing(actor().user, (item["id"] for item in page["items"]))
    return page


@bp.route("/deviations/<reference>", methods=["GET"])
@bp.response(200, DeviationSchema)
@bp.alt_response(401, response="UNAUTHORIZED")
@bp.alt_response(403, response="FORBIDDEN")
@bp.alt_response(404, response="NOT_FOUND")
@bp.alt_response(429, response="TOO_MANY_REQUESTS")
@requires(scopes.DEVIATIONS_READ)
def deviation(reference: str):
    """One deviation with its history and public thread

    Never the patient's identity, never a handler's internal note. The reading is written to
    the case's access log, as a reading of its page is.
    """
    found = reading.visible_deviation(actor(), reference[:20])
    if found is None:
        abort(404)
    body = reading.deviation_body(actor(), found)
    with writing():
        reading.note_reading(actor(), found)
    return body
