"""Filing a deviation, the reporter's own list, and the deviation's page."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from app.common import permissions
from app.common.dates import today_local
from app.deviations import services
from app.deviations.forms import DeviationForm
from app.extensions import db
from app.handling.routes import render_deviation
from app.models import Harm

bp = Blueprint("deviations", __name__, url_prefix="/avvik")

_FILING_MESSAGES = {
    "unknown": lambda: _("Valget finnes ikke lenger. Velg på nytt."),
    "self": lambda: _("Avviket kan ikke sendes til din egen organisasjon."),
    "future": lambda: _("Datoen kan ikke være fram i tid."),
    "invalid": lambda: _("Dette er ikke et gyldig fødselsnummer eller D-nummer."),
    "identity": lambda: _("Teksten ser ut til å inneholde et fødselsnummer eller D-nummer."),
}


def _build_form() -> tuple[DeviationForm, services.FilingChoices]:
    choices = services.filing_choices()
    form = DeviationForm(own_org_id=current_user.organisation_id)
    # Lazy labels: a filing that succeeds never renders them.
    form.counterpart_org.choices = [SelectChoice("", _l("Velg …")), *choices.organisation_options]
    form.counterpart_unit.choices = [
        SelectChoice("", _l("Vet ikke / ikke aktuelt")),
        *choices.unit_options,
    ]
    form.unit_org = choices.unit_ids_by_org
    form.category.choices = [SelectChoice("", _l("Velg …")), *choices.category_options]
    form.agreement.choices = [SelectChoice("", _l("Ingen / vet ikke")), *choices.agreement_options]
    form.counterpart_org.allowed = choices.allowed_ids["organisations"]
    form.counterpart_unit.allowed = choices.allowed_ids["units"]
    form.category.allowed = choices.allowed_ids["categories"]
    form.agreement.allowed = choices.allowed_ids["agreements"]
    return form, choices


@bp.route("/nytt", methods=["GET", "POST"])
@login_required
def new():
    form, choices = _build_form()
    if not form.is_submitted():
        form.event_date.data = today_local()
    if form.validate_on_submit():
        data = services.DeviationInput(
            counterpart_org_id=form.counterpart_org.data,
            counterpart_unit_id=form.counterpart_unit.data,
            event_date=form.event_date.data,
            category_id=form.category.data,
            harm=Harm(form.harm.data),
            title=form.title.data,
            description=form.description.data,
            immediate_action=form.immediate_action.data or "",
            suggestion=form.suggestion.data or "",
            agreement_id=form.agreement.data,
            patient_id=form.patient_id.data or None,
        )
        try:
            reference = services.record_filing(current_user, data)["reference"]
        except services.FilingError as error:
            db.session.rollback()
            getattr(form, error.field).errors.append(_FILING_MESSAGES[error.message]())
        else:
            db.session.commit()
            return redirect(url_for("deviations.sent", reference=reference))
    return render_template("deviations/new.html", form=form, choices=choices), (
        422 if form.errors else 200
    )


@bp.get("/<reference>/sendt")
@login_required
def sent(reference: str):
    deviation = _get_visible(reference)
    return render_template("deviations/sent.html", deviation=deviation)


@bp.get("/mine")
@login_required
def mine():
    return render_template(
        "deviations/mine.html",
        deviations=services.my_deviations(current_user),
        today=today_local(),
    )


@bp.get("/<reference>")
@login_required
def show(reference: str):
    return render_deviation(_get_visible(reference))


@bp.post("/<reference>/pasient")
@login_required
def reveal_patient(reference: str):

    deviation = _get_visible(reference)
    if not permissions.can_see_patient_id(current_user, deviation):
        abort(404)
    if not deviation.has_patient_id:
        flash(_("Pasientens identitet er ikke registrert, eller er slettet."), "info")
        return redirect(url_for("deviations.show", reference=reference))
    patient_id = services.reveal_patient_id(current_user, deviation)
    db.session.commit()
    return render_deviation(deviation, patient_id=patient_id)


def _get_visible(reference: str):
    deviation = services.get_by_reference(reference)
    # 404, not 403: a stranger must not learn that the reference exists.
    if deviation is None or not permissions.can_view_deviation(current_user, deviation):
        abort(404)
    return deviation
