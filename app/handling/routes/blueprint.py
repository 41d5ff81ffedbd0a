"""The handling blueprint."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("handling", __name__)
