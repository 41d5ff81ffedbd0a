"""Writing and reading the access log (app.models.access_log).

Callers write a row in the same transaction as what they show: the deviation's page, the
patient identity, an analysis and its PDF, the data protection officer's search. A GET that
writes one does it through ``log_reading``, before it renders: a write block of its own,
committed at once, so on SQLite it holds the write lock for the one INSERT only.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.common.writing import writing
from app.extensions import db
from app.models import (
    AccessAction,
    AccessLogEntry,
    Analysis,
    AnalysisDeviation,
    Deviation,
    User,
    utcnow,
)

# A case's page shows its latest readers; the data protection officer's answer shows all.
CASE_PAGE_LIMIT = 50


def record_access(
    user: User,
    action: AccessAction,
    *,
    deviation: Deviation | None = None,
    analysis: Analysis | None = None,
    now: datetime | None = None,
) -> AccessLogEntry:
    entry = AccessLogEntry(
        at=now or utcnow(),
        user_id=user.id,
        organisation_id=user.organisation_id,
        action=action,
        deviation_id=deviation.id if deviation is not None else None,
        analysis_id=analysis.id if analysis is not None else None,
    )
    db.session.add(entry)
    return entry


def log_reading(
    user: User,
    action: AccessAction,
    *,
    deviation: Deviation | None = None,
    analysis: Analysis | None = None,
) -> None:
    """The one way a page that shows a case writes who read it: committed before the page is
    drawn (on SQLite the read that found the case ends here, and the lock is held for the one
    row)."""
    with writing():
        record_access(user, action, deviation=deviation, analysis=analysis)


def log_listing(user: User, deviation_ids: Iterable[int]) -> None:
    """A list that showed cases (their titles and state): one DEVIATION_LISTED row per case
    shown, in one write block before the list is drawn. Per case rather than one row per list:
    every answer the log gives (the case's readers, the data protection officer's search, a
    patient's own account) asks by case, and a list's row would be missing from all of them."""
    now = utcnow()
    rows = [
        {
            "at": now,
            "user_id": user.id,
            "organisation_id": user.organisation_id,
            "action": AccessAction.DEVIATION_LISTED,
            "deviation_id": ident,
        }
        for ident in dict.fromkeys(deviation_ids)
    ]
    if rows:
        with writing():
            db.session.execute(sa.insert(AccessLogEntry), rows)


def log_export(user: User, detail: str) -> None:
    """An export leaving the system: who, when, and which file of what."""
    with writing():
        entry = record_access(user, AccessAction.EXPORTED)
        entry.detail = detail[:200]


def entries_for_deviation(deviation_id: int, limit: int | None = CASE_PAGE_LIMIT):
    """Who read the case, its identity, or an analysis covering it: newest first."""
    analyses = sa.select(AnalysisDeviation.analysis_id).where(
        AnalysisDeviation.deviation_id == deviation_id
    )
    query = (
        sa.select(AccessLogEntry)
        .where(
            sa.or_(
                AccessLogEntry.deviation_id == deviation_id,
                AccessLogEntry.analysis_id.in_(analyses),
            )
        )
        .options(
            selectinload(AccessLogEntry.user),
            selectinload(AccessLogEntry.organisation),
            selectinload(AccessLogEntry.analysis),
        )
        .order_by(AccessLogEntry.at.desc(), AccessLogEntry.id.desc())
    )
    if limit is not None:
        query = query.limit(limit)
    return list(db.session.scalars(query))


def delete_expired(days: int, now: datetime) -> int:
    """The retention run: rows older than ``days`` go. Flushes nothing; returns the count."""
    result = db.session.execute(
        sa.delete(AccessLogEntry).where(AccessLogEntry.at < now - timedelta(days=days))
    )
    return result.rowcount
