"""A handler's move on a deviation (and the reporter's reopening), sent from the deviation's
page. Its URL sits beside the page's, under /avvik; the page is drawn again by
app/deviations/page.py when the move is refused."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.common import permissions
from app.common.writing import writing
from app.deviations import services as deviations
from app.deviations.history import forwarded_to
from app.deviations.page import get_visible, redraw_refused
from app.handling import fallback, workflow
from app.handling.forms import move_form
from app.handling.moves import Move
from app.handling.routes.blueprint import bp
from app.models import Deviation, DeviationEvent


def _done(move: Move, event: DeviationEvent, deviation: Deviation) -> str:
    """The notice after a move: what happened, in the past tense, and where the case went."""
    if move is Move.FORWARD:
        return _("Avviket er videresendt til %(where)s.", where=forwarded_to(event))
    if move is Move.REROUTE and deviation.counterpart_org_id != event.org_id:
        # Nobody staffs the chosen mottak: the rule sent it on to the fallback mottak.
        return _(
            "Mottaket hos %(org)s har ingen saksbehandler i Avvik nå. Avviket er derfor sendt "
            "videre til helsefellesskapets reservemottak hos %(fallback)s, som leser det og "
            "svarer eller sender det videre.",
            org=event.org.name,
            fallback=deviation.counterpart_org_name,
        )
    if move is Move.REROUTE:
        return _("Avviket er sendt til mottaket hos %(org)s.", org=event.org.name)
    if move is Move.ANSWER:
        return _("Svaret er sendt til melderen, og avviket er lukket.")
    if move is Move.REJECT:
        return _("Avviket er avvist. Melderen har fått begrunnelsen.")
    if move is Move.REOPEN:
        return _("Avviket er åpnet igjen.")
    if move is Move.START:
        return _("Du har tatt avviket. Det står nå under Mine.")
    return _("Avviket er bekreftet mottatt.")


@bp.post("/avvik/<reference>/behandling")
@login_required
def move(reference: str):
    deviation = deviations.get_by_reference(reference)
    if (
        deviation is not None
        and not permissions.can(current_user, "view", deviation)
        and permissions.can(current_user, "hear_moved_on", deviation)
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
    form = move_form(deviation, chosen, formdata=request.form, actor_id=current_user.id)
    if not form.validate():
        return redraw_refused(deviation, failed=(chosen, form), status=422)
    with writing(form=form) as done:
        done.value = fallback.make_move(
            deviation,
            chosen,
            current_user,
            text=form.text.data,
            **form.targets(),
            seen_version=form.seen_version(),
        )
    if done:
        flash(_done(chosen, done.value, deviation), "success")
    elif done.error.field is not None:
        return redraw_refused(deviation, failed=(chosen, form), status=422)
    moved_on = not done and done.error.code in ("conflict", "wrong_state")
    if moved_on and permissions.can(current_user, "view", deviation):
        # The case moved on under the user: show it as it is now, the message on top and what
        # they typed still in the form where the move is still possible.
        return redraw_refused(deviation, failed=(chosen, form), status=409)
    # Done, or the case moved on (or was never this user's to move): show it as it is now.
    if not permissions.can(current_user, "view", deviation):
        # Re-routed away from this organisation: the case is no longer ours to see.
        return redirect(url_for("handling.inbox"))
    return redirect(url_for("deviations.show", reference=deviation.reference))
