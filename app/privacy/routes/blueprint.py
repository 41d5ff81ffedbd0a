"""The privacy blueprint, and what every one of its views starts with: the data protection
officer signed in; everyone else gets 404."""

from __future__ import annotations

from flask import Blueprint, abort
from flask_login import current_user, login_required

from app.common.permissions import is_privacy_officer

bp = Blueprint("privacy", __name__, url_prefix="/personvern")


@bp.before_request
@login_required
def _officers_only() -> None:
    if not is_privacy_officer(current_user):
        abort(404)
