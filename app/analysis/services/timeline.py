"""The analysis' timeline: what happened when, and where it is written (journal, message, ...)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from flask_babel import lazy_gettext as _l

from app.analysis.history import moment as at
from app.analysis.services.editing import check_no_identity, clean, open_content, record_event
from app.common.dates import OSLO
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
    record_event(
        analysis, actor, AnalysisEventKind.TIMELINE_ADDED, now=now, detail={"at": at(moment)}
    )
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
    before = at(entry.occurred_at)
    entry.occurred_at = moment
    entry.what = clean(data.what)
    entry.source = clean(data.source)
    record_event(
        analysis,
        actor,
        AnalysisEventKind.TIMELINE_CHANGED,
        now=now,
        detail={"at": at(moment), "was": before},
    )
    db.session.flush()


def delete_timeline_entry(
    actor: User, analysis: Analysis, entry: TimelineEntry, now: datetime | None = None
) -> None:
    open_content(actor, analysis)
    detail = {"at": at(entry.occurred_at)}
    analysis.timeline.remove(entry)
    record_event(analysis, actor, AnalysisEventKind.TIMELINE_DELETED, now=now, detail=detail)
    db.session.flush()
