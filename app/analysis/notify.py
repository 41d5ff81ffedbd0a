"""E-mail reminders of the incident analyses, through the outbox, in the recipient's language.

Idempotent by their dedupe keys (the action or analysis and the due date they remind of). Like
every mail of Avvik they carry no case content: the reference, the action's number, the date,
a link.
"""

from __future__ import annotations

from datetime import date

from flask_babel import force_locale
from flask_babel import gettext as _

from app.common.dates import format_date
from app.mail.services import absolute_url, queue_mail
from app.models import Analysis, AnalysisAction, User


def _queue(user: User, subject: str, body: str, key: str) -> bool:
    return queue_mail(user.email, subject, body, dedupe_key=key) is not None


def action_reminder(person: User, action: AnalysisAction, today: date) -> bool:
    """An action due within the week, or overdue, to its responsible person; False when the
    same reminder was queued before."""
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
    return _queue(person, subject, body, key)


def overdue_analysis(leader: User, analysis: Analysis) -> bool:
    """An analysis past its due date, to its leader; False when queued before."""
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
    key = f"analysis:{analysis.id}:overdue:{analysis.due_date.isoformat()}"
    return _queue(leader, subject, body, key)
