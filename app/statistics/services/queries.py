"""The statistics' SQL: a deviation's status at an instant, and the statements that count a tertial.

Every count comes from the database; Python only relabels and rolls up the grouped rows
(app/statistics/services.py), so a tertial of 80,000 deviations costs a handful of index scans,
never 80,000 ORM objects.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from app.common.sql import unindexed
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
    SeriousNotice,
    Status,
    Unit,
)
from app.models.deviation import SERIOUS_HARMS
from app.statistics.services.scope import Scope
from reports import Tertial
from reports.summary import DEADLINE_DAY_END, TREND_LENGTH

# --- SQL expressions -----------------------------------------------------------------------------


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def status_at(instant: datetime) -> ColumnElement[str]:
    """A deviation's status at ``instant`` (exclusive), as in reports.frames.status_as_of.

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
                (
                    sa.and_(
                        closed, Deviation.closed_at.is_not(None), Deviation.closed_at >= instant
                    ),
                    sendt,
                ),
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


def serious_notices(tertial: Tertial, scope: Scope) -> sa.Select:
    """(notifiable, count) of the serious events registered in the tertial whose notice to
    Statens helsetilsyn is recorded. Driven from serious_notice, a table of few rows; the
    serious events themselves are the harm figure's Alvorlig and Død."""
    return (
        sa.select(SeriousNotice.notifiable, sa.func.count())
        .join(Deviation, Deviation.id == SeriousNotice.deviation_id)
        .where(_registered_in(tertial), scope.clause(), Deviation.harm.in_(_SERIOUS))
        .group_by(SeriousNotice.notifiable)
    )


_SERIOUS = sorted(h.value for h in SERIOUS_HARMS)


def _names(column: sa.orm.InstrumentedAttribute[str], tertial: Tertial, scope: Scope) -> sa.Select:
    """Each distinct value of ``column`` with its count in the tertial.

    The distinct values come from a loose index scan (one index seek per value, a recursive
    CTE), not from reading every row; their counts from index ranges.
    """
    names = sa.select(sa.func.min(column).label("name")).cte(f"{column.key}s", recursive=True)
    names = names.union_all(
        sa.select(
            sa.select(sa.func.min(column)).where(column > names.c.name).scalar_subquery()
        ).where(names.c.name.is_not(None))
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
    days_text = (
        sa.cast(days, sa.String) if _dialect() == "postgresql" else sa.type_coerce(days, sa.String)
    )
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


# --- the small tables the figures are labelled from ---------------------------------------------


def load_categories(language: str = "nb") -> tuple[list[str], dict[int, str]]:
    """The active categories' names in order, and every category's name by id, in ``language``
    (the CSV and spreadsheet exports keep the Norwegian: the importer reads them back)."""
    rows = db.session.execute(
        sa.select(Category.id, Category.name_column(language), Category.active).order_by(
            Category.position, Category.name
        )
    ).all()
    return [name for _, name, active in rows if active], {i: name for i, name, _ in rows}


def load_clinics(language: str = "nb") -> dict[int, str]:
    """Each hospital unit's top-level unit (the klinikk), named in ``language``: statistics are
    by clinic."""
    rows = db.session.execute(
        sa.select(Unit.id, Unit.parent_id, Unit.name_column(language))
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
