"""The errors a service raises: input it refuses (shown beside the form), and the two a page
answers with 404. Routes act on them through ``app.common.writing.writing``."""

from __future__ import annotations

from typing import Any, TypeVar

from flask import flash
from flask_wtf import FlaskForm

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
    the user cannot see (responses.register_errorhandlers): nobody learns by probing what exists."""


class NoSuchObject(LookupError):
    """The object a request names is not there (or not where the request says it is): 404."""


def show_error(error: ServiceError, form: FlaskForm | None = None) -> None:
    """Beside the form field the error names, else as a flashed message."""
    field = getattr(form, error.field, None) if form is not None and error.field else None
    if field is not None:
        field.errors.append(str(error.message))
    else:
        flash(str(error.message), "error")
