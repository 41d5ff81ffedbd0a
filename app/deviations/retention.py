"""Erasing the patient identity a configured number of days after a case is closed.

The receiving party needs the identity to investigate; once the case is closed and the
reopening window has passed, keeping it only adds risk. Run daily (`flask purge-patient-data`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from app.extensions import db
from app.models import CLOSED_STATUSES, Deviation, DeviationEvent, EventKind, utcnow


def erase_expired_patient_ids(retention_days: int, now: datetime | None = None) -> int:
    """Erase every identity whose case closed more than ``retention_days`` ago. Flushes."""
    now = now or utcnow()
    cutoff = now - timedelta(days=retention_days)
    expired = db.session.scalars(
        sa.select(Deviation)
        .where(
            Deviation.patient_id_token.is_not(None),
            Deviation.status.in_(CLOSED_STATUSES),
            Deviation.closed_at.is_not(None),
            Deviation.closed_at < cutoff,
        )
        .with_for_update(skip_locked=True)
    ).all()
    for deviation in expired:
        deviation.patient_id_token = None
        db.session.add(
            DeviationEvent(deviation_id=deviation.id, at=now, kind=EventKind.PATIENT_ID_ERASED)
        )
    db.session.flush()
    return len(expired)
