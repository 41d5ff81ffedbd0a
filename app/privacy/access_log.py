"""Writing and reading the access log (app.models.access_log).

Callers write a row in the same transaction as what they show: the deviation's page, the
patient identity, an analysis and its PDF, the data protection officer's search. A GET that
writes one does it through ``log_reading``, before it renders: a write block of its own,
committed at once, so on SQLite it holds the write lock for the one INSERT only.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.common.dates import format_time, local
from app.common.writing import writing
from app.extensions import db
from app.models import (
    AccessAction,
    AccessLogEntry,
    Analysis,
    AnalysisDeviation,
    Deviation,
    Organisation,
    User,
    utcnow,
)

# A case's page shows its latest readers; the data protection officer's answer shows all.
# Rows, not groups: a handler reloading a page writes a row each time, and the page folds them
# into one line, so it reads this many to show a useful number of lines. Bounded so a case read
# ten thousand times costs its page no more than one read a few times (one index range).
CASE_PAGE_LIMIT = 100


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
    row).

    The row's values are read before the block: ending the read transaction expires the user
    and the case, and reading them inside would load both again under the write lock. One
    Core INSERT, as ``log_listing`` writes: nothing reads the row back as an object."""
    row = {
        "at": utcnow(),
        "user_id": user.id,
        "organisation_id": user.organisation_id,
        "action": action,
        "deviation_id": deviation.id if deviation is not None else None,
        "analysis_id": analysis.id if analysis is not None else None,
    }
    with writing():
        db.session.execute(sa.insert(AccessLogEntry), [row])


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


def readings_for_case(deviation_id: int, limit: int = CASE_PAGE_LIMIT) -> list[sa.Row]:
    """The case page's access log: the latest ``limit`` readings of the case and of any analysis
    covering it, newest first, as plain rows with the names the page prints.

    Two queries, each walking its own index from the newest row and stopping at ``limit``,
    merged here: one query with ``deviation_id = ? OR analysis_id IN (…)`` cannot walk either
    index in order, so it read and sorted every reading the case ever had (12 ms for a case
    read a few thousand times)."""
    columns = (
        AccessLogEntry.id,
        AccessLogEntry.at,
        AccessLogEntry.user_id,
        AccessLogEntry.organisation_id,
        AccessLogEntry.action,
        AccessLogEntry.deviation_id,
        AccessLogEntry.analysis_id,
        User.name.label("user_name"),
        Organisation.name.label("organisation_name"),
        Analysis.reference.label("analysis_reference"),
    )

    def newest(condition) -> list[sa.Row]:
        query = (
            sa.select(*columns)
            .join(User, User.id == AccessLogEntry.user_id)
            .join(Organisation, Organisation.id == AccessLogEntry.organisation_id)
            .outerjoin(Analysis, Analysis.id == AccessLogEntry.analysis_id)
            .where(condition)
            .order_by(AccessLogEntry.at.desc(), AccessLogEntry.id.desc())
            .limit(limit)
        )
        return list(db.session.execute(query))

    rows = newest(AccessLogEntry.deviation_id == deviation_id)
    analyses = list(
        db.session.scalars(
            sa.select(AnalysisDeviation.analysis_id).where(
                AnalysisDeviation.deviation_id == deviation_id
            )
        )
    )
    if analyses:
        rows += newest(AccessLogEntry.analysis_id.in_(analyses))
        rows.sort(key=lambda r: (r.at, r.id), reverse=True)
    return rows[:limit]


@dataclass
class ReadingGroup:
    """One line of a case's displayed access log: consecutive readings (newest first) by the
    same person doing the same thing to the same case or analysis on the same day. The stored
    rows stay one per reading; only the display folds them."""

    first: sa.Row  # the earliest reading of the run
    last: sa.Row  # the latest
    count: int

    @property
    def until(self) -> str:
        """The span's end as the page prints it, the time alone ("01:52–01:53": a run never
        crosses midnight, so the date is the start's); empty when it ended the minute it
        began."""
        end = format_time(self.last.at)
        return "" if end == format_time(self.first.at) else end


def _run_key(row: sa.Row) -> tuple:
    return (
        row.user_id,
        row.organisation_id,
        row.action,
        row.deviation_id,
        row.analysis_id,
        local(row.at).date(),
    )


def group_readings(rows: Sequence[sa.Row]) -> list[ReadingGroup]:
    """Fold runs of repeated readings (``rows`` newest first, as ``readings_for_case`` gives
    them) into one line each. Only consecutive rows fold, so the order of who read the case
    after whom stays as it was."""
    groups = []
    for _, run in itertools.groupby(rows, key=_run_key):
        readings = list(run)
        groups.append(ReadingGroup(first=readings[-1], last=readings[0], count=len(readings)))
    return groups


def delete_expired(days: int, now: datetime) -> int:
    """The retention run: rows older than ``days`` go. Flushes nothing; returns the count."""
    result = db.session.execute(
        sa.delete(AccessLogEntry).where(AccessLogEntry.at < now - timedelta(days=days))
    )
    return result.rowcount
