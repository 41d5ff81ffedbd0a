"""The privacy blueprint, and what every one of its views starts with: the data protection
officer signed in; everyone else gets 404."""

from __future__ import annotations

from flask import Blueprint
from flask_login import current_user, login_required

from app.common import permissions

bp = Blueprint("privacy", __name__, url_prefix="/personvern")


@bp.before_request
@login_required
def _officers_only() -> None:
    permissions.require(current_user, "open", permissions.PRIVACY)
