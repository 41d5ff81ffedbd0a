"""Starting an analysis from a deviation, adding deviations to it, and its mandate and dates.

Services take the acting user, check the rules, write, and flush; the route or CLI commits.
Every change writes one AnalysisEvent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.dialects import postgresql, sqlite

from app.analysis.history import day
from app.analysis.services.editing import (
    check_no_identity,
    clean,
    lock,
    open_content,
    record_event,
    require_editor,
)
from app.analysis.services.reading import holding_analysis
from app.common import permissions
from app.common.dates import local
from app.common.errors import NotAllowed, ServiceError
from app.extensions import db
from app.handling import workflow
from app.models import (
    Analysis,
    AnalysisDeviation,
    AnalysisEventKind,
    AnalysisMember,
    AnalysisReferenceCounter,
    AnalysisStatus,
    Deviation,
    Status,
    User,
    utcnow,
)


@dataclass(frozen=True)
class AnalysisInput:
    title: str
    mandate: str
    scope: str
    start_date: date
    due_date: date


def next_reference(year: int) -> tuple[int, str]:
    """The next analysis number of the year; atomic across processes (see deviations)."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    db.session.execute(
        insert(AnalysisReferenceCounter)
        .values(year=year, last_number=0)
        .on_conflict_do_nothing(index_elements=["year"])
    )
    number = db.session.execute(
        sa.update(AnalysisReferenceCounter)
        .where(AnalysisReferenceCounter.year == year)
        .values(last_number=AnalysisReferenceCounter.last_number + 1)
        .returning(AnalysisReferenceCounter.last_number)
    ).scalar_one()
    return number, f"HA-{year}-{number:03d}"


def _check_details(data: AnalysisInput) -> None:
    if not clean(data.title):
        raise ServiceError(_l("Skriv en tittel."), "title", code="needs_title")
    if not clean(data.mandate):
        raise ServiceError(_l("Skriv mandatet for analysen."), "mandate", code="needs_mandate")
    if data.due_date < data.start_date:
        raise ServiceError(
            _l("Fristen kan ikke være før startdatoen."), "due_date", code="due_before_start"
        )
    check_no_identity({"title": data.title, "mandate": data.mandate, "scope": data.scope})


def _refuse_if_held(deviation: Deviation) -> None:
    """One active analysis per deviation."""
    holder = holding_analysis(deviation)
    if holder is not None:
        raise ServiceError(
            _l(
                "Avviket %(ref)s er allerede med i hendelsesanalyse %(analysis)s.",
                ref=deviation.reference,
                analysis=holder.reference,
            ),
            code="held_by_another_analysis",
        )


def _send_to_analysis(actor: User, deviation: Deviation, analysis: Analysis, now: datetime) -> None:
    """Mark the deviation til_analyse through the workflow, the one place that sets a status.

    A deviation a handler already marked (or one the workflow moved back to handling while the
    analysis held it) is linked as it is: the link, not the status, says which analysis has it.
    """
    if deviation.status is Status.TIL_ANALYSE:
        return
    try:
        workflow.transition(
            deviation,
            workflow.Move.ANALYSE,
            actor,
            text=_("Hendelsesanalyse %(ref)s", ref=analysis.reference),
            now=now,
        )
    except ServiceError as error:
        raise ServiceError(error.message, code=error.code) from error


def _link(
    analysis: Analysis, deviation: Deviation, actor: User, now: datetime
) -> AnalysisDeviation:
    _refuse_if_held(deviation)
    if any(link.deviation_id == deviation.id for link in analysis.links):
        raise ServiceError(
            _l("Avviket er allerede med i denne analysen."), code="already_in_this_analysis"
        )
    link = AnalysisDeviation(
        analysis=analysis, deviation=deviation, holding=True, linked_at=now, linked_by_id=actor.id
    )
    db.session.add(link)
    record_event(analysis, actor, AnalysisEventKind.DEVIATION_LINKED, deviation.reference, now)
    _send_to_analysis(actor, deviation, analysis, now)
    return link


def start_analysis(
    actor: User, deviation: Deviation, data: AnalysisInput, now: datetime | None = None
) -> Analysis:
    """A handler of the receiving organisation starts an analysis from a deviation; they lead it."""
    now = now or utcnow()
    if not permissions.can(actor, "start_analysis", deviation):
        raise NotAllowed("may not send this deviation to analysis")
    _check_details(data)
    # _link checks this too, but the refusal should come before anything is written.
    _refuse_if_held(deviation)
    today = local(now).date()
    number, reference = next_reference(today.year)
    analysis = Analysis(
        reference=reference,
        year=today.year,
        number=number,
        title=clean(data.title),
        mandate=clean(data.mandate),
        scope=clean(data.scope),
        status=AnalysisStatus.PLANLAGT,
        start_date=data.start_date,
        due_date=data.due_date,
        leader_id=actor.id,
        created_at=now,
        created_by_id=actor.id,
    )
    db.session.add(analysis)
    analysis.members.append(AnalysisMember(user_id=actor.id, added_at=now))
    db.session.flush()
    record_event(analysis, actor, AnalysisEventKind.CREATED, analysis.title, now)
    _link(analysis, deviation, actor, now)
    db.session.flush()
    return analysis


def link_deviation(
    actor: User, analysis: Analysis, deviation: Deviation, now: datetime | None = None
) -> None:
    """ "Legg til i analyse": a handler of the receiving organisation who is on the team."""
    now = now or utcnow()
    require_editor(actor, analysis)
    if not permissions.can(actor, "start_analysis", deviation):
        raise NotAllowed("may not send this deviation to analysis")
    lock(analysis)
    if not analysis.is_active:
        raise ServiceError(
            _l("Bare planlagte eller pågående analyser kan få nye avvik."),
            code="analysis_not_active",
        )
    _link(analysis, deviation, actor, now)
    db.session.flush()


def update_details(
    actor: User, analysis: Analysis, data: AnalysisInput, now: datetime | None = None
) -> None:
    open_content(actor, analysis)
    _check_details(data)
    # As codes for the history row, drawn in the reader's language (app/analysis/history.py).
    changes: list[dict] = []
    if clean(data.title) != analysis.title:
        changes.append({"field": "tittel"})
    if clean(data.mandate) != analysis.mandate:
        changes.append({"field": "mandat"})
    if clean(data.scope) != analysis.scope:
        changes.append({"field": "avgrensning"})
    if data.start_date != analysis.start_date:
        changes.append(
            {"field": "start", "old": day(analysis.start_date), "new": day(data.start_date)}
        )
    if data.due_date != analysis.due_date:
        changes.append({"field": "frist", "old": day(analysis.due_date), "new": day(data.due_date)})
    if not changes:
        return
    analysis.title = clean(data.title)
    analysis.mandate = clean(data.mandate)
    analysis.scope = clean(data.scope)
    analysis.start_date = data.start_date
    analysis.due_date = data.due_date
    record_event(
        analysis, actor, AnalysisEventKind.DETAILS_CHANGED, now=now, detail={"changes": changes}
    )
    db.session.flush()
