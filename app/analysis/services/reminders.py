"""E-mail reminders of due and overdue actions and analyses (`flask send-reminders`)."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from app.common.dates import format_date, local
from app.extensions import db
from app.mail.services import absolute_url, queue_mail
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


def _mail_for(user: User, subject: str, body: str, key: str) -> bool:
    return queue_mail(user.email, subject, body, dedupe_key=key) is not None


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
        analysis = action.analysis
        link = absolute_url(
            "analysis.show", reference=analysis.reference, _anchor=f"tiltak-{action.number}"
        )
        with force_locale(person.language):
            if action.due_date >= today:
                subject = _(
                    "Tiltak %(n)d i hendelsesanalyse %(ref)s har frist %(due)s",
                    n=action.number,
                    ref=analysis.reference,
                    due=format_date(action.due_date),
                )
                body = _(
                    "Hei!\n\nTiltak %(n)d i hendelsesanalyse %(ref)s har frist %(due)s, og du står som "
                    "ansvarlig.\n\nSe tiltaket og oppdater status her:\n%(link)s\n\n"
                    "Denne e-posten er sendt automatisk fra Samhandlingsavvik.",
                    n=action.number,
                    ref=analysis.reference,
                    due=format_date(action.due_date),
                    link=link,
                )
                key = f"analysis-action:{action.id}:due-soon:{action.due_date.isoformat()}"
            else:
                subject = _(
                    "Fristen for tiltak %(n)d i hendelsesanalyse %(ref)s er passert",
                    n=action.number,
                    ref=analysis.reference,
                )
                body = _(
                    "Hei!\n\nFristen for tiltak %(n)d i hendelsesanalyse %(ref)s var %(due)s, og tiltaket "
                    "er ikke registrert som gjennomført. Du står som ansvarlig.\n\n"
                    "Se tiltaket og oppdater status her:\n%(link)s\n\n"
                    "Denne e-posten er sendt automatisk fra Samhandlingsavvik.",
                    n=action.number,
                    ref=analysis.reference,
                    due=format_date(action.due_date),
                    link=link,
                )
                key = f"analysis-action:{action.id}:overdue:{action.due_date.isoformat()}"
        queued += _mail_for(person, subject, body, key)

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
        leader = analysis.leader
        link = absolute_url("analysis.show", reference=analysis.reference)
        with force_locale(leader.language):
            subject = _("Hendelsesanalyse %(ref)s har passert fristen", ref=analysis.reference)
            body = _(
                "Hei!\n\nHendelsesanalyse %(ref)s skulle vært ferdig %(due)s. Du er leder for "
                "analysen.\n\nSe analysen her:\n%(link)s\n\n"
                "Denne e-posten er sendt automatisk fra Samhandlingsavvik.",
                ref=analysis.reference,
                due=format_date(analysis.due_date),
                link=link,
            )
        queued += _mail_for(
            leader, subject, body, f"analysis:{analysis.id}:overdue:{analysis.due_date.isoformat()}"
        )
    db.session.flush()
    return queued
