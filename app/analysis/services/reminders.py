"""E-mail reminders of due and overdue actions and analyses (`flask send-reminders`)."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.analysis import notify
from app.common.dates import local
from app.extensions import db
from app.models import (
    ACTIVE_ANALYSIS_STATUSES,
    OPEN_ACTION_STATUSES,
    Analysis,
    AnalysisAction,
    AnalysisStatus,
    User,
    utcnow,
)

REMINDER_DAYS_BEFORE = 7


def queue_analysis_reminders(now: datetime | None = None) -> int:
    """Queue the reminders that are due today; returns how many were queued.

    Idempotent: each reminder's dedupe key names the action or analysis and the due date it
    reminds of, so a second run queues nothing, and a moved due date earns fresh reminders.
    E-mails carry no case content: the analysis reference, the action's number, the date, a link.
    """
    now = now or utcnow()
    today = local(now).date()
    queued = 0

    actions = db.session.scalars(
        sa.select(AnalysisAction)
        .join(Analysis, Analysis.id == AnalysisAction.analysis_id)
        .join(User, User.id == AnalysisAction.responsible_user_id)
        .where(
            AnalysisAction.status.in_(OPEN_ACTION_STATUSES),
            AnalysisAction.due_date.is_not(None),
            AnalysisAction.due_date <= today + timedelta(days=REMINDER_DAYS_BEFORE),
            Analysis.status != AnalysisStatus.AVBRUTT,
            User.active.is_(True),
        )
        .options(
            selectinload(AnalysisAction.analysis), selectinload(AnalysisAction.responsible_user)
        )
        .order_by(AnalysisAction.id)
    )
    for action in actions:
        person = action.responsible_user
        assert person is not None and action.due_date is not None
        queued += notify.action_reminder(person, action, today)

    overdue = db.session.scalars(
        sa.select(Analysis)
        .join(User, User.id == Analysis.leader_id)
        .where(
            Analysis.status.in_(ACTIVE_ANALYSIS_STATUSES),
            Analysis.due_date < today,
            User.active.is_(True),
        )
        .options(selectinload(Analysis.leader))
        .order_by(Analysis.id)
    )
    for analysis in overdue:
        queued += notify.overdue_analysis(analysis.leader, analysis)
    db.session.flush()
    return queued
