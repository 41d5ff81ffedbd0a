"""Erasing the patient identity when it is no longer needed, by the daily `flask maintenance`.

The receiving party needs the identity to investigate. Once the case is closed and the
reopening window has passed, keeping it only adds risk: it goes PATIENT_DATA_RETENTION_DAYS
after closing. A case nobody closes must not keep it for ever either: it goes
PATIENT_DATA_MAX_OPEN_DAYS after the case was filed, with a history row saying why.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from app.extensions import db
from app.models import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    Deviation,
    DeviationEvent,
    EventKind,
    utcnow,
)


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
