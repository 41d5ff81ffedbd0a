"""The deadline reminders to whoever has a case (`flask send-reminders`, daily)."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.handling import notify
from app.handling.services import open_values
from app.models import Deviation

# Reminders: a few days before the deadline, and once it has passed. The windows (rather than
# one exact day) let a missed cron run catch up; the dedupe key makes a rerun send nothing new.
REMIND_BEFORE_DAYS = 3
REMIND_AFTER_WINDOW_DAYS = 3


def send_reminders(today: date) -> int:
    """Queue the deadline reminders due today. Flushes; the caller commits. Returns mails queued."""
    soon_until = today + timedelta(days=REMIND_BEFORE_DAYS)
    passed_from = today - timedelta(days=REMIND_AFTER_WINDOW_DAYS)
    rows = db.session.scalars(
        sa.select(Deviation)
        .where(
            Deviation.status.in_(open_values()),
            Deviation.response_deadline.between(passed_from, soon_until),
            Deviation.response_deadline != today,
        )
        .options(joinedload(Deviation.handler))
        .order_by(Deviation.response_deadline, Deviation.id)
    )
    queued = 0
    for deviation in rows:
        deadline = deviation.response_deadline
        if today < deadline <= soon_until:
            notice = notify.Notice.DEADLINE_SOON
        elif deadline < today:
            notice = notify.Notice.DEADLINE_PASSED
        else:
            continue
        key = notify.reminder_key(notice, deviation, deadline)
        queued += notify.to_case_handlers(notice, deviation, key=key)
    return queued
