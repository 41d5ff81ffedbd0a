"""The deviations blueprint."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("deviations", __name__, url_prefix="/avvik")
