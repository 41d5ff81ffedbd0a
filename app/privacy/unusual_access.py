"""The daily watch for unusual access (Normen: the log is to be checked, not only kept).

`flask maintenance` looks at the access log of the day before and records, per reader:
- more distinct cases read than UNUSUAL_ACCESS_CASES_PER_DAY;
- two or more cases of one patient (same keyed hash) read by someone whose organisation did
  not receive them: the reporting side may read its own reports, but has no handling to do,
  so going through one patient's cases from there is worth a look.
The data protection officer of the reader's organisation sees the list at /personvern/uvanlig.
A rerun for the same day adds nothing (one row per day, reader and kind).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from app.common.dates import OSLO
from app.common.permissions import org_lineage
from app.extensions import db
from app.models import AccessAction, AccessAlert, AccessLogEntry, AlertKind, Deviation, User

# Reads that show a case's content or its patient's identity.
READS = (AccessAction.DEVIATION_VIEWED, AccessAction.PATIENT_ID_SHOWN)


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tzinfo=OSLO)
    return start, datetime.combine(day + timedelta(days=1), time(0), tzinfo=OSLO)


def check_day(day: date, cases_per_day: int) -> int:
    """Record the day's unusual readers; returns how many new rows. Flushes."""
    start, end = _day_bounds(day)
    in_day = sa.and_(
        AccessLogEntry.at >= start,
        AccessLogEntry.at < end,
        AccessLogEntry.action.in_(READS),
        AccessLogEntry.deviation_id.is_not(None),
    )
    found: dict[tuple[int, AlertKind], tuple[int, int]] = {}
    many = (
        sa.select(
            AccessLogEntry.user_id,
            sa.func.min(AccessLogEntry.organisation_id),
            sa.func.count(sa.distinct(AccessLogEntry.deviation_id)),
        )
        .where(in_day)
        .group_by(AccessLogEntry.user_id)
        .having(sa.func.count(sa.distinct(AccessLogEntry.deviation_id)) > cases_per_day)
    )
    for user_id, org_id, count in db.session.execute(many):
        found[(user_id, AlertKind.MANY_CASES)] = (org_id, count)
    per_patient = (
        sa.select(
            AccessLogEntry.user_id,
            sa.func.min(AccessLogEntry.organisation_id).label("org_id"),
            sa.func.count(sa.distinct(AccessLogEntry.deviation_id)).label("cases"),
        )
        .join(Deviation, Deviation.id == AccessLogEntry.deviation_id)
        .where(
            in_day,
            Deviation.patient_id_hash.is_not(None),
            AccessLogEntry.organisation_id != Deviation.counterpart_org_id,
        )
        .group_by(AccessLogEntry.user_id, Deviation.patient_id_hash)
        .having(sa.func.count(sa.distinct(AccessLogEntry.deviation_id)) >= 2)
        .subquery()
    )
    for user_id, org_id, count in db.session.execute(
        sa.select(
            per_patient.c.user_id,
            sa.func.min(per_patient.c.org_id),
            sa.func.max(per_patient.c.cases),
        ).group_by(per_patient.c.user_id)
    ):
        found[(user_id, AlertKind.ONE_PATIENT_OTHER_SIDE)] = (org_id, count)
    known = set(
        db.session.execute(
            sa.select(AccessAlert.user_id, AccessAlert.kind).where(AccessAlert.day == day)
        ).all()
    )
    new = [key for key in found if key not in known]
    for user_id, kind in new:
        org_id, count = found[(user_id, kind)]
        db.session.add(
            AccessAlert(day=day, user_id=user_id, organisation_id=org_id, kind=kind, count=count)
        )
    db.session.flush()
    return len(new)


def delete_older_than(cutoff: date) -> int:
    """The finds go with the access-log rows they were found in (ACCESS_LOG_DAYS)."""
    return db.session.execute(sa.delete(AccessAlert).where(AccessAlert.day < cutoff)).rowcount


def alerts_for(officer: User, limit: int = 200) -> list[AccessAlert]:
    """The officer's organisation's (and merged ones') unusual readers, newest day first."""
    return list(
        db.session.scalars(
            sa.select(AccessAlert)
            .where(AccessAlert.organisation_id.in_(org_lineage(officer.organisation_id)))
            .order_by(AccessAlert.day.desc(), AccessAlert.id.desc())
            .limit(limit)
        )
    )
