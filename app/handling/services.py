"""The receiving organisation's inbox (mottak), and what opening a case writes. The thread is
in thread.py, the deadline reminders in reminders.py."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from app.common.ids import parse_id
from app.common.names import all_unit_paths, name_column
from app.common.sql import unindexed
from app.extensions import db
from app.handling import reading, workflow
from app.handling.moves import Move
from app.models import (
    OPEN_STATUSES,
    Category,
    Deviation,
    Harm,
    HistoryLine,
    Status,
    User,
    utcnow,
)
from app.models.deviation import SERIOUS_HARMS, HasDeadline

# Sort orders of the inbox: newest first (default) or the nearest deadline first, so the
# overdue cases come on top and closed ones last.
SORT_NEWEST = "nyeste"
SORT_DEADLINE = "frist"
# The harm filter's value for both serious harms (Alvorlig and Død) at once.
HARM_SERIOUS = "alvorlige"
# The open serious events above the inbox's first page; more are one link away (the filter).
SERIOUS_FIRST_LIMIT = 25


@dataclass(frozen=True)
class InboxFilter:
    status: Status | None = None
    category_id: int | None = None
    sort: str = SORT_NEWEST
    harm: str | None = None  # a Harm value, or HARM_SERIOUS

    def harm_values(self) -> list[str] | None:
        if self.harm == HARM_SERIOUS:
            return sorted(h.value for h in SERIOUS_HARMS)
        return [self.harm] if self.harm else None

    @property
    def narrowed(self) -> bool:
        return bool(self.status or self.category_id or self.harm)


@dataclass(frozen=True, slots=True)
class InboxRow(HasDeadline):
    """One line of the inbox: plain values, units as "Klinikk › Avdeling"."""

    id: int
    reference: str
    registered_at: datetime
    title: str
    reporter_org_name: str
    reporter_unit: str | None  # "Klinikk › Avdeling"
    category: str
    status: Status
    forwarded_unit: str | None
    response_deadline: date
    counterpart_org_name: str = ""  # for the sent side (the API's box=sent)
    harm: Harm | None = None  # for the serious-event mark


@dataclass(frozen=True)
class InboxPage:
    items: list[InboxRow]
    next_cursor: str | None


def _list_columns() -> tuple[sa.ColumnElement, ...]:
    """The columns an inbox list shows, not whole cases: a page reads 26 rows of a wide table.
    The category's name is the reader's language's, so it is chosen per request."""
    return (*_LIST_COLUMNS, name_column(Category).label("category"))


_LIST_COLUMNS = (
    Deviation.id,
    Deviation.reference,
    Deviation.registered_at,
    Deviation.title,
    Deviation.reporter_org_name,
    Deviation.reporter_unit_id,
    Deviation.status,
    Deviation.forwarded_unit_id,
    Deviation.response_deadline,
    Deviation.counterpart_org_name,
    Deviation.harm,
)


def encode_cursor(deviation: Deviation | InboxRow, sort: str = SORT_NEWEST) -> str:
    if sort == SORT_DEADLINE:
        raw = (
            f"f|{int(deviation.is_closed)}|{deviation.response_deadline.isoformat()}|{deviation.id}"
        )
    else:
        raw = f"{deviation.registered_at.astimezone(UTC).isoformat()}|{deviation.id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _b64(cursor: str) -> str:
    return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()


def decode_cursor(cursor: str) -> tuple[datetime, int] | None:
    """None for anything malformed: a bad link starts from the top instead of failing."""
    try:
        at, ident = _b64(cursor).split("|")
        parsed = datetime.fromisoformat(at)
        number = parse_id(ident)
        if parsed.tzinfo is None or number is None:
            return None
        return parsed, number
    except (ValueError, UnicodeDecodeError):
        return None


def decode_deadline_cursor(cursor: str) -> tuple[int, date, int] | None:
    try:
        tag, closed, deadline, ident = _b64(cursor).split("|")
        number = parse_id(ident)
        if tag != "f" or closed not in ("0", "1") or number is None:
            return None
        return int(closed), date.fromisoformat(deadline), number
    except (ValueError, UnicodeDecodeError):
        return None


def inbox_page(
    user: User,
    filters: InboxFilter,
    cursor: str | None = None,
    page_size: int = 25,
    *,
    sent: bool = False,
) -> InboxPage:
    """Keyset-paginated: each page costs the same at row 1 and at row 1,000,000.

    ``sent``: what the user's organisation sent instead of what it received (the API lists
    both), newest first over ix_deviation_reporter_org.
    """
    mine = Deviation.reporter_org_id if sent else Deviation.counterpart_org_id
    query = (
        sa.select(*_list_columns())
        .join(Category, Category.id == Deviation.category_id)
        .where(mine == user.organisation_id)
        .limit(page_size + 1)
    )
    if filters.status is not None:
        query = query.where(Deviation.status == filters.status)
    if filters.category_id is not None:
        query = query.where(Deviation.category_id == filters.category_id)
    harms = filters.harm_values()
    if harms is not None:
        query = query.where(Deviation.harm.in_(harms))
    if filters.sort == SORT_DEADLINE:
        closed = sa.case((Deviation.status.in_(_closed_values()), 1), else_=0)
        query = query.order_by(closed, Deviation.response_deadline, Deviation.id)
        deadline_position = decode_deadline_cursor(cursor) if cursor else None
        if deadline_position is not None:
            was_closed, deadline, ident = deadline_position
            query = query.where(
                sa.tuple_(closed, Deviation.response_deadline, Deviation.id)
                > sa.tuple_(
                    sa.literal(was_closed),
                    sa.literal(deadline, Deviation.response_deadline.type),
                    sa.literal(ident),
                )
            )
    else:
        query = query.order_by(Deviation.registered_at.desc(), Deviation.id.desc())
        position = decode_cursor(cursor) if cursor else None
        # An explicit range on registered_at, implied by the keyset condition or true of every
        # row, makes the (organisation, registered_at) index the plain choice for SQLite's planner
        # even without ANALYZE statistics: otherwise it may take another index on the
        # organisation and sort all of its cases, 1 s at a million rows instead of 1 ms.
        upper = position[0] if position is not None else utcnow() + timedelta(days=1)
        query = query.where(
            Deviation.registered_at <= sa.literal(upper, Deviation.registered_at.type)
        )
        if position is not None:
            at, ident = position
            query = query.where(
                sa.tuple_(Deviation.registered_at, Deviation.id)
                < sa.tuple_(sa.literal(at, Deviation.registered_at.type), sa.literal(ident))
            )
    found = db.session.execute(query).all()
    rows = _inbox_rows(found)
    next_cursor = (
        encode_cursor(rows[page_size - 1], filters.sort) if len(rows) > page_size else None
    )
    return InboxPage(rows[:page_size], next_cursor)


def _inbox_rows(found: list[sa.Row]) -> list[InboxRow]:
    unit_path = _unit_paths_of(found).get
    return [
        InboxRow(
            id=row.id,
            reference=row.reference,
            registered_at=row.registered_at,
            title=row.title,
            reporter_org_name=row.reporter_org_name,
            reporter_unit=unit_path(row.reporter_unit_id) if row.reporter_unit_id else None,
            category=row.category,
            status=row.status,
            forwarded_unit=unit_path(row.forwarded_unit_id) if row.forwarded_unit_id else None,
            response_deadline=row.response_deadline,
            counterpart_org_name=row.counterpart_org_name,
            harm=row.harm,
        )
        for row in found
    ]


def open_serious_first(user: User, limit: int = SERIOUS_FIRST_LIMIT) -> InboxPage:
    """The open serious events sent to the user's organisation, nearest deadline first: the
    inbox shows them above its first page.

    The page's ids come from ix_deviation_inbox_harm alone (it holds the deadline and the id:
    only the open serious cases' entries are read and sorted, no table row), then the rows of
    those few ids are read. Ordered by the column itself, SQLite's planner (no ANALYZE) walked
    all of the organisation's cases by deadline instead: 50 ms at 300,000 rows.
    """
    first = (
        sa.select(Deviation.id)
        .where(
            Deviation.counterpart_org_id == user.organisation_id,
            Deviation.harm.in_(sorted(h.value for h in SERIOUS_HARMS)),
            Deviation.status.in_(open_values()),
        )
        .order_by(unindexed(Deviation.response_deadline), Deviation.id)
        .limit(limit + 1)
    )
    query = (
        sa.select(*_list_columns())
        .join(Category, Category.id == Deviation.category_id)
        .where(Deviation.id.in_(list(db.session.scalars(first))))
        .order_by(Deviation.response_deadline, Deviation.id)
    )
    rows = _inbox_rows(db.session.execute(query).all())
    # No cursor: the inbox links to its harm filter for the rest.
    return InboxPage(rows[:limit], HARM_SERIOUS if len(rows) > limit else None)


def _unit_paths_of(rows: list[sa.Row]) -> dict[int, str]:
    """The paths of the units a page shows; a path needs the unit's parents, so the whole
    (small) unit table is read once for the page."""
    if not any(row.reporter_unit_id or row.forwarded_unit_id for row in rows):
        return {}
    return all_unit_paths()


def _closed_values() -> list[str]:
    return [s.value for s in Status if s not in OPEN_STATUSES]


def open_values() -> list[str]:
    return sorted(s.value for s in OPEN_STATUSES)


@dataclass(frozen=True)
class InboxCounts:
    open: int
    overdue: int
    cap: int

    def shown(self, value: int) -> str:
        return f"{self.cap - 1}+" if value >= self.cap else str(value)


def inbox_counts(organisation_id: int, today: date, cap: int) -> InboxCounts:
    """Two counts over ix_deviation_open_deadline, read from the index without touching a row,
    each stopping at ``cap``.

    The overdue count is its own index range (deadline < today) instead of a FILTER over every
    open case: a FILTER on a column outside the index read each of their rows.
    """
    mine_open = sa.and_(
        Deviation.counterpart_org_id == organisation_id,
        Deviation.status.in_(open_values()),
    )
    row = db.session.execute(
        sa.select(
            _capped_count(cap, mine_open),
            _capped_count(cap, mine_open, Deviation.response_deadline < today),
        )
    ).one()
    return InboxCounts(open=row[0], overdue=row[1], cap=cap)


def _capped_count(cap: int, *conditions: sa.ColumnElement[bool]) -> sa.ScalarSelect:
    matching = sa.select(sa.literal(1)).select_from(Deviation).where(*conditions).limit(cap)
    return sa.select(sa.func.count()).select_from(matching.subquery()).scalar_subquery()


@dataclass(frozen=True)
class Opening:
    """What a visit to the case's page will write: the acknowledgement of a new case by the
    first handler to open it, and how far the visitor has now read the thread."""

    acknowledge: bool
    read_to: int | None

    def __bool__(self) -> bool:
        return self.acknowledge or self.read_to is not None


def opening(user: User, deviation: Deviation) -> Opening:
    """Read only, so that a visit that changes nothing takes no write lock."""
    acknowledge = Move.ACKNOWLEDGE in workflow.allowed_moves(deviation, user)
    newest = reading.newest_readable(user, deviation)
    read_to = None
    if newest is not None:
        seen = reading.last_read(user, deviation)
        read_to = newest if seen is None or seen < newest else None
    return Opening(acknowledge, read_to)


def open_case(user: User, deviation: Deviation, due: Opening) -> bool:
    """Write what ``opening`` found due. Acknowledging goes through the workflow (its history
    row says it was done by opening the case); the caller's write block rolls everything back
    if a colleague acknowledged it first. Returns whether this visit acknowledged it."""
    if due.read_to is not None:
        reading.mark_read(user, deviation, due.read_to)
    if due.acknowledge and Move.ACKNOWLEDGE in workflow.allowed_moves(deviation, user):
        workflow.transition(deviation, Move.ACKNOWLEDGE, user, line=HistoryLine.OPENED)
        return True
    return False
