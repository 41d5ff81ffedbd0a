"""Writes: file a deviation, write to the reporter, make a move of the workflow. Each needs an
``Idempotency-Key``: a retried call gets the first answer and changes nothing again."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app, g, json, request
from flask_smorest import abort
from marshmallow import Schema
from sqlalchemy.exc import IntegrityError

from app.api import problems, scopes
from app.api.routes.blueprint import actor, bp, requires
from app.api.schemas import (
    IdempotencyHeaderSchema,
    MovedSchema,
    MoveSchema,
    NewDeviationSchema,
    NewMessageSchema,
    PostedMessageSchema,
    ReceiptSchema,
)
from app.api.services import idempotency, reading, writes
from app.common.errors import ServiceError
from app.common.writing import writing
from app.extensions import db

_COMMON = [
    (401, "UNAUTHORIZED"),
    (403, "FORBIDDEN"),
    (409, "CONFLICT"),
    (429, "TOO_MANY_REQUESTS"),
]

# The services name the form's fields; the API's have their own names.
_FIELDS = {
    "counterpart_org": "counterpart_organisation_id",
    "counterpart_unit": "counterpart_unit_id",
    "category": "category_id",
    "agreement": "agreement_id",
    "target_unit": "unit_id",
    "target_org": "organisation_id",
    "target_user": "user_id",
}


def _refusal(error: ServiceError):
    status = 409 if error.code == "conflict" else 422
    field = _FIELDS.get(error.field or "", error.field)
    return problems.problem(
        status,
        code=f"refused-{error.code or 'rule'}",
        detail=str(error.message),
        errors={field: [str(error.message)]} if field else None,
    )


def _replay(found: idempotency.Stored):
    if not found.same_request:
        return problems.problem(
            422,
            code="idempotency-key-reused",
            detail="Idempotency-Key was used before with another request.",
        )
    return _json(found.body, found.status, {"Idempotent-Replayed": "true"})


def _json(body: Any, status: int, headers: dict[str, str] | None = None):
    """Already dumped by its schema (and stored so): flask-smorest passes a response through."""
    return current_app.response_class(
        json.dumps(body), status=status, mimetype="application/json", headers=headers or {}
    )


def _idempotent(key: str, status: int, schema: Schema, work: Callable[[], Any]):
    """Run ``work`` once per key: its answer is stored with the key in the same transaction."""
    client = g.api_client
    print_ = idempotency.fingerprint(request.method, request.path, request.get_data())
    found = idempotency.stored(client, key, print_)
    if found is not None:
        return _replay(found)
    try:
        with writing(show=False) as done:
            row = idempotency.claim(client, key, print_)
            body = schema.dump(work())
            idempotency.answer(row, status, body)
            done.value = body
    except IntegrityError:
        # A twin with the same key committed first (PostgreSQL: our INSERT waited for it).
        db.session.rollback()
        found = idempotency.stored(client, key, print_)
        if found is None:
            raise
        return _replay(found)
    if done.error is not None:
        return _refusal(done.error)
    headers = {"Location": done.value["url"]} if status == 201 and "url" in done.value else {}
    return _json(done.value, status, headers)


def _documented(view):
    for status, name in _COMMON:
        view = bp.alt_response(status, response=name)(view)
    return view


def _visible(reference: str):
    found = reading.visible_deviation(actor(), reference[:20], to_write=True)
    if found is None:
        abort(404)
    return found


@bp.route("/deviations", methods=["POST"])
@bp.arguments(IdempotencyHeaderSchema, location="headers", as_kwargs=True)
@bp.arguments(NewDeviationSchema)
@bp.response(201, ReceiptSchema)
@_documented
@requires(scopes.DEVIATIONS_WRITE)
def file_deviation(data, idempotency_key: str):
    """File a deviation from the token's organisation

    The filing form's rules and identity check, through the same service; the answer is the
    receipt. The client's "API: <name>" user is the reporter, and the mottak of the
    counterpart is told as for any filing.
    """
    return _idempotent(idempotency_key, 201, ReceiptSchema(), lambda: writes.file(actor(), data))


@bp.route("/deviations/<reference>/messages", methods=["POST"])
@bp.arguments(IdempotencyHeaderSchema, location="headers", as_kwargs=True)
@bp.arguments(NewMessageSchema)
@bp.response(201, PostedMessageSchema)
@bp.alt_response(404, response="NOT_FOUND")
@_documented
@requires(scopes.DEVIATIONS_WRITE)
def post_message(data, reference: str, idempotency_key: str):
    """Write to the thread between the reporter and the receiving handlers

    Never an internal note: those are written on the page.
    """
    deviation = _visible(reference)
    return _idempotent(
        idempotency_key,
        201,
        PostedMessageSchema(),
        lambda: writes.message(actor(), deviation, data["body"]),
    )


@bp.route("/deviations/<reference>/moves", methods=["POST"])
@bp.arguments(IdempotencyHeaderSchema, location="headers", as_kwargs=True)
@bp.arguments(MoveSchema)
@bp.response(200, MovedSchema)
@bp.alt_response(404, response="NOT_FOUND")
@_documented
@requires(scopes.DEVIATIONS_WRITE)
def move(data, reference: str, idempotency_key: str):
    """Make a move of the workflow on a deviation the organisation received

    The moves the workflow's table allows a handler of the receiving organisation:
    bekreft, start, videresend (unit_id and/or user_id), omdiriger (organisation_id), analyse,
    besvar (text), avvis (text), gjenapne. Pass the version last read to be told (409) when
    the case changed meanwhile.
    """
    deviation = _visible(reference)
    return _idempotent(
        idempotency_key, 200, MovedSchema(), lambda: writes.move(actor(), deviation, data)
    )
