"""The deviation's page as drawn: the case, what this user may do with it now, the thread and
the history. Drawn by the deviation's own views (app/deviations/routes/case.py) and by a
handler's move (app/handling/routes/move.py); a refused form shows the page again with the
message beside the field and the user's text kept.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import render_template
from flask_login import current_user
from sqlalchemy.orm import joinedload

from app.analysis import services as analysis
from app.common import permissions
from app.common.dates import today_local
from app.common.picklists import Choice
from app.deviations import services
from app.deviations.forms import MessageForm
from app.deviations.history import HISTORY_LOADS, history_line, shown_to_reporter
from app.extensions import db
from app.handling import fallback, serious, thread, workflow
from app.handling.forms import (
    NOT_NOTIFIABLE,
    NOTIFIED,
    MoveForm,
    SeriousNoticeForm,
    move_form,
)
from app.handling.labels import MOVE_LABELS
from app.handling.moves import Move
from app.learning.services.lessons import lessons_of_source
from app.models import AccessAction, Deviation, Unit
from app.privacy.access_log import group_readings, log_reading, readings_for_case
from app.search import similar as suggestions

# What the page draws of the case besides its own columns: each would otherwise be loaded on
# its own when the template first touches it (a unit's path walks up to its parent).
PAGE_LOADS = (
    joinedload(Deviation.category),
    joinedload(Deviation.agreement),
    joinedload(Deviation.reporter),
    joinedload(Deviation.handler),
    joinedload(Deviation.reporter_unit).joinedload(Unit.parent),
    joinedload(Deviation.counterpart_unit).joinedload(Unit.parent),
    joinedload(Deviation.forwarded_unit).joinedload(Unit.parent),
    HISTORY_LOADS,
)


def get_visible(reference: str) -> Deviation:
    deviation = services.get_by_reference(reference)
    # 404, not 403: a stranger must not learn that the reference exists.
    permissions.require(current_user, "view", deviation)
    return deviation


def redraw_refused(deviation: Deviation, *, status: int, **kwargs):
    """The page drawn again after a refused message or move: it shows the case as much as the
    page's own GET does, so it is logged as a read the same way."""
    log_reading(current_user, AccessAction.DEVIATION_VIEWED, deviation=deviation)
    return render_deviation(deviation, status=status, **kwargs)


def render_deviation(
    deviation: Deviation,
    *,
    patient_id: str | None = None,
    failed: tuple[Move, MoveForm] | None = None,
    message_form: MessageForm | None = None,
    rectify_forms: dict | None = None,
    serious_form: SeriousNoticeForm | None = None,
    status: int = 200,
):
    # The access log's write block before this expired what was loaded: read the case again
    # with what the page draws, in two queries. populate_existing refreshes the object the
    # caller holds; its identity key outlives the expiry (deviation.id would load the row).
    db.session.get(
        Deviation, sa.inspect(deviation).identity, options=PAGE_LOADS, populate_existing=True
    )
    moves = workflow.allowed_moves(deviation, current_user)
    # "Send til analyse" is a link to the analysis box (an analysis takes the case), not a form.
    forms = {
        move: move_form(deviation, move, actor_id=current_user.id)
        for move in moves
        if move is not Move.ANALYSE
    }
    if failed is not None and failed[0] in forms:
        forms[failed[0]] = failed[1]
    for form in forms.values():
        # Also a refused form: the page shows the case as it is now, and that is what a
        # second try decides on.
        form.version.data = str(deviation.version)
    # The reroute form marks the organisations whose mottak nobody staffs, as filing does.
    reroute = forms.get(Move.REROUTE)
    unstaffed_onward = (
        fallback.onward_routes(
            deviation,
            [Choice(c.value, c.label) for c in reroute.target_org.choices if c.value],
        )
        if reroute is not None
        else []
    )
    # A move the case no longer allows has no form to keep the text in: show it to copy.
    unsent_text = failed[1].text.data if failed is not None and failed[0] not in forms else None
    can_post = permissions.can(current_user, "post_message", deviation)
    if message_form is None and can_post:
        message_form = MessageForm(formdata=None)
    access_log = (
        readings_for_case(deviation.id)
        if permissions.can(current_user, "view_access_log", deviation)
        else None
    )
    return (
        render_template(
            "deviations/show.html",
            deviation=deviation,
            patient_id=patient_id,
            moves=moves,
            move_forms=forms,
            move_labels=MOVE_LABELS,
            Move=Move,
            open_move=failed[0] if failed else None,
            unstaffed_onward=unstaffed_onward,
            unsent_text=(unsent_text or "").strip() or None,
            actor=workflow.actor_of(current_user, deviation),
            thread=thread.thread(deviation, current_user),
            message_form=message_form,
            can_post=can_post,
            can_note=permissions.can(current_user, "write_internal_note", deviation),
            can_see_patient_id=permissions.can(current_user, "see_patient_id", deviation),
            panel=analysis.deviation_panel(current_user, deviation),
            access_log=access_log,
            access_log_groups=group_readings(access_log or []),
            similar=suggestions.similar(current_user, deviation),
            lessons=[
                x
                for x in lessons_of_source(deviation=deviation)
                if permissions.can(current_user, "list_on_case", x)
            ],
            can_write_lesson=permissions.can(current_user, "write_lesson", deviation),
            rectify=_rectify_forms(deviation, rectify_forms),
            serious=_serious_panel(deviation, serious_form),
            today=today_local(),
            history_line=history_line,
            shown_to_reporter=shown_to_reporter,
        ),
        status,
    )


def _serious_panel(deviation: Deviation, given: SeriousNoticeForm | None) -> dict | None:
    """A serious event's notice to Statens helsetilsyn: what was recorded, or who must still
    record it, and the form for those who may."""
    if not deviation.is_serious:
        return None
    notice = serious.notice_of(deviation)
    form = None
    if given is not None:
        form = given
    elif permissions.can(current_user, "record_serious_notice", deviation):
        # A recorded notice is changed from its own values; a new one starts with the
        # handler's name as the one who notified.
        form = (
            SeriousNoticeForm(formdata=None, notified_by=current_user.name)
            if notice is None
            else SeriousNoticeForm(
                formdata=None,
                outcome=NOTIFIED if notice.notifiable else NOT_NOTIFIABLE,
                notified_on=notice.notified_on,
                notified_by=notice.notified_by,
                reference=notice.reference,
                reason=notice.reason,
            )
        )
    return {"notice": notice, "form": form, "notice_url": serious.NOTICE_FORM_URL}


def _rectify_forms(deviation: Deviation, given: dict | None) -> dict | None:
    """The rectification forms, for those who may rectify; a refused one kept as typed."""
    if not permissions.can(current_user, "rectify", deviation):
        return None
    from app.privacy.forms import CorrectPatientForm, RedactForm

    forms = {"patient": CorrectPatientForm(formdata=None), "redact": RedactForm(formdata=None)}
    forms.update(given or {})
    return forms
