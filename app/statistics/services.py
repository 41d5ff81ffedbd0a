"""Loading the tertial's figures with SQL aggregation, and the rows behind them.

Every count comes from a GROUP BY in the database; Python only relabels and rolls up the
grouped rows (a few thousand at most), so a tertial of 80,000 deviations costs a handful of
index scans, never 80,000 ORM objects. reports.summarise turns the result into the figures
that the page, the PDF and the CLI all show.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from app.extensions import db
from app.models import (
    CLOSED_STATUSES,
    Category,
    Deviation,
    DeviationEvent,
    Direction,
    EventKind,
    Organisation,
    OrgKind,
    Role,
    Status,
    Unit,
    User,
)
from reports import AnalysisRecord, Tertial, TertialInput, TertialSummary, summarise
from reports import labels as report_labels
from reports.summary import DEADLINE_DAY_END, TREND_LENGTH, deadline_end


@dataclass(frozen=True)
class Scope:
    """Whose deviations: everyone's (organisation_id None) or those one organisation sent or got."""

    organisation_id: int | None
    name: str

    def clause(self) -> ColumnElement[bool]:
        if self.organisation_id is None:
            return sa.true()
        return sa.or_(
            Deviation.reporter_org_id == self.organisation_id,
            Deviation.counterpart_org_id == self.organisation_id,
        )


def can_view_statistics(user: User) -> bool:
    return bool(user.roles & {Role.FORBEDRINGSGRUPPE, Role.ADMIN, Role.SAKSBEHANDLER})


def scope_for(user: User) -> Scope:
    """The improvement group and admins see all; a handler sees their own organisation's cases."""
    if user.roles & {Role.FORBEDRINGSGRUPPE, Role.ADMIN}:
        return ALL
    if user.has_role(Role.SAKSBEHANDLER):
        return Scope(user.organisation_id, user.organisation.name)
    raise PermissionError("no statistics for this user")


ALL = Scope(None, report_labels.ALL_ORGANISATIONS)


def scope_for_organisation(name: str | None) -> Scope:
    if not name:
        return ALL
    org = db.session.scalar(sa.select(Organisation).where(Organisation.name == name))
    if org is None:
        raise LookupError(name)
    return Scope(org.id, org.name)


# --- SQL expressions -----------------------------------------------------------------------------


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _hospital_unit() -> ColumnElement[int | None]:
    """The hospital's unit on a case between the hospital and a municipality."""
    return sa.case(
        (Deviation.direction == Direction.SYKEHUS_KOMMUNE, Deviation.reporter_unit_id),
        (Deviation.direction == Direction.KOMMUNE_SYKEHUS, Deviation.counterpart_unit_id),
        else_=None,
    )


def status_at(instant: datetime) -> ColumnElement[str]:
    """A deviation's status at ``instant`` (exclusive), as in reports.summary.status_as_of.

    Closed before the instant: the status it has now (closed_at is the latest closing; a reopen
    clears it). Otherwise the last status event before the instant, read from the history with
    a correlated subquery that only runs for the rows still open then. Imported rows have no
    real history: 'sendt' until their closing date, then their imported status.
    """
    closed = Deviation.status.in_(CLOSED_STATUSES)
    last_event = (
        sa.select(sa.type_coerce(DeviationEvent.to_status, sa.String))
        .where(
            DeviationEvent.deviation_id == Deviation.id,
            DeviationEvent.to_status.is_not(None),
            DeviationEvent.kind != EventKind.IMPORTED,
            DeviationEvent.at < instant,
        )
        .order_by(DeviationEvent.at.desc(), DeviationEvent.id.desc())
        .limit(1)
        .correlate(Deviation)
        .scalar_subquery()
    )
    current = sa.type_coerce(Deviation.status, sa.String)
    sendt = sa.literal(Status.SENDT.value, sa.String)
    return sa.case(
        (
            Deviation.imported,
            sa.case(
                (sa.and_(closed, Deviation.closed_at.is_not(None), Deviation.closed_at >= instant), sendt),
                else_=current,
            ),
        ),
        (sa.and_(closed, Deviation.closed_at < instant), current),
        else_=sa.func.coalesce(last_event, sendt),
    )


def _whole_days() -> ColumnElement[int]:
    if _dialect() == "postgresql":
        seconds = sa.extract("epoch", Deviation.closed_at - Deviation.registered_at)
        return sa.cast(sa.func.floor(seconds / 86400), sa.Integer)
    return sa.cast(
        sa.func.julianday(Deviation.closed_at) - sa.func.julianday(Deviation.registered_at),
        sa.Integer,
    )


def _within_deadline() -> ColumnElement[bool]:
    """Answered before the deadline day ran out (reports.summary.deadline_end, in SQL)."""
    hours = int(DEADLINE_DAY_END.total_seconds() // 3600)
    if _dialect() == "postgresql":
        limit = Deviation.response_deadline + sa.text(f"interval '{hours} hours'")
    else:
        limit = sa.func.datetime(Deviation.response_deadline, f"+{hours} hours")
    return Deviation.closed_at < limit


# --- the queries ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Queries:
    """The GROUP BY statements the page needs; the benchmark times them bare, too."""

    cube: sa.Select
    trend: sa.Select
    status_at_end: sa.Select
    backlog: sa.Select
    handling: sa.Select


def build_queries(tertial: Tertial, scope: Scope) -> Queries:
    start, end = tertial.start_utc, tertial.end_utc
    window = tertial.last(TREND_LENGTH)
    in_tertial = sa.and_(
        Deviation.registered_at >= start, Deviation.registered_at < end, scope.clause()
    )
    unit = _hospital_unit().label("unit")
    cube = (
        sa.select(
            sa.type_coerce(Deviation.direction, sa.String),
            Deviation.reporter_org_name,
            Deviation.counterpart_org_name,
            unit,
            Deviation.category_id,
            sa.type_coerce(Deviation.harm, sa.String),
            sa.func.count(),
        )
        .where(in_tertial)
        .group_by(
            Deviation.direction,
            Deviation.reporter_org_name,
            Deviation.counterpart_org_name,
            unit,
            Deviation.category_id,
            Deviation.harm,
        )
    )
    bucket = sa.case(
        *((Deviation.registered_at < w.end_utc, i) for i, w in enumerate(window)), else_=None
    ).label("bucket")
    trend = (
        sa.select(bucket, Deviation.category_id, sa.func.count())
        .where(
            Deviation.registered_at >= window[0].start_utc,
            Deviation.registered_at < end,
            scope.clause(),
        )
        .group_by(bucket, Deviation.category_id)
    )
    status_end = status_at(end).label("status_end")
    status_query = sa.select(status_end, sa.func.count()).where(in_tertial).group_by(status_end)
    # Open at the end: either open today or closed after the end (closed_at is the latest close).
    status_backlog = status_at(end).label("status_end")
    overdue = sa.case((Deviation.response_deadline <= tertial.end, 1), else_=0).label("overdue")
    backlog = (
        sa.select(status_backlog, overdue, sa.func.count())
        .where(
            Deviation.registered_at < end,
            sa.or_(Deviation.closed_at.is_(None), Deviation.closed_at >= end),
            scope.clause(),
        )
        .group_by(status_backlog, overdue)
    )
    days = _whole_days().label("days")
    within = sa.case((_within_deadline(), 1), else_=0).label("within")
    handling = (
        sa.select(days, within, sa.func.count())
        .where(Deviation.closed_at >= start, Deviation.closed_at < end, scope.clause())
        .group_by(days, within)
    )
    return Queries(cube, trend, status_query, backlog, handling)


def _categories() -> tuple[list[str], dict[int, str]]:
    rows = db.session.execute(
        sa.select(Category.id, Category.name, Category.active).order_by(
            Category.position, Category.name
        )
    ).all()
    return [name for _, name, active in rows if active], {i: name for i, name, _ in rows}


def _clinics() -> dict[int, str]:
    """Each hospital unit's top-level unit (the klinikk): statistics are by clinic."""
    rows = db.session.execute(
        sa.select(Unit.id, Unit.parent_id, Unit.name)
        .join(Organisation, Unit.organisation_id == Organisation.id)
        .where(Organisation.kind == OrgKind.SYKEHUS)
    ).all()
    parents = {i: (p, n) for i, p, n in rows}
    result = {}
    for unit_id in parents:
        current = unit_id
        while parents[current][0] is not None and parents[current][0] in parents:
            current = parents[current][0]
        result[unit_id] = parents[current][1]
    return result


def load_input(
    tertial: Tertial, scope: Scope, analyses: Sequence[AnalysisRecord] = ()
) -> TertialInput:
    queries = build_queries(tertial, scope)
    active_categories, category_names = _categories()
    clinics = _clinics()
    window = tertial.last(TREND_LENGTH)

    by_direction: Counter[str] = Counter()
    by_reporter: Counter[str] = Counter()
    by_counterpart: Counter[str] = Counter()
    by_unit: Counter[str] = Counter()
    by_category: Counter[str] = Counter()
    by_harm: Counter[str] = Counter()
    hospital_directions = {Direction.KOMMUNE_SYKEHUS.value, Direction.SYKEHUS_KOMMUNE.value}
    for direction, reporter, counterpart, unit, category_id, harm, count in db.session.execute(
        queries.cube
    ):
        by_direction[direction] += count
        by_reporter[reporter] += count
        by_counterpart[counterpart] += count
        by_category[category_names[category_id]] += count
        by_harm[harm] += count
        if direction in hospital_directions:
            by_unit[clinics.get(unit, report_labels.UNKNOWN_UNIT)] += count

    trend: dict[tuple[Tertial, str], int] = defaultdict(int)
    for bucket, category_id, count in db.session.execute(queries.trend):
        trend[(window[bucket], category_names[category_id])] += count

    status_end = {s: c for s, c in db.session.execute(queries.status_at_end)}
    open_at_end = overdue_at_end = 0
    for status, overdue, count in db.session.execute(queries.backlog):
        if status in report_labels.OPEN_STATUSES:
            open_at_end += count
            overdue_at_end += count if overdue else 0

    handling: Counter[int] = Counter()
    within = 0
    for days, in_time, count in db.session.execute(queries.handling):
        handling[int(days)] += count
        within += count if in_time else 0

    # Every configured category shows, even with no case; inactive ones only when they have cases.
    shown = active_categories + [
        n for n in category_names.values() if n not in active_categories and by_category.get(n)
    ]
    return TertialInput(
        tertial=tertial,
        scope=scope.name,
        categories=shown,
        trend=dict(trend),
        by_direction=dict(by_direction),
        by_reporter_org=dict(by_reporter),
        by_counterpart_org=dict(by_counterpart),
        by_hospital_unit=dict(by_unit),
        by_category=dict(by_category),
        by_harm=dict(by_harm),
        status_at_end=status_end,
        handling_days=dict(handling),
        answered_within_deadline=within,
        open_at_end=open_at_end,
        overdue_at_end=overdue_at_end,
        analyses=list(analyses),
    )


def analyses_for(tertial: Tertial, scope: Scope) -> list[AnalysisRecord]:
    """Incident analyses as plain records. Empty until the analysis module (issue 5) exists;
    it fills this in with its own query."""
    return []


def tertial_summary(tertial: Tertial, scope: Scope) -> TertialSummary:
    return summarise(load_input(tertial, scope, analyses_for(tertial, scope)))


def data_stamp(scope: Scope) -> datetime | None:
    """The newest registration or closing in the data: the report's date, so the same data
    gives the same PDF bytes (never the clock)."""
    newest = db.session.execute(
        sa.select(sa.func.max(Deviation.registered_at), sa.func.max(Deviation.closed_at)).where(
            scope.clause()
        )
    ).one()
    values = [v for v in newest if v is not None]
    return max(values) if values else None


def last_complete_tertial(today: date) -> Tertial:
    return Tertial.last_complete(today)


def available_tertials(today: date, count: int = 12) -> list[Tertial]:
    """The tertials to pick from: the running one and the ones before it, newest first."""
    return list(reversed(Tertial.of(today).last(count)))


# --- the rows behind the figures (CSV / XLSX) -----------------------------------------------------

EXPORT_COLUMNS = [
    "reference",
    "registered",
    "event_date",
    "direction",
    "reporter_org",
    "reporter_unit",
    "counterpart_org",
    "counterpart_unit",
    "category",
    "harm",
    "status",
    "status_at_tertial_end",
    "response_deadline",
    "closed",
    "handling_days",
    "answered_within_deadline",
    "imported",
]
# Deliberately absent: the patient identity (never leaves the app) and every free-text field,
# the title included. Titles are written in a hurry by clinicians and may describe a patient
# ("97 år gammel kvinne fra …"); a file can be forwarded beyond the access rules, so the rows
# carry codes and names of organisations only. The reference number finds the case in the app.


def _unit_paths() -> dict[int, str]:
    rows = db.session.execute(sa.select(Unit.id, Unit.parent_id, Unit.name)).all()
    parents = {i: (p, n) for i, p, n in rows}
    paths = {}
    for unit_id in parents:
        names, current = [], unit_id
        while current is not None and current in parents:
            names.append(parents[current][1])
            current = parents[current][0]
        paths[unit_id] = " › ".join(reversed(names))
    return paths


def export_rows(tertial: Tertial, scope: Scope) -> Iterator[list[object]]:
    """One list per deviation registered in the tertial, in EXPORT_COLUMNS order, streamed."""
    from app.common.dates import local

    _, category_names = _categories()
    units = _unit_paths()
    end = tertial.end_utc
    query = (
        sa.select(
            Deviation.reference,
            Deviation.registered_at,
            Deviation.event_date,
            Deviation.direction,
            Deviation.reporter_org_name,
            Deviation.reporter_unit_id,
            Deviation.counterpart_org_name,
            Deviation.counterpart_unit_id,
            Deviation.category_id,
            Deviation.harm,
            Deviation.status,
            status_at(end),
            Deviation.response_deadline,
            Deviation.closed_at,
            Deviation.imported,
        )
        .where(
            Deviation.registered_at >= tertial.start_utc,
            Deviation.registered_at < end,
            scope.clause(),
        )
        .order_by(Deviation.registered_at, Deviation.id)
        .execution_options(yield_per=2000)
    )
    for row in db.session.execute(query):
        (ref, registered, event_date, direction, reporter, r_unit, counterpart, c_unit,
         category_id, harm, status, status_end, deadline, closed, imported) = row  # fmt: skip
        days = within = None
        if closed is not None:
            days = (closed - registered) // timedelta(days=1)
            within = closed < deadline_end(deadline)
        yield [
            ref,
            local(registered).date(),
            event_date,
            report_labels.DIRECTIONS.get(direction.value, direction.value),
            reporter,
            units.get(r_unit, "") if r_unit else "",
            counterpart,
            units.get(c_unit, "") if c_unit else "",
            category_names.get(category_id, ""),
            report_labels.HARMS[harm.value],
            report_labels.STATUSES[status.value],
            report_labels.STATUSES.get(status_end, status_end),
            deadline,
            local(closed).date() if closed else None,
            days,
            None if within is None else ("ja" if within else "nei"),
            "ja" if imported else "nei",
        ]
