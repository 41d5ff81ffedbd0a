"""The deviation's page: the case, what this user may do with it now, the thread and the history.

Its views sit on the deviations blueprint: the page itself, showing the patient identity, and
the two forms on it (a move of the workflow, a message). A refused form shows the page again
with the message beside the field and the user's text kept.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from app.analysis import services as analysis
from app.common import permissions
from app.common.dates import today_local
from app.common.errors import perform
from app.common.picklists import active_organisations, active_units_by_org
from app.common.writing import writing
from app.deviations import services
from app.deviations.forms import MessageForm, MoveForm
from app.deviations.routes import bp, get_visible
from app.extensions import db
from app.handling import services as handling
from app.handling import workflow
from app.handling.workflow import Move
from app.learning.services.lessons import lessons_of_source
from app.models import AccessAction, Deviation
from app.privacy.access_log import entries_for_deviation, record_access
from app.search import services as search

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
        units = active_units_by_org().get(deviation.counterpart_org_id, [])
        form.target_unit.choices = [SelectChoice("", _("Velg enhet …"))] + [
            SelectChoice(u.id, u.path) for u in units if u.id != deviation.forwarded_unit_id
        ]
    if move is Move.REROUTE:
        form.target_org.choices = [SelectChoice("", _("Velg organisasjon …"))] + [
            SelectChoice(o.id, o.name)
            for o in active_organisations()
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
    moves = workflow.allowed_moves(deviation, current_user)
    forms = {move: _move_form(deviation, move) for move in moves}
    if failed is not None and failed[0] in forms:
        forms[failed[0]] = failed[1]
    for form in forms.values():
        # Also a refused form: the page shows the case as it is now, and that is what a
        # second try decides on.
        form.version.data = str(deviation.version)
    # A move the case no longer allows has no form to keep the text in: show it to copy.
    unsent_text = failed[1].text.data if failed is not None and failed[0] not in forms else None
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
            unsent_text=(unsent_text or "").strip() or None,
            actor=workflow.actor_of(current_user, deviation),
            thread=handling.thread(deviation, current_user),
            message_form=message_form,
            can_post=can_post,
            can_note=permissions.can_write_internal_note(current_user, deviation),
            can_see_patient_id=permissions.can_see_patient_id(current_user, deviation),
            panel=analysis.deviation_panel(current_user, deviation),
            access_log=entries_for_deviation(deviation.id)
            if permissions.can_view_access_log(current_user, deviation)
            else None,
            similar=search.similar(current_user, deviation),
            lessons=lessons_of_source(deviation=deviation),
            can_write_lesson=permissions.can_write_lesson_from_deviation(current_user, deviation),
            today=today_local(),
        ),
        status,
    )


@bp.get("/<reference>")
@login_required
def show(reference: str):
    deviation = get_visible(reference)
    # Who read the case is written before the page is drawn, and committed at once.
    with writing():  # ends the read that found it: the lock is held for the one row
        record_access(current_user, AccessAction.DEVIATION_VIEWED, deviation=deviation)
    return render_deviation(deviation)


@bp.post("/<reference>/pasient")
@login_required
def reveal_patient(reference: str):
    deviation = get_visible(reference)
    if not permissions.can_see_patient_id(current_user, deviation):
        abort(404)
    if not deviation.has_patient_id:
        flash(_("Pasientens identitet er ikke registrert, eller er slettet."), "info")
        return redirect(url_for("deviations.show", reference=reference))
    patient_id = services.reveal_patient_id(current_user, deviation)
    db.session.commit()
    return render_deviation(deviation, patient_id=patient_id)


@bp.post("/<reference>/behandling")
@login_required
def move(reference: str):
    deviation = services.get_by_reference(reference)
    if (
        deviation is not None
        and not permissions.can_view_deviation(current_user, deviation)
        and permissions.has_handled(current_user, deviation)
    ):
        # A colleague sent the case to another organisation while this user had it open.
        flash(workflow.conflict_message(), "error")
        return redirect(url_for("handling.inbox"))
    deviation = get_visible(reference)
    try:
        chosen = Move(request.form.get("move", ""))
    except ValueError:
        abort(400)
    if chosen is Move.ANALYSE:
        # til_analyse means "held by an analysis": only linking it to one may set it, so an
        # analysis never loses track of a deviation marked for it.
        flash(
            _("Start en hendelsesanalyse eller legg avviket til i en, så sendes det dit."), "info"
        )
        return redirect(
            url_for("deviations.show", reference=deviation.reference, _anchor="hendelsesanalyse")
        )
    form = _move_form(deviation, chosen, formdata=request.form)
    if not form.validate():
        return render_deviation(deviation, failed=(chosen, form), status=422)
    done = perform(
        lambda: workflow.transition(
            deviation,
            chosen,
            current_user,
            text=form.text.data,
            target_unit=form.target_unit.data,
            target_org=form.target_org.data,
            seen_version=form.seen_version(),
        ),
        form=form,
        success=lambda _event: _("Lagret: %(move)s.", move=MOVE_TEXT[chosen][0]()),
    )
    if not done and done.error.field is not None:
        return render_deviation(deviation, failed=(chosen, form), status=422)
    moved_on = not done and done.error.code in ("conflict", "wrong_state")
    if moved_on and permissions.can_view_deviation(current_user, deviation):
        # The case moved on under the user: show it as it is now, the message on top and what
        # they typed still in the form where the move is still possible.
        return render_deviation(deviation, failed=(chosen, form), status=409)
    # Done, or the case moved on (or was never this user's to move): show it as it is now.
    if not permissions.can_view_deviation(current_user, deviation):
        # Re-routed away from this organisation: the case is no longer ours to see.
        return redirect(url_for("handling.inbox"))
    return redirect(url_for("deviations.show", reference=deviation.reference))


@bp.post("/<reference>/meldinger")
@login_required
def post_message(reference: str):
    deviation = get_visible(reference)
    if not permissions.can_post_message(current_user, deviation):
        abort(404)
    form = MessageForm()
    if form.validate():
        internal = bool(form.internal.data) and permissions.can_write_internal_note(
            current_user, deviation
        )
        done = perform(
            lambda: handling.post_message(
                deviation, current_user, form.body.data, internal=internal
            ),
            form=form,
            success=_("Internt notat lagret.") if internal else _("Meldingen er sendt."),
        )
        if done:
            return redirect(url_for("deviations.show", reference=deviation.reference) + "#samtale")
    return render_deviation(deviation, message_form=form, status=422)
