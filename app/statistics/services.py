"""Loading the tertial's figures with SQL aggregation, and the rows behind them.

Every count comes from a GROUP BY in the database; Python only relabels and rolls up the
grouped rows (a few thousand at most), so a tertial of 80,000 deviations costs a handful of
index scans, never 80,000 ORM objects. reports.summarise turns the result into the figures
that the page, the PDF and the CLI all show.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from app.extensions import db
from app.models import (
    CLOSED_STATUSES,
    Category,
    Deviation,
    DeviationEvent,
    Direction,
    EventKind,
    Harm,
    Organisation,
    OrgKind,
    Role,
    Status,
    Unit,
    User,
)
from app.models.organisation import unit_paths
from reports import AnalysisRecord, Tertial, TertialInput, TertialSummary, summarise
from reports import labels as report_labels
from reports.i18n import NORWEGIAN, Language
from reports.summary import DEADLINE_DAY_END, TREND_LENGTH, deadline_end

_K = TypeVar("_K")


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

    def filter(self) -> ColumnElement[bool]:
        """The same condition, checked on the index entries the statistics read anyway (their
        indexes end with both organisation ids) rather than choosing which index to read."""
        if self.organisation_id is None:
            return sa.true()
        return sa.or_(
            unindexed(Deviation.reporter_org_id) == self.organisation_id,
            unindexed(Deviation.counterpart_org_id) == self.organisation_id,
        )


class unindexed(FunctionElement):
    """The column itself, written ``+column`` on SQLite: a term its planner will not drive the
    query from (https://sqlite.org/optoverview.html#disqualifying_where_clause_terms_using_unary_).
    Without statistics (no ANALYZE) SQLite otherwise picks an index on an open-ended range or on
    the scope's organisation and reads hundreds of thousands of table rows."""

    inherit_cache = True

    def __init__(self, column: ColumnElement[object]) -> None:
        super().__init__(column)
        self.type = column.type


@compiles(unindexed)
def _unindexed(element: unindexed, compiler: SQLCompiler, **kw: object) -> str:
    return compiler.process(element.clauses, **kw)


@compiles(unindexed, "sqlite")
def _unindexed_sqlite(element: unindexed, compiler: SQLCompiler, **kw: object) -> str:
    return "+" + compiler.process(element.clauses, **kw)


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
        return Deviation.closed_at < limit
    # SQLite keeps a date as 'YYYY-MM-DD' and a time as 'YYYY-MM-DD HH:MM:SS.ffffff': the deadline
    # day's end is the same text as datetime(deadline, '+23 hours'), without parsing a date per row.
    assert 0 <= hours < 24
    day_end = sa.type_coerce(Deviation.response_deadline, sa.String) + f" {hours:02d}:00:00"
    return sa.type_coerce(Deviation.closed_at, sa.String) < day_end


# --- the queries ---------------------------------------------------------------------------------
#
# SQLite does a GROUP BY by sorting every row it reads, about a microsecond a row, and a cube over
# the tertial's ~130,000 rows also reads each 1 KB table row. Counting the entries of one index
# range is some 30 times cheaper. So most figures are counted per known group: the groups come
# from small tables (categories, hospital units), from the enums (direction, harm), or from a
# loose index scan (the organisation names as filed), and each count is a correlated
# ``count(*)`` over a range of a covering index whose leading columns are the group's key
# (migration 5d1f0c3b7a92). The scope's two organisation ids are the last columns of those
# indexes, so a handler's scope filters inside the index too. Only the figures that need each
# row's own values (handling time, status from the history) still read rows, and then only the
# rows that need it, from covering indexes.


def _count(*conditions: ColumnElement[bool]) -> ColumnElement[int]:
    return sa.select(sa.func.count()).where(*conditions).scalar_subquery()


def _registered_in(tertial: Tertial) -> ColumnElement[bool]:
    return sa.and_(
        Deviation.registered_at >= tertial.start_utc, Deviation.registered_at < tertial.end_utc
    )


@dataclass(frozen=True)
class Queries:
    """The statements the page needs; the benchmark times them bare, too."""

    kinds: sa.Select  # direction × category × harm: a count per trend tertial
    units: sa.Select  # hospital unit: cases from it (sykehus→kommune), to it (kommune→sykehus)
    reporters: sa.Select  # reporter organisation name as filed: count
    counterparts: sa.Select  # counterpart organisation name as filed: count
    closed_by_end: sa.Select  # one column per closed status: closed before the end
    # Status at the end (from the history), overdue and "of this tertial", of every case
    # registered before the end with no closing time ...
    unclosed: sa.Select
    closed_later: sa.Select  # ... or closed after the end
    handling: sa.Select


def _names(column: sa.orm.InstrumentedAttribute[str], tertial: Tertial, scope: Scope) -> sa.Select:
    """Each distinct value of ``column`` with its count in the tertial.

    The distinct values come from a loose index scan (one index seek per value, a recursive
    CTE), not from reading every row; their counts from index ranges.
    """
    names = sa.select(sa.func.min(column).label("name")).cte(f"{column.key}s", recursive=True)
    names = names.union_all(
        sa.select(sa.select(sa.func.min(column)).where(column > names.c.name).scalar_subquery())
        .where(names.c.name.is_not(None))
    )
    return sa.select(
        names.c.name, _count(column == names.c.name, _registered_in(tertial), scope.filter())
    ).where(names.c.name.is_not(None))


def build_queries(tertial: Tertial, scope: Scope) -> Queries:
    end = tertial.end_utc
    window = tertial.last(TREND_LENGTH)
    in_tertial = _registered_in(tertial)
    in_scope = scope.filter()

    # Every (direction, harm) pair as a tiny literal table, crossed with the categories.
    pairs = sa.union_all(
        *(
            sa.select(
                sa.literal(d.value, sa.String).label("direction"),
                sa.literal(h.value, sa.String).label("harm"),
            )
            for d in Direction
            for h in Harm
        )
    ).cte("pairs")
    kinds = sa.select(
        pairs.c.direction,
        Category.id,
        pairs.c.harm,
        *(
            _count(
                Deviation.direction == pairs.c.direction,
                Deviation.category_id == Category.id,
                Deviation.harm == pairs.c.harm,
                _registered_in(w),
                in_scope,
            )
            for w in window
        ),
    ).select_from(pairs.join(Category, sa.true()))

    units = (
        sa.select(
            Unit.id,
            _count(
                Deviation.reporter_unit_id == Unit.id,
                Deviation.direction == Direction.SYKEHUS_KOMMUNE,
                in_tertial,
                in_scope,
            ),
            _count(
                Deviation.counterpart_unit_id == Unit.id,
                Deviation.direction == Direction.KOMMUNE_SYKEHUS,
                in_tertial,
                in_scope,
            ),
        )
        .join(Organisation, Unit.organisation_id == Organisation.id)
        .where(Organisation.kind == OrgKind.SYKEHUS)
    )

    # Status at the end. Closed before the end: the status it has now (what status_at says for
    # them, imported or not), counted per closed status from an index range...
    closed_by_end = sa.select(
        *(
            _count(Deviation.status == status, in_tertial, Deviation.closed_at < end, in_scope)
            for status in sorted(CLOSED_STATUSES)
        )
    )
    # ... and the rest of the cohort through the whole rule, history included. An open case has
    # no closing time (a reopen clears it, and the import refuses one), so the rest of the cohort
    # is its cases with no closing time or closed after the end. Those are also the tertial's part
    # of the backlog (open at the end), which takes in older cases the same way: so two statements,
    # each one range of the covering ix_deviation_closed, read every case registered before the end
    # with no closing time or closed after it, once, grouped by status at the end, overdue and
    # whether it is of this tertial.
    status_end = status_at(end).label("status_end")
    overdue = sa.case((Deviation.response_deadline <= tertial.end, 1), else_=0).label("overdue")
    of_tertial = sa.case((Deviation.registered_at >= tertial.start_utc, 1), else_=0).label(
        "of_tertial"
    )

    def open_at_end(closed: ColumnElement[bool]) -> sa.Select:
        return (
            sa.select(status_end, overdue, of_tertial, sa.func.count())
            .where(closed, unindexed(Deviation.registered_at) < end, in_scope)
            .group_by(status_end, overdue, of_tertial)
        )

    # Handling days per case closed in the tertial, listed in one pass as text, and how many were
    # answered in time. A GROUP BY would make SQLite sort every closed case (a third of the page's
    # time at a million rows); handling_days() counts the list.
    days = _whole_days()
    # string_agg wants text; SQLite's group_concat takes the integer as it is (a CAST costs 10 ms).
    days_text = sa.cast(days, sa.String) if _dialect() == "postgresql" else sa.type_coerce(days, sa.String)
    handling = sa.select(
        sa.func.aggregate_strings(days_text, ","),
        sa.func.sum(sa.case((_within_deadline(), 1), else_=0)),
    ).where(Deviation.closed_at >= tertial.start_utc, Deviation.closed_at < end, in_scope)
    return Queries(
        kinds=kinds,
        units=units,
        reporters=_names(Deviation.reporter_org_name, tertial, scope),
        counterparts=_names(Deviation.counterpart_org_name, tertial, scope),
        closed_by_end=closed_by_end,
        unclosed=open_at_end(Deviation.closed_at.is_(None)),
        closed_later=open_at_end(Deviation.closed_at >= end),
        handling=handling,
    )


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


def _nonzero(counts: Mapping[_K, int]) -> dict[_K, int]:
    return {k: v for k, v in counts.items() if v}


def handling_days(listed: str | None) -> Counter[int]:
    """Cases per whole day of handling, from Queries.handling's list ("3,0,12,3")."""
    # Counted as text first: ~170 distinct values to convert instead of ~120,000.
    return Counter({int(d): n for d, n in Counter((listed or "").split(",")).items() if d})


def load_input(
    tertial: Tertial, scope: Scope, analyses: Sequence[AnalysisRecord] = ()
) -> TertialInput:
    queries = build_queries(tertial, scope)
    active_categories, category_names = _categories()
    clinics = _clinics()
    window = tertial.last(TREND_LENGTH)
    current = len(window) - 1

    # Direction, category and harm from the one table of counts; this tertial is its last column.
    trend: Counter[tuple[Tertial, str]] = Counter()
    by_direction: Counter[str] = Counter()
    by_category: Counter[str] = Counter()
    by_harm: Counter[str] = Counter()
    for direction, category_id, harm, *counts in db.session.execute(queries.kinds):
        name = category_names[category_id]
        for w, count in zip(window, counts, strict=True):
            trend[(w, name)] += count
        by_direction[direction] += counts[current]
        by_category[name] += counts[current]
        by_harm[harm] += counts[current]

    # Cases to or from the hospital without a (hospital) unit are "unit not given".
    by_unit: Counter[str] = Counter()
    for unit_id, from_unit, to_unit in db.session.execute(queries.units):
        by_unit[clinics[unit_id]] += from_unit + to_unit
    hospital_cases = (
        by_direction[Direction.SYKEHUS_KOMMUNE.value] + by_direction[Direction.KOMMUNE_SYKEHUS.value]
    )
    by_unit[report_labels.UNKNOWN_UNIT] += hospital_cases - sum(by_unit.values())

    by_reporter = {name: count for name, count in db.session.execute(queries.reporters)}
    by_counterpart = {name: count for name, count in db.session.execute(queries.counterparts)}

    closed = db.session.execute(queries.closed_by_end).one()
    status_end: Counter[str] = Counter(dict(zip(sorted(CLOSED_STATUSES), closed, strict=True)))
    open_at_end = overdue_at_end = 0
    for query in (queries.unclosed, queries.closed_later):
        for status, overdue, of_tertial, count in db.session.execute(query):
            if of_tertial:
                status_end[status] += count
            if status in report_labels.OPEN_STATUSES:
                open_at_end += count
                overdue_at_end += count if overdue else 0

    listed, within = db.session.execute(queries.handling).one()
    handling = handling_days(listed)

    # Every configured category shows, even with no case; inactive ones only when they have cases.
    shown = active_categories + [
        n for n in category_names.values() if n not in active_categories and by_category.get(n)
    ]
    return TertialInput(
        tertial=tertial,
        scope=scope.name,
        categories=shown,
        trend=_nonzero(trend),
        by_direction=_nonzero(by_direction),
        by_reporter_org=_nonzero(by_reporter),
        by_counterpart_org=_nonzero(by_counterpart),
        by_hospital_unit=_nonzero(by_unit),
        by_category=_nonzero(by_category),
        by_harm=_nonzero(by_harm),
        status_at_end=_nonzero(status_end),
        handling_days=dict(handling),
        answered_within_deadline=within or 0,
        open_at_end=open_at_end,
        overdue_at_end=overdue_at_end,
        analyses=list(analyses),
    )


def analyses_for(tertial: Tertial, scope: Scope) -> list[AnalysisRecord]:
    """Incident analyses as plain records, from the analysis module's own query."""
    from app.analysis.services import tertial_records

    return tertial_records(tertial.end, scope.organisation_id)


def tertial_summary(tertial: Tertial, scope: Scope, language: Language = NORWEGIAN) -> TertialSummary:
    return summarise(load_input(tertial, scope, analyses_for(tertial, scope)), language)


def data_stamp(scope: Scope) -> datetime | None:
    """The newest registration or closing in the data: the report's date, so the same data
    gives the same PDF bytes (never the clock)."""
    # One max() per statement: SQLite answers each from its index's last entry, but two
    # aggregates in one SELECT make it read the whole table.
    newest = db.session.execute(
        sa.select(
            sa.select(sa.func.max(Deviation.registered_at)).where(scope.clause()).scalar_subquery(),
            sa.select(sa.func.max(Deviation.closed_at)).where(scope.clause()).scalar_subquery(),
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


def export_rows(tertial: Tertial, scope: Scope) -> Iterator[list[object]]:
    """One list per deviation registered in the tertial, in EXPORT_COLUMNS order, streamed."""
    from app.common.dates import local

    _, category_names = _categories()
    units = unit_paths(db.session.execute(sa.select(Unit.id, Unit.parent_id, Unit.name)))
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
