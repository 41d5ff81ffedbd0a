"""Mottak (the inbox), the moves on a deviation, and its message thread."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from app.common import permissions
from app.common.dates import today_local
from app.deviations import services as deviation_services
from app.deviations.services import filing_choices
from app.extensions import db
from app.handling import services, workflow
from app.handling.forms import MessageForm, MoveForm
from app.handling.workflow import Move, WorkflowError
from app.models import Deviation, Status

bp = Blueprint("handling", __name__)


@bp.get("/mottak")
@login_required
def inbox():
    if not permissions.is_handler(current_user):
        abort(404)
    status = request.args.get("status") or None
    category = request.args.get("category") or None
    sort = request.args.get("sorter")
    filters = services.InboxFilter(
        status=Status(status) if status in {s.value for s in Status} else None,
        category_id=int(category) if category and category.isdigit() else None,
        sort=services.SORT_DEADLINE if sort == services.SORT_DEADLINE else services.SORT_NEWEST,
    )
    today = today_local()
    page = services.inbox_page(
        current_user,
        filters,
        cursor=request.args.get("etter"),
        page_size=int(current_app.config["INBOX_PAGE_SIZE"]),
    )
    return render_template(
        "handling/inbox.html",
        page=page,
        filters=filters,
        counts=services.inbox_counts(
            current_user.organisation_id, today, cap=int(current_app.config["INBOX_COUNT_CAP"])
        ),
        # The filter's list is the form's category list, kept per worker like the pick lists.
        categories=filing_choices().categories,
        today=today,
        first_page="etter" not in request.args,
        sort_deadline=services.SORT_DEADLINE,
    )


def _get_visible(reference: str) -> Deviation:
    deviation = deviation_services.get_by_reference(reference)
    if deviation is None or not permissions.can_view_deviation(current_user, deviation):
        abort(404)
    return deviation


# Button text and the label of the text field, per move.
MOVE_TEXT = {
    Move.ACKNOWLEDGE: (lambda: _("Bekreft mottak"), None),
    Move.START: (lambda: _("Start behandling – jeg tar saken"), None),
    Move.FORWARD: (
        lambda: _("Videresend til enhet"),
        lambda: _("Kommentar (valgfritt, vises i historikken)"),
    ),
    Move.REROUTE: (
        lambda: _("Send til annen organisasjon"),
        lambda: _("Kommentar (valgfritt, vises i historikken)"),
    ),
    Move.ANALYSE: (
        lambda: _("Send til hendelsesanalyse"),
        lambda: _("Kommentar (valgfritt, vises i historikken)"),
    ),
    Move.ANSWER: (lambda: _("Besvar og lukk"), lambda: _("Svar til melder")),
    Move.REJECT: (
        lambda: _("Avvis"),
        lambda: _("Begrunnelse (melderen ser den, f.eks. «ikke et samhandlingsavvik»)"),
    ),
    Move.REOPEN: (lambda: _("Gjenåpne"), lambda: _("Hvorfor åpnes avviket igjen?")),
}


def _move_form(deviation: Deviation, move: Move, formdata: object = None) -> MoveForm:
    form = MoveForm(formdata=formdata, prefix=move.value)
    form.submit.label.text = MOVE_TEXT[move][0]()
    label = MOVE_TEXT[move][1]
    form.text.label.text = label() if label else ""
    if move is Move.FORWARD:
        units = filing_choices().units_by_org.get(deviation.counterpart_org_id, [])
        form.target_unit.choices = [SelectChoice("", _("Velg enhet …"))] + [
            SelectChoice(u.id, u.path) for u in units if u.id != deviation.forwarded_unit_id
        ]
    if move is Move.REROUTE:
        orgs = filing_choices().organisations
        form.target_org.choices = [SelectChoice("", _("Velg organisasjon …"))] + [
            SelectChoice(o.id, o.name)
            for o in orgs
            if o.id not in (deviation.counterpart_org_id, deviation.reporter_org_id)
        ]
    return form


def render_deviation(
    deviation: Deviation,
    *,
    patient_id: str | None = None,
    failed: tuple[Move, MoveForm] | None = None,
    message_form: MessageForm | None = None,
    status: int = 200,
):
    """The deviation's page: facts, what this user can do now, the thread and the history."""
    moves = workflow.allowed_moves(deviation, current_user)
    forms = {move: _move_form(deviation, move) for move in moves}
    if failed is not None and failed[0] in forms:
        forms[failed[0]] = failed[1]
    can_post = permissions.can_post_message(current_user, deviation)
    if message_form is None and can_post:
        message_form = MessageForm(formdata=None)
    return (
        render_template(
            "deviations/show.html",
            deviation=deviation,
            patient_id=patient_id,
            moves=moves,
            move_forms=forms,
            move_text=MOVE_TEXT,
            Move=Move,
            open_move=failed[0] if failed else None,
            actor=workflow.actor_of(current_user, deviation),
            thread=services.thread(deviation, current_user),
            message_form=message_form,
            can_post=can_post,
            can_note=permissions.can_write_internal_note(current_user, deviation),
            days_left=workflow.days_left(deviation, today_local()),
        ),
        status,
    )


@bp.post("/avvik/<reference>/behandling")
@login_required
def move(reference: str):
    deviation = _get_visible(reference)
    try:
        chosen = Move(request.form.get("move", ""))
    except ValueError:
        abort(400)
    if chosen is Move.ANALYSE:
        # til_analyse means "held by an analysis": only linking it to one may set it, so an
        # analysis never loses track of a deviation marked for it.
        flash(_("Start en hendelsesanalyse eller legg avviket til i en, så sendes det dit."), "info")
        return redirect(url_for("deviations.show", reference=deviation.reference, _anchor="hendelsesanalyse"))
    form = _move_form(deviation, chosen, formdata=request.form)
    if form.validate():
        try:
            workflow.transition(
                deviation,
                chosen,
                current_user,
                text=form.text.data,
                target_unit=form.target_unit.data,
                target_org=form.target_org.data,
            )
        except WorkflowError as error:
            db.session.rollback()
            if error.field is None:
                # The case moved on (or was never this user's to move): show it as it is now.
                flash(error.message, "error")
                if not permissions.can_view_deviation(current_user, deviation):
                    return redirect(url_for("handling.inbox"))
                return redirect(url_for("deviations.show", reference=deviation.reference))
            getattr(form, error.field).errors.append(error.message)
        else:
            db.session.commit()
            flash(_("Lagret: %(move)s.", move=MOVE_TEXT[chosen][0]()), "success")
            if not permissions.can_view_deviation(current_user, deviation):
                # Re-routed away from this organisation: the case is no longer ours to see.
                return redirect(url_for("handling.inbox"))
            return redirect(url_for("deviations.show", reference=deviation.reference))
    return render_deviation(deviation, failed=(chosen, form), status=422)


@bp.post("/avvik/<reference>/meldinger")
@login_required
def post_message(reference: str):
    deviation = _get_visible(reference)
    if not permissions.can_post_message(current_user, deviation):
        abort(404)
    form = MessageForm()
    if form.validate():
        internal = bool(form.internal.data) and permissions.can_write_internal_note(
            current_user, deviation
        )
        try:
            services.post_message(deviation, current_user, form.body.data, internal=internal)
        except services.MessageError as error:
            db.session.rollback()
            form.body.errors.append(error.message)
        else:
            db.session.commit()
            flash(_("Internt notat lagret.") if internal else _("Meldingen er sendt."), "success")
            return redirect(url_for("deviations.show", reference=deviation.reference) + "#samtale")
    return render_deviation(deviation, message_form=form, status=422)
