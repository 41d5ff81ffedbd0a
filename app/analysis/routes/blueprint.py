"""The analysis blueprint, and what its views start with: the analysis or deviation loaded and
the user's permission checked."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, url_for
from flask_login import current_user

from app.analysis import labels, services
from app.common import permissions
from app.models import Analysis, Deviation

bp = Blueprint("analysis", __name__, url_prefix="/analyser")


@bp.app_context_processor
def _template_helpers() -> dict[str, object]:
    return {"analysis_labels": labels}


def get_visible(reference: str) -> Analysis:
    analysis = services.get_by_reference(reference)
    # 404, not 403: a stranger must not learn that the analysis exists.
    permissions.require(current_user, "view", analysis)
    return analysis


def get_editable(reference: str) -> Analysis:
    analysis = get_visible(reference)
    if not permissions.can(current_user, "edit", analysis):
        abort(403)
    return analysis


def get_deviation_to_send(reference: str) -> Deviation:
    deviation = services.deviation_by_reference(reference)
    permissions.require(current_user, "view", deviation)
    if not permissions.can(current_user, "start_analysis", deviation):
        abort(403)
    return deviation


def back(analysis: Analysis, anchor: str | None = None):
    return redirect(url_for("analysis.show", reference=analysis.reference, _anchor=anchor))
