"""The analysis' timeline: what happened when, and where it is written (journal, message, ...)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from flask_babel import lazy_gettext as _l

from app.analysis.services.editing import check_no_identity, clean, open_content, record_event
from app.common.dates import OSLO, format_datetime
from app.common.errors import ServiceError
from app.extensions import db
from app.models import Analysis, AnalysisEventKind, TimelineEntry, User, utcnow


@dataclass(frozen=True)
class TimelineInput:
    day: date
    at: time
    what: str
    source: str


def _timeline_moment(data: TimelineInput, now: datetime) -> datetime:
    moment = datetime.combine(data.day, data.at, tzinfo=OSLO)
    if moment > now:
        raise ServiceError(_l("Tidspunktet kan ikke være fram i tid."), "day", code="future_time")
    if not clean(data.what):
        raise ServiceError(_l("Beskriv hva som skjedde."), "what", code="needs_what")
    check_no_identity({"what": data.what, "source": data.source})
    return moment


def add_timeline_entry(
    actor: User, analysis: Analysis, data: TimelineInput, now: datetime | None = None
) -> TimelineEntry:
    now = now or utcnow()
    open_content(actor, analysis)
    moment = _timeline_moment(data, now)
    entry = TimelineEntry(occurred_at=moment, what=clean(data.what), source=clean(data.source))
    analysis.timeline.append(entry)
    record_event(analysis, actor, AnalysisEventKind.TIMELINE_ADDED, format_datetime(moment), now)
    db.session.flush()
    return entry


def update_timeline_entry(
    actor: User,
    analysis: Analysis,
    entry: TimelineEntry,
    data: TimelineInput,
    now: datetime | None = None,
) -> None:
    now = now or utcnow()
    open_content(actor, analysis)
    moment = _timeline_moment(data, now)
    before = format_datetime(entry.occurred_at)
    entry.occurred_at = moment
    entry.what = clean(data.what)
    entry.source = clean(data.source)
    text = before if before == format_datetime(moment) else f"{before} → {format_datetime(moment)}"
    record_event(analysis, actor, AnalysisEventKind.TIMELINE_CHANGED, text, now)
    db.session.flush()


def delete_timeline_entry(
    actor: User, analysis: Analysis, entry: TimelineEntry, now: datetime | None = None
) -> None:
    open_content(actor, analysis)
    text = format_datetime(entry.occurred_at)
    analysis.timeline.remove(entry)
    record_event(analysis, actor, AnalysisEventKind.TIMELINE_DELETED, text, now)
    db.session.flush()
