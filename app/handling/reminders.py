"""The deadline reminders to whoever has a case (`flask send-reminders`, hourly).

"Svarfristen nærmer seg" comes when a third of the case's own response period is left (rounded,
at least 1 day, at most REMIND_BEFORE_DAYS): 3 days before a 14-day deadline, but the day
before a serious event's 3-day one. A fixed 3 days told a serious event's handler "the deadline
is near" the day it was filed, next to the new-case mail. The period runs from the day the
deadline was set (the registration, or the last re-routing, which gives a new deadline) to the
deadline, from the stored dates, so an organisation's later change of its response days or a
new SERIOUS_RESPONSE_DAYS does not move the reminders of cases already filed.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from app.common.dates import local
from app.extensions import db
from app.handling import notify
from app.handling.services import open_values
from app.models import Deviation, DeviationEvent, HistoryLine
from app.models.base import UTCDateTime

# Reminders: a few days before the deadline, and once it has passed. The windows (rather than
# one exact day) let a missed cron run catch up; the dedupe key makes a rerun send nothing new.
# The "soon" window reaches the deadline day itself for that reason: a one-day window (a
# serious event's) would otherwise have no later day to catch up on. A case reminded in time
# meets its own key there and gets nothing new.
REMIND_BEFORE_DAYS = 3
REMIND_AFTER_WINDOW_DAYS = 3

# The history lines of the moves that give a case a new deadline (workflow._reroute).
_NEW_DEADLINE_LINES = (HistoryLine.REROUTED.value, HistoryLine.FALLBACK.value)


def soon_days(period_days: int) -> int:
    """How many days before its deadline a case with this response period is reminded: a
    third of the period, rounded (an integer's third is never halfway), 1 to REMIND_BEFORE_DAYS."""
    return min(REMIND_BEFORE_DAYS, max(1, (period_days + 1) // 3))


def is_soon(today: date, set_on: date, deadline: date) -> bool:
    """Whether ``today`` is in the "svarfristen nærmer seg" window of a deadline set on
    ``set_on``. Never the day it was set: that day's mail (new case, re-routed) is the notice,
    and a one-day deadline's only "soon" day is then the deadline day."""
    if not set_on < today <= deadline:
        return False
    return (deadline - today).days <= soon_days((deadline - set_on).days)


def _deadline_set_at() -> sa.ColumnElement[datetime]:
    """When the case's deadline was set: its last re-routing, else its registration. (A
    re-routing written before the history codes has no line: counted from registration, a
    longer period, so at worst the fixed REMIND_BEFORE_DAYS of before.)"""
    last_reroute = (
        sa.select(sa.func.max(DeviationEvent.at))
        .where(
            DeviationEvent.deviation_id == Deviation.id,
            DeviationEvent.line.in_(_NEW_DEADLINE_LINES),
        )
        .scalar_subquery()
    )
    return sa.type_coerce(
        sa.func.coalesce(last_reroute, Deviation.registered_at), UTCDateTime()
    ).label("deadline_set_at")


def send_reminders(today: date) -> int:
    """Queue the deadline reminders due today. Flushes; the caller commits. Returns mails queued."""
    soon_until = today + timedelta(days=REMIND_BEFORE_DAYS)
    passed_from = today - timedelta(days=REMIND_AFTER_WINDOW_DAYS)
    rows = db.session.execute(
        sa.select(Deviation, _deadline_set_at())
        .where(
            Deviation.status.in_(open_values()),
            Deviation.response_deadline.between(passed_from, soon_until),
        )
        .options(joinedload(Deviation.handler))
        .order_by(Deviation.response_deadline, Deviation.id)
    )
    queued = 0
    for deviation, set_at in rows:
        deadline = deviation.response_deadline
        if deadline < today:
            notice = notify.Notice.DEADLINE_PASSED
        elif is_soon(today, local(set_at).date(), deadline):
            notice = notify.Notice.DEADLINE_SOON
        else:
            continue
        key = notify.reminder_key(notice, deviation, deadline)
        queued += notify.to_case_handlers(notice, deviation, key=key)
    return queued
