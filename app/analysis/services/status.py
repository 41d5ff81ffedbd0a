"""An analysis' status (planlagt → pågår → ferdig, or avbrutt), the ferdig rule, and what ferdig
allows: answering the covered deviations with a reference to the analysis."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.analysis.services.editing import (
    check_no_identity,
    clean,
    lock,
    record_event,
    require_editor,
)
from app.analysis.services.reading import holding_analysis
from app.common import labels, permissions
from app.common.errors import NotAllowed, ServiceError
from app.extensions import db
from app.handling import workflow
from app.models import (
    ACTIVE_ANALYSIS_STATUSES,
    ActionStatus,
    Analysis,
    AnalysisEventKind,
    AnalysisStatus,
    Deviation,
    User,
    utcnow,
)

STATUS_MOVES: dict[AnalysisStatus, frozenset[AnalysisStatus]] = {
    AnalysisStatus.PLANLAGT: frozenset(
        {AnalysisStatus.PAGAR, AnalysisStatus.FERDIG, AnalysisStatus.AVBRUTT}
    ),
    AnalysisStatus.PAGAR: frozenset({AnalysisStatus.FERDIG, AnalysisStatus.AVBRUTT}),
    AnalysisStatus.FERDIG: frozenset(),
    AnalysisStatus.AVBRUTT: frozenset(),
}


def ferdig_blockers(analysis: Analysis) -> list[str]:
    """Why the analysis cannot be set ferdig yet; empty when it can.

    A forkastet action is not part of the plan: it needs no owner, and it does not count as
    the plan's one action.
    """
    in_play = [a for a in analysis.actions if a.status is not ActionStatus.FORKASTET]
    if not in_play:
        return [
            _(
                "Analysen kan ikke settes som ferdig før handlingsplanen har minst ett tiltak "
                "(som ikke er forkastet)."
            )
        ]
    problems = []
    for action in in_play:
        missing = []
        if action.responsible_user_id is None:
            missing.append(_("ansvarlig person"))
        if action.due_date is None:
            missing.append(_("frist"))
        if missing:
            problems.append(
                _(
                    "Analysen kan ikke settes som ferdig: tiltak %(number)d mangler %(missing)s.",
                    number=action.number,
                    missing=_(" og ").join(missing),
                )
            )
    return problems


def set_status(
    actor: User, analysis: Analysis, new: AnalysisStatus, now: datetime | None = None
) -> None:
    now = now or utcnow()
    require_editor(actor, analysis)
    lock(analysis)
    db.session.refresh(analysis)
    old = analysis.status
    if new is old:
        return
    if new not in STATUS_MOVES[old]:
        raise ServiceError(
            _l(
                "En analyse som er %(old)s kan ikke settes til %(new)s.",
                old=labels.ANALYSIS_STATUS[old].lower(),
                new=labels.ANALYSIS_STATUS[new].lower(),
            ),
            "status",
            code="status_move_not_allowed",
        )
    finished_at = analysis.finished_at
    if new is AnalysisStatus.FERDIG:
        blockers = ferdig_blockers(analysis)
        if blockers:
            raise ServiceError(" ".join(blockers), "status", code="ferdig_blocked")
        finished_at = now
    # Conditional UPDATE: if another writer changed the status since we read it, nothing matches.
    result = db.session.execute(
        sa.update(Analysis)
        .where(Analysis.id == analysis.id, Analysis.status == old)
        .values(status=new, finished_at=finished_at)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise ServiceError(
            _l("Analysen ble endret av noen andre. Last siden på nytt."),
            "status",
            code="changed_by_someone_else",
        )
    # The UPDATE bypassed the unit of work: reload these two from the row.
    db.session.expire(analysis, ["status", "finished_at"])
    if new not in ACTIVE_ANALYSIS_STATUSES:
        # Finished or cancelled: the deviations are free for another analysis later.
        for link in analysis.links:
            link.holding = None
    record_event(
        analysis,
        actor,
        AnalysisEventKind.STATUS_CHANGED,
        now=now,
        detail={"from": AnalysisStatus(old).value, "to": AnalysisStatus(new).value},
    )
    db.session.flush()


# --- Answering the deviations -------------------------------------------------------------------


def answerable_deviations(user: User, analysis: Analysis) -> list[Deviation]:
    """The covered deviations this user may now answer with a reference to the finished analysis:
    still open, handled by the user's organisation, and not taken up by another active analysis."""
    if analysis.status is not AnalysisStatus.FERDIG:
        return []
    return [
        link.deviation
        for link in analysis.links
        if not link.deviation.is_closed
        and permissions.can(user, "handle", link.deviation)
        and holding_analysis(link.deviation) is None
    ]


def default_answer(analysis: Analysis) -> str:
    return _(
        "Avviket er gjennomgått i hendelsesanalyse %(ref)s sammen med de andre partene. Analysen "
        "er ferdig, og tiltakene i handlingsplanen følges opp.",
        ref=analysis.reference,
    )


def answer_deviations(
    actor: User, analysis: Analysis, text: str, now: datetime | None = None
) -> list[Deviation]:
    """Close every deviation the actor may answer through the workflow's answer move, with a
    response that names the analysis. All or nothing: the caller commits once."""
    now = now or utcnow()
    if not permissions.can(actor, "view", analysis):
        raise NotAllowed("may not see this analysis")
    lock(analysis)
    if analysis.status is not AnalysisStatus.FERDIG:
        raise ServiceError(
            _l("Avvikene kan besvares når analysen er ferdig."), code="analysis_not_finished"
        )
    response = clean(text)
    if not response:
        raise ServiceError(
            _l("Skriv svaret til dem som meldte avvikene."), "text", code="needs_answer"
        )
    check_no_identity({"text": response})
    if analysis.reference not in response:
        # The reporter must be able to ask for the analysis by its reference.
        response = f"{response}\n\n" + _("Hendelsesanalyse: %(ref)s", ref=analysis.reference)
    deviations = answerable_deviations(actor, analysis)
    if not deviations:
        raise ServiceError(
            _l("Ingen av avvikene i analysen venter på svar fra deg."), code="nothing_to_answer"
        )
    for deviation in deviations:
        try:
            workflow.transition(deviation, workflow.Move.ANSWER, actor, text=response, now=now)
        except ServiceError as error:
            raise ServiceError(
                _l("%(ref)s: %(message)s", ref=deviation.reference, message=error.message),
                "text" if error.field == "text" else None,
                code=error.code,
            ) from error
        record_event(
            analysis, actor, AnalysisEventKind.DEVIATION_ANSWERED, deviation.reference, now
        )
    db.session.flush()
    return deviations
