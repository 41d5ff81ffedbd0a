"""Rectification from the case page: the receiving handler corrects the patient number or
removes a passage of text (the rules are app/privacy/rectification.py's)."""

from __future__ import annotations

from flask import redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.common import permissions
from app.common.writing import writing
from app.deviations.page import get_visible, render_deviation
from app.deviations.routes.blueprint import bp
from app.privacy import rectification
from app.privacy.forms import CorrectPatientForm, RedactForm


@bp.post("/<reference>/retting/pasient")
@login_required
def correct_patient(reference: str):
    deviation = get_visible(reference)
    permissions.require(current_user, "rectify", deviation)
    form = CorrectPatientForm()
    if form.validate():
        with writing(form=form, success=_("Pasientens nummer er rettet.")) as done:
            rectification.correct_patient_id(current_user, deviation, form.patient_id.data)
        if done:
            return redirect(url_for("deviations.show", reference=deviation.reference) + "#retting")
    return render_deviation(deviation, rectify_forms={"patient": form}, status=422)


@bp.post("/<reference>/retting/fjern")
@login_required
def redact(reference: str):
    deviation = get_visible(reference)
    permissions.require(current_user, "rectify", deviation)
    form = RedactForm()
    if form.validate():
        with writing(form=form, success=_("Teksten er fjernet.")) as done:
            rectification.redact_passage(current_user, deviation, form.passage.data)
        if done:
            return redirect(url_for("deviations.show", reference=deviation.reference) + "#retting")
    return render_deviation(deviation, rectify_forms={"redact": form}, status=422)
