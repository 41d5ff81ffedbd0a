"""The ``admin`` blueprint: who may enter, the front page, and the lookups every page uses.

Everything a user may not administer answers 404, as for deviations: a lokal_admin does not
learn which other organisations or users exist by probing ids.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required

from app.auth.services import LINK_VALID_HOURS
from app.common import permissions
from app.extensions import db
from app.models import Organisation, Unit, User

bp = Blueprint("admin", __name__, url_prefix="/admin")


def require(allowed: bool) -> None:
    if not allowed:
        abort(404)


def organisation_or_404(org_id: int) -> Organisation:
    org = db.session.get(Organisation, org_id)
    permissions.require(current_user, "administer", org)
    return org  # type: ignore[return-value]


def unit_or_404(unit_id: int) -> Unit:
    unit = db.session.get(Unit, unit_id)
    require(unit is not None and permissions.can(current_user, "administer", unit.organisation))
    return unit  # type: ignore[return-value]


def user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    permissions.require(current_user, "administer", user)
    return user  # type: ignore[return-value]


@bp.context_processor
def _link_hours() -> dict[str, int]:
    return {"link_hours": LINK_VALID_HOURS}


@bp.before_request
@login_required
def _administrators_only():
    permissions.require(current_user, "open", permissions.ADMIN_AREA)


@bp.get("/")
def index():
    return render_template("admin/index.html")
