"""Erasing the patient identity when it is no longer needed, by the daily `flask maintenance`.

The receiving party needs the identity to investigate. Once the case is closed and the
reopening window has passed, keeping it only adds risk: it goes PATIENT_DATA_RETENTION_DAYS
after closing. A case nobody closes must not keep it for ever either: it goes
PATIENT_DATA_MAX_OPEN_DAYS after the case was filed, with a history row saying why.

The whole case goes CASE_RETENTION_YEARS after closing (`anonymise_old_cases`): what stays is
exactly what the tertial statistics count (dates, status, direction, organisations, category,
harm, the hospital clinic), so a period's figures are the same before and after. A deactivated
account loses its name and e-mail USER_RETENTION_YEARS after deactivation.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from app.extensions import db
from app.models import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    AuthToken,
    Deviation,
    DeviationEvent,
    DeviationMessage,
    EventKind,
    LoginSession,
    Organisation,
    OrgKind,
    RecoveryCode,
    SeriousNotice,
    Unit,
    User,
    utcnow,
)
from app.models.guards import history_permit
from app.models.history_permit import PermitPurpose
from app.search.index import reindex

# What an anonymised case's title becomes; the page says why beside it.
ANONYMISED_TITLE = "—"
# What an anonymised account is called; its e-mail becomes unusable and unique.
ANONYMISED_USER_NAME = "—"


def _erase(condition: sa.ColumnElement[bool], kind: EventKind, now: datetime) -> int:
    expired = db.session.scalars(
        sa.select(Deviation)
        .where(Deviation.patient_id_token.is_not(None), condition)
        .with_for_update(skip_locked=True)
    ).all()
    for deviation in expired:
        deviation.patient_id_token = None
        deviation.patient_id_hash = None
        db.session.add(DeviationEvent(deviation=deviation, at=now, kind=kind))
    db.session.flush()
    return len(expired)


def erase_expired_patient_ids(retention_days: int, now: datetime | None = None) -> int:
    """Erase every identity whose case closed more than ``retention_days`` ago. Flushes."""
    now = now or utcnow()
    cutoff = now - timedelta(days=retention_days)
    closed_long_ago = sa.and_(
        Deviation.status.in_(CLOSED_STATUSES),
        Deviation.closed_at.is_not(None),
        Deviation.closed_at < cutoff,
    )
    return _erase(closed_long_ago, EventKind.PATIENT_ID_ERASED, now)


def erase_patient_ids_of_long_open_cases(max_open_days: int, now: datetime | None = None) -> int:
    """Erase the identity of every case still open ``max_open_days`` after it was filed."""
    now = now or utcnow()
    open_too_long = sa.and_(
        Deviation.status.in_(OPEN_STATUSES),
        Deviation.registered_at < now - timedelta(days=max_open_days),
    )
    return _erase(open_too_long, EventKind.PATIENT_ID_EXPIRED_OPEN, now)


def years_before(now: datetime, years: int) -> datetime:
    try:
        return now.replace(year=now.year - years)
    except ValueError:  # 29 February, in a year that has none
        return now.replace(year=now.year - years, day=28)


def _clinic_of_unit() -> dict[int, int | None]:
    """Each unit's id -> the id of its top-level unit when the unit is the hospital's (the
    clinic the statistics group by, app/statistics/services/queries.py:load_clinics), else
    None: the statistics count no other unit."""
    rows = db.session.execute(
        sa.select(Unit.id, Unit.parent_id, Organisation.kind).join(
            Organisation, Unit.organisation_id == Organisation.id
        )
    ).all()
    parents = {unit_id: parent_id for unit_id, parent_id, _ in rows}
    result: dict[int, int | None] = {}
    for unit_id, _, kind in rows:
        top = unit_id
        while parents.get(top) is not None and parents[top] in parents:
            top = parents[top]
        result[unit_id] = top if kind == OrgKind.SYKEHUS else None
    return result


# Cases per round: the first run on an old database may find years of cases at once; a round
# keeps the ORM objects and the IN lists small (SQLite allows 32,766 parameters).
ANONYMISE_BATCH = 500


def anonymise_old_cases(retention_years: int, now: datetime | None = None) -> int:
    """Every case closed more than ``retention_years`` ago loses its free text (the title
    becomes a neutral mark), its messages, the texts and actors of its history, its reporter
    and handler, and every unit but the hospital clinic; a history row says so. Flushes."""
    now = now or utcnow()
    cutoff = years_before(now, retention_years)
    clinic = _clinic_of_unit()
    total = 0
    while True:
        expired = db.session.scalars(
            sa.select(Deviation)
            .where(
                Deviation.anonymised_at.is_(None),
                Deviation.status.in_(CLOSED_STATUSES),
                Deviation.closed_at.is_not(None),
                Deviation.closed_at < cutoff,
            )
            .order_by(Deviation.id)
            .limit(ANONYMISE_BATCH)
            .with_for_update(skip_locked=True)
        ).all()
        if not expired:
            return total
        _anonymise(expired, clinic, now)
        total += len(expired)


def _anonymise(expired: list[Deviation], clinic: dict[int, int | None], now: datetime) -> None:
    for deviation in expired:
        deviation.title = ANONYMISED_TITLE
        deviation.description = ""
        deviation.immediate_action = ""
        deviation.suggestion = ""
        deviation.response = None
        deviation.reporter_id = None
        deviation.handler_id = None
        deviation.reporter_unit_id = clinic.get(deviation.reporter_unit_id or 0)
        deviation.counterpart_unit_id = clinic.get(deviation.counterpart_unit_id or 0)
        deviation.forwarded_unit_id = None
        deviation.patient_id_token = None
        deviation.patient_id_hash = None
        deviation.anonymised_at = now
    db.session.flush()
    ids = [deviation.id for deviation in expired]
    # A serious event's notice keeps whether it was notified and when (what the statistics
    # count); the names and texts go like the case's own.
    db.session.execute(
        sa.update(SeriousNotice)
        .where(SeriousNotice.deviation_id.in_(ids))
        .values(
            notified_by=sa.case((SeriousNotice.notifiable, ANONYMISED_TITLE), else_=""),
            reference="",
            reason=sa.case((SeriousNotice.notifiable, ""), else_=ANONYMISED_TITLE),
            recorded_by_id=None,
        ),
        execution_options={"synchronize_session": False},
    )
    permitted = {"history_permit": PermitPurpose.RETENTION.value, "synchronize_session": False}
    with history_permit(db.session, ids, PermitPurpose.RETENTION):
        db.session.execute(
            sa.update(DeviationEvent)
            .where(DeviationEvent.deviation_id.in_(ids))
            .values(text="", actor_id=None, unit_id=None, colleague_id=None),
            execution_options=permitted,
        )
        db.session.execute(
            sa.delete(DeviationMessage).where(DeviationMessage.deviation_id.in_(ids)),
            execution_options=permitted,
        )
    for deviation in expired:
        db.session.expire(deviation, ["events", "messages"])
        db.session.add(
            DeviationEvent(deviation_id=deviation.id, at=now, kind=EventKind.CASE_ANONYMISED)
        )
    db.session.flush()
    # The flush above indexed the emptied texts while the messages still stood.
    reindex(db.session.connection(), ids)


def anonymise_departed_users(retention_years: int, now: datetime | None = None) -> int:
    """Every account deactivated more than ``retention_years`` ago loses the person: name,
    e-mail, password, second factor, unit, roles, sessions and links. The row stays, so the
    history and the logs that point at it still point somewhere. Flushes."""
    now = now or utcnow()
    departed = db.session.scalars(
        sa.select(User).where(
            User.active.is_(False),
            User.anonymised_at.is_(None),
            User.deactivated_at.is_not(None),
            User.deactivated_at < years_before(now, retention_years),
        )
    ).all()
    for user in departed:
        user.name = ANONYMISED_USER_NAME
        # The reserved .invalid domain: never deliverable, and unique by the id.
        user.email = f"anonymisert-{user.id}@avvik.invalid"
        user.password_hash = None
        user.totp_secret = None
        user.totp_enabled_at = None
        user.totp_last_counter = None
        user.unit_id = None
        user.failed_logins = 0
        user.locked_until = None
        user.set_roles(set())
        user.anonymised_at = now
    ids = [user.id for user in departed]
    if ids:
        for model in (RecoveryCode, LoginSession, AuthToken):
            db.session.execute(sa.delete(model).where(model.user_id.in_(ids)))
    db.session.flush()
    return len(departed)
