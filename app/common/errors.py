"""The one error a service raises for input it refuses, and the routes' one way to act on it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from flask import flash
from flask_wtf import FlaskForm

from app.common.database import begin_write, end_read_only_transaction
from app.extensions import db

T = TypeVar("T")


class ServiceError(ValueError):
    """A rule the input breaks.

    ``message`` is for the user (Norwegian, through Flask-Babel); ``field`` names the form field
    to show it beside, or None for a message about the whole page; ``code`` is a stable name
    for tests, logs and the few callers that react to one refusal in particular.
    """

    def __init__(self, message: Any, field: str | None = None, code: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field
        self.code = code


class NotAllowed(PermissionError):
    """The acting user may not do this to that object. The page answers 404, as for an object
    the user cannot see (setup.register_errorhandlers): nobody learns by probing what exists."""


class NoSuchObject(LookupError):
    """The object a request names is not there (or not where the request says it is): 404."""


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What ``perform`` did: true when the operation was committed; ``value`` its result."""

    ok: bool
    value: T | None = None
    error: ServiceError | None = None

    def __bool__(self) -> bool:
        return self.ok


def show_error(error: ServiceError, form: FlaskForm | None = None) -> None:
    """Beside the form field the error names, else as a flashed message."""
    field = getattr(form, error.field, None) if form is not None and error.field else None
    if field is not None:
        field.errors.append(str(error.message))
    else:
        flash(str(error.message), "error")


def perform(
    operation: Callable[[], T],
    *,
    form: FlaskForm | None = None,
    success: str | Callable[[T], str] | None = None,
) -> Outcome[T]:
    """A route's one write: run ``operation`` (a service call that only flushes) in a write
    transaction, then commit and flash ``success`` (a text, or a function of the result).

    On a ServiceError nothing is kept: the transaction is rolled back and the message shown
    beside ``form``'s field, or flashed. The caller decides where to go either way.
    """
    end_read_only_transaction()  # as writing() does (app.common.writing)
    begin_write()
    try:
        value = operation()
    except ServiceError as error:
        db.session.rollback()
        show_error(error, form)
        return Outcome(False, error=error)
    db.session.commit()
    if success is not None:
        flash(success(value) if callable(success) else success, "success")
    return Outcome(True, value)
