"""What every change to an analysis shares: the editor check, the row lock, the rules on what may
still change, the identity check on free text, and the history row each change writes."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.common import permissions
from app.common.errors import NotAllowed, ServiceError
from app.common.identity import find_in_text
from app.extensions import db
from app.models import Analysis, AnalysisEvent, AnalysisEventKind, AnalysisStatus, User, utcnow

IDENTITY_MESSAGE = _l(
    "Teksten ser ut til å inneholde et fødselsnummer eller D-nummer. En hendelsesanalyse skal "
    "ikke inneholde pasientens identitet – fjern det."
)


def record_event(
    analysis: Analysis,
    actor: User | None,
    kind: AnalysisEventKind,
    text: str = "",
    now: datetime | None = None,
    detail: dict | None = None,
) -> AnalysisEvent:
    """One history row: ``text`` for what a person wrote or named, ``detail`` for what the
    system says, as codes (app/analysis/history.py draws them in the reader's language)."""
    event = AnalysisEvent(
        analysis_id=analysis.id,
        at=now or utcnow(),
        actor_id=actor.id if actor else None,
        kind=kind,
        text=text,
        detail=detail,
    )
    db.session.add(event)
    return event


def lock(analysis: Analysis) -> None:
    """Serialise writers of one analysis (PostgreSQL row lock; SQLite serialises writers anyway),
    so the ferdig rule is checked against the action plan as it is when the status changes."""
    db.session.execute(sa.select(Analysis.id).where(Analysis.id == analysis.id).with_for_update())


def check_no_identity(values: dict[str, str | None]) -> None:
    for field, value in values.items():
        if find_in_text(value):
            raise ServiceError(IDENTITY_MESSAGE, field, code="identity")


def require_content_open(analysis: Analysis) -> None:
    """Mandate, timeline, problems, factors, root causes and learning points: editable until
    the analysis is finished (or cancelled)."""
    if analysis.status is AnalysisStatus.FERDIG:
        raise ServiceError(
            _l("Analysen er ferdig og kan ikke lenger endres her."), code="analysis_finished"
        )
    require_not_cancelled(analysis)


def require_not_cancelled(analysis: Analysis) -> None:
    """The action plan and the team live on after ferdig: actions are followed until done."""
    if analysis.status is AnalysisStatus.AVBRUTT:
        raise ServiceError(_l("Analysen er avbrutt og kan ikke endres."), code="analysis_cancelled")


def require_editor(actor: User, analysis: Analysis) -> None:
    if not permissions.can(actor, "edit", analysis):
        raise NotAllowed("not a team member")


def open_content(actor: User, analysis: Analysis) -> None:
    """Every change to the analysis' content: an editor, the row locked, the content not frozen."""
    require_editor(actor, analysis)
    lock(analysis)
    require_content_open(analysis)


def open_follow_up(actor: User, analysis: Analysis) -> None:
    """Every change to the action plan or the team: an editor, the row locked, and the analysis
    not cancelled; unlike the content, both stay open after ferdig."""
    require_editor(actor, analysis)
    lock(analysis)
    require_not_cancelled(analysis)


def clean(text: str | None) -> str:
    return (text or "").strip()
