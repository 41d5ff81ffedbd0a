"""Reference data: who the token is, the categories, organisations and their units."""

from __future__ import annotations

from flask_smorest import abort

from app.api.routes.blueprint import bp, requires
from app.api.schemas import (
    CategoryListSchema,
    ClientSchema,
    OrganisationListSchema,
    OrganisationPathSchema,
    UnitListSchema,
)
from app.api.services import reading


@bp.route("/me", methods=["GET"])
@bp.response(200, ClientSchema)
@bp.alt_response(401, response="UNAUTHORIZED")
@bp.alt_response(429, response="TOO_MANY_REQUESTS")
@requires(None)
def me():
    """The client this token belongs to: its organisation, scopes and expiry"""
    from flask import g

    return g.api_client


@bp.route("/categories", methods=["GET"])
@bp.response(200, CategoryListSchema)
@bp.alt_response(401, response="UNAUTHORIZED")
@bp.alt_response(429, response="TOO_MANY_REQUESTS")
@requires(None)
def categories():
    """The deviation categories, in the form's order (inactive ones too, for old cases)"""
    return {"items": reading.categories()}


@bp.route("/organisations", methods=["GET"])
@bp.response(200, OrganisationListSchema)
@bp.alt_response(401, response="UNAUTHORIZED")
@bp.alt_response(429, response="TOO_MANY_REQUESTS")
@requires(None)
def organisations():
    """The organisations of the helsefellesskap"""
    return {"items": reading.organisations()}


@bp.route("/organisations/<int:organisation_id>/units", methods=["GET"])
@bp.response(200, UnitListSchema)
@bp.alt_response(401, response="UNAUTHORIZED")
@bp.alt_response(404, response="NOT_FOUND")
@bp.alt_response(429, response="TOO_MANY_REQUESTS")
@requires(None)
def units(organisation_id: int):
    """An organisation's units, each with its path ("Klinikk › Avdeling")"""
    found = reading.units_of(organisation_id)
    if found is None:
        abort(404)
    return {"items": found}


__all__ = ["OrganisationPathSchema"]
