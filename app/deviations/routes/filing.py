"""Filing a deviation, its receipt and the reporter's own list."""

from __future__ import annotations

from datetime import timedelta

from flask import jsonify, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from app.common.database import defer_write_lock
from app.common.dates import today_local
from app.common.ids import parse_id
from app.common.picklists import PickLists, filing_lists
from app.common.writing import writing
from app.deviations import services
from app.deviations.forms import DeviationForm
from app.deviations.page import get_visible
from app.deviations.routes.blueprint import bp
from app.handling import fallback, serious
from app.handling.reading import unread_ids
from app.models import Harm, utcnow
from app.search import similar as suggestions


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


# The button of the duplicate warning: its name says the reporter chose to file anyway.
SEND_ANYWAY = "send_likevel"


def _prefill(form: DeviationForm) -> None:
    """A new form: today's date, and a starting point's counterpart and category when the link
    of one was followed (the form's own field names in the query string)."""
    form.event_date.data = today_local()
    for field in (form.counterpart_org, form.category):
        value = parse_id(request.args.get(field.name, ""))
        if value is not None:
            field.data = value


def _optional_open(form: DeviationForm) -> bool:
    """Whether the optional questions start open: one of them holds a value or an error."""
    fields = (
        form.counterpart_unit,
        form.immediate_action,
        form.suggestion,
        form.agreement,
        form.patient_id,
    )
    return any(f.data or f.errors for f in fields)


@bp.route("/nytt", methods=["GET", "POST"])
@login_required
@defer_write_lock  # the filing's write block takes the lock for the writes
def new():
    form = DeviationForm(own_org_id=current_user.organisation_id)
    if not form.is_submitted():
        _prefill(form)
    duplicates = []
    if form.validate_on_submit():
        data = services.DeviationInput(
            counterpart_org_id=form.counterpart_org.data,
            counterpart_unit_id=form.counterpart_unit.data,
            event_date=form.event_date.data,
            category_id=form.category.data,
            harm=Harm(form.harm.data),
            title=form.title.data,
            description=form.description.data or "",
            immediate_action=form.immediate_action.data or "",
            suggestion=form.suggestion.data or "",
            agreement_id=form.agreement.data,
            patient_id=form.patient_id.data or None,
        )
        if not request.form.get(SEND_ANYWAY):
            duplicates = services.similar_recent(
                current_user, data.counterpart_org_id, data.category_id, data.title
            )
        if not duplicates:
            with writing(form=form) as done:
                done.value = services.file_deviation(current_user, data).reference
            if done:
                return redirect(url_for("deviations.sent", reference=done.value))
    lists = _offer_choices(form)
    today = today_local()
    return render_template(
        "deviations/new.html",
        form=form,
        choices=lists,
        unstaffed=fallback.unstaffed_routes(current_user.organisation_id, lists.organisations),
        # Only on a new form: once something is typed, the form itself holds the choice.
        starting_points=[]
        if form.is_submitted()
        else services.starting_points(current_user.organisation_id),
        duplicates=duplicates,
        send_anyway=SEND_ANYWAY,
        optional_open=_optional_open(form),
        today=today,
        yesterday=today - timedelta(days=1),
        **serious.guidance_context(),
    ), (422 if form.errors else 200)


@bp.get("/nytt/kategoriforslag")
@login_required
def suggest_category():
    """The category suggested for a title (and counterpart) being typed, as JSON: the filing
    form's script asks while the reporter types; the form works without it."""
    title = request.args.get("title", "")[:500]
    counterpart = parse_id(request.args.get("counterpart_org", ""))
    category_id = suggestions.suggest_category(
        current_user.organisation_id, title, counterpart, utcnow()
    )
    return jsonify({"category": category_id})


@bp.get("/<reference>/sendt")
@login_required
def sent(reference: str):
    deviation = get_visible(reference)
    return render_template(
        "deviations/sent.html",
        deviation=deviation,
        route=fallback.receipt(deviation),
        **serious.guidance_context(),
    )


@bp.get("/mine")
@login_required
def mine():
    return render_template(
        "deviations/mine.html",
        deviations=(mine := services.my_deviations(current_user)),
        unread=unread_ids(current_user, (d.id for d in mine)),
        waiting=services.waiting_for_reporter(current_user),
        today=today_local(),
    )
