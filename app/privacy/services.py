"""What the data protection officer (role personvern) may ask, as plain queries.

Both answers stay inside the officer's organisation (and the organisations merged into it): the
cases it reported or received, and what its own staff read. They show who read what and when,
never what a case says.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.common.crypto import patient_cipher
from app.common.permissions import org_lineage
from app.extensions import db
from app.models import AccessAction, AccessLogEntry, Deviation, User, utcnow
from app.privacy.access_log import entries_for_deviation, record_access

LOG_PAGE_SIZE = 50


@dataclass(frozen=True)
class CaseReaders:
    deviation: Deviation
    entries: list[AccessLogEntry]


def patient_cases(officer: User, number: str, now: datetime | None = None) -> list[CaseReaders]:
    """The organisation's cases that carry this identity (11 digits, validated by the caller),
    each with everyone who read it, newest first. Found by the keyed hash, one indexed lookup;
    nothing is decrypted. The search and each case it showed are written to the access log,
    without the number. Flushes; the caller commits."""
    now = now or utcnow()
    lineage = org_lineage(officer.organisation_id)
    cases = db.session.scalars(
        sa.select(Deviation)
        .where(
            Deviation.patient_id_hash == patient_cipher().hash(number),
            sa.or_(
                Deviation.reporter_org_id.in_(lineage), Deviation.counterpart_org_id.in_(lineage)
            ),
        )
        .order_by(Deviation.registered_at, Deviation.id)
    ).all()
    # Read before this search's own rows are written: the answer lists earlier readers.
    answer = [CaseReaders(d, entries_for_deviation(d.id, limit=None)) for d in cases]
    record_access(officer, AccessAction.PATIENT_SEARCH, now=now)
    for deviation in cases:
        record_access(officer, AccessAction.PATIENT_SEARCH_HIT, deviation=deviation, now=now)
    db.session.flush()
    return answer


def organisation_log(
    officer: User,
    *,
    email: str | None = None,
    reference: str | None = None,
    before_id: int | None = None,
    limit: int = LOG_PAGE_SIZE,
) -> tuple[list[AccessLogEntry], int | None]:
    """What the organisation's staff read, newest first, a page at a time (keyset on the row
    id, which grows with time). Returns the rows and the id to continue before, if any."""
    query = (
        sa.select(AccessLogEntry)
        .where(AccessLogEntry.organisation_id.in_(org_lineage(officer.organisation_id)))
        .options(
            selectinload(AccessLogEntry.user),
            selectinload(AccessLogEntry.deviation),
            selectinload(AccessLogEntry.analysis),
        )
        .order_by(AccessLogEntry.id.desc())
        .limit(limit + 1)
    )
    if email:
        query = query.where(
            AccessLogEntry.user_id.in_(
                sa.select(User.id).where(User.email == email.strip().lower())
            )
        )
    if reference:
        query = query.where(
            AccessLogEntry.deviation_id.in_(
                sa.select(Deviation.id).where(Deviation.reference == reference.strip().upper())
            )
        )
    if before_id is not None:
        query = query.where(AccessLogEntry.id < before_id)
    rows = list(db.session.scalars(query))
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].id if more else None)
