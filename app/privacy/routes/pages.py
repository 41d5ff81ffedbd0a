"""The data protection officer's pages (/personvern): find a patient's cases and who read them,
and the organisation's access log. Everyone else gets 404 (blueprint.py)."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user

from app.common.identity import normalise
from app.common.ids import parse_id
from app.common.writing import writing
from app.privacy import services
from app.privacy.forms import LogFilterForm, PatientSearchForm
from app.privacy.routes.blueprint import bp


@bp.route("/", methods=["GET", "POST"])
def index():
    """The search is a POST and its answer is drawn in reply: the number never appears in an
    address, a server log or the browser's history."""
    form = PatientSearchForm()
    results = None
    if form.validate_on_submit():
        number = normalise(form.number.data)
        with writing(form=form) as done:
            done.value = services.patient_cases(current_user, number)
        results = done.value if done else None
    status = 422 if form.errors else 200
    return render_template("privacy/index.html", form=form, results=results), status


@bp.get("/tilgangslogg")
def access_log():
    form = LogFilterForm(request.args)
    before = request.args.get("for", type=parse_id)
    entries, next_before = [], None
    if form.validate():
        entries, next_before = services.organisation_log(
            current_user,
            email=form.email.data or None,
            reference=form.reference.data or None,
            before_id=before,
        )
    return render_template(
        "privacy/log.html", form=form, entries=entries, next_before=next_before
    ), (422 if form.errors else 200)
