"""The ops blueprint."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("ops", __name__)
