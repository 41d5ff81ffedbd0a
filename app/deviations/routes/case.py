"""The deviation's page, showing the patient identity, and posting a message on it. The page is
drawn by app/deviations/page.py; a handler's move is handling's (app/handling/routes/move.py)."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.common import permissions
from app.common.writing import writing
from app.deviations import services
from app.deviations.forms import MessageForm
from app.deviations.page import get_visible, redraw_refused, render_deviation
from app.deviations.routes.blueprint import bp
from app.handling import services as handling
from app.handling import thread
from app.models import AccessAction
from app.privacy.access_log import log_reading


@bp.get("/<reference>")
@login_required
def show(reference: str):
    deviation = get_visible(reference)
    # What this visit must write is read first, while the case just loaded is fresh: the
    # access log's write block below ends this read and expires what it loaded.
    due = handling.opening(current_user, deviation)
    log_reading(current_user, AccessAction.DEVIATION_VIEWED, deviation=deviation)
    if due:
        # A GET that writes: read first without the lock, then one write block (it ends the
        # read transaction and takes the lock), as the access log's own write does. A colleague
        # who acknowledged the case a moment earlier makes this one change nothing.
        with writing(show=False) as done:
            done.value = handling.open_case(current_user, deviation, due)
        if done and done.value:
            flash(_("Mottaket er bekreftet. Melderen ser at avviket er mottatt."), "success")
    return render_deviation(deviation)


@bp.post("/<reference>/pasient")
@login_required
def reveal_patient(reference: str):
    deviation = get_visible(reference)
    permissions.require(current_user, "see_patient_id", deviation)
    if not deviation.has_patient_id:
        flash(_("Pasientens identitet er ikke registrert, eller er slettet."), "info")
        return redirect(url_for("deviations.show", reference=reference))
    with writing() as done:
        done.value = services.reveal_patient_id(current_user, deviation)
    return render_deviation(deviation, patient_id=done.value)


@bp.post("/<reference>/meldinger")
@login_required
def post_message(reference: str):
    deviation = get_visible(reference)
    permissions.require(current_user, "post_message", deviation)
    form = MessageForm()
    if form.validate():
        internal = bool(form.internal.data) and permissions.can(
            current_user, "write_internal_note", deviation
        )
        success = _("Det interne notatet er lagret.") if internal else _("Meldingen er sendt.")
        with writing(form=form, success=success) as done:
            thread.post_message(deviation, current_user, form.body.data, internal=internal)
        if done:
            return redirect(url_for("deviations.show", reference=deviation.reference) + "#samtale")
    return redraw_refused(deviation, message_form=form, status=422)
