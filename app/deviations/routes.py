"""Filing a deviation, its receipt and the reporter's own list. The deviation's page is in
page.py, on the same blueprint."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from app.common import permissions
from app.common.database import defer_write_lock
from app.common.dates import today_local
from app.common.errors import perform
from app.common.picklists import PickLists, filing_lists
from app.deviations import services
from app.deviations.forms import DeviationForm
from app.models import Deviation, Harm

bp = Blueprint("deviations", __name__, url_prefix="/avvik")


def _offer_choices(form: DeviationForm) -> PickLists:
    """The pick lists, for showing the form (a filing is checked by the service)."""
    lists = filing_lists()
    form.counterpart_org.choices = [
        SelectChoice("", _l("Velg …")),
        *(SelectChoice(o.id, o.name) for o in lists.organisations),
    ]
    form.counterpart_unit.choices = [
        SelectChoice("", _l("Vet ikke / ikke aktuelt")),
        *(SelectChoice(u.id, u.path) for units in lists.units_by_org.values() for u in units),
    ]
    form.category.choices = [
        SelectChoice("", _l("Velg …")),
        *(SelectChoice(c.id, c.name) for c in lists.categories),
    ]
    form.agreement.choices = [
        SelectChoice("", _l("Ingen / vet ikke")),
        *(SelectChoice(a.id, a.name) for a in lists.agreements),
    ]
    return lists


@bp.route("/nytt", methods=["GET", "POST"])
@login_required
@defer_write_lock  # the filing's write block takes the lock for the writes
def new():
    form = DeviationForm(own_org_id=current_user.organisation_id)
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
        done = perform(lambda: services.file_deviation(current_user, data).reference, form=form)
        if done:
            return redirect(url_for("deviations.sent", reference=done.value))
    lists = _offer_choices(form)
    return render_template("deviations/new.html", form=form, choices=lists), (
        422 if form.errors else 200
    )


@bp.get("/<reference>/sendt")
@login_required
def sent(reference: str):
    return render_template("deviations/sent.html", deviation=get_visible(reference))


@bp.get("/mine")
@login_required
def mine():
    return render_template(
        "deviations/mine.html",
        deviations=services.my_deviations(current_user),
        today=today_local(),
    )


def get_visible(reference: str) -> Deviation:
    deviation = services.get_by_reference(reference)
    # 404, not 403: a stranger must not learn that the reference exists.
    if deviation is None or not permissions.can_view_deviation(current_user, deviation):
        abort(404)
    return deviation


from app.deviations import page  # noqa: F401  (the deviation's page, on this blueprint)
