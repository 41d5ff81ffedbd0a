"""Filing a deviation, its receipt and the reporter's own list."""

from __future__ import annotations

from flask import redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from app.common.database import defer_write_lock
from app.common.dates import today_local
from app.common.picklists import PickLists, filing_lists
from app.common.writing import writing
from app.deviations import services
from app.deviations.forms import DeviationForm
from app.deviations.page import get_visible
from app.deviations.routes.blueprint import bp
from app.handling.reading import unread_ids
from app.models import Harm


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
        with writing(form=form) as done:
            done.value = services.file_deviation(current_user, data).reference
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
        deviations=(mine := services.my_deviations(current_user)),
        unread=unread_ids(current_user, (d.id for d in mine)),
        today=today_local(),
    )
