"""Searching the deviations a user may see: the search page and the inbox's search box (the
similar cases on a deviation's page and the filing form's category are in similar.py).

Access is ``permissions.visible(user, Deviation)`` (the inbox: ``counterpart_org_id``), the same SQL
condition the lists and the deviation page use, applied to every row the search returns.

Results come newest first by id, which is the order deviations were entered (ids are given at
filing; imported history gets ids when it is imported). That order lets each database stop at a
page's worth of hits instead of sorting them all:
- SQLite: FTS5 hands out matches in rowid (= deviation id) order, newest first, and each is
  checked against access and filters until a page is full. A user who sees only their own cases
  is searched the other way round: their cases, newest first, each looked up in the index.
- PostgreSQL: rare words are read from the GIN index, common ones by walking the newest
  cases (see _postgresql_query).
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from app.common import permissions
from app.common.ids import parse_id
from app.common.names import name_column
from app.common.sql import unindexed
from app.extensions import db
from app.models import (
    Category,
    Deviation,
    DeviationSearch,
    Direction,
    Harm,
    Organisation,
    Status,
    User,
)
from app.models.deviation import HasDeadline
from app.models.search import FTS_TABLE
from app.search.index import NORWEGIAN
from app.search.text import query_stems, query_words
from reports.timezone import OSLO

REFERENCE = re.compile(r"^\s*(AV-\d{4}-\d{1,6})\s*$", re.IGNORECASE)
MAX_WORDS = 8

_fts = sa.table(FTS_TABLE, sa.column("rowid", sa.Integer), sa.column(FTS_TABLE))


@dataclass(frozen=True)
class SearchFilter:
    text: str = ""
    # The stored statuses picked (one, or the several a reporter's status stands for).
    status: frozenset[Status] | None = None
    category_id: int | None = None
    # The inbox: only what was sent to the user's organisation.
    received_only: bool = False
    # The list behind a count on the statistics page (issue 22): without words, every case the
    # user may see that these pick out, newest first.
    registered_from: date | None = None  # Norwegian days, both ends included
    registered_to: date | None = None
    direction: Direction | None = None
    harm: Harm | None = None
    organisation_id: int | None = None  # sent or received by (a handler's statistics scope)
    reporter_org: str | None = None  # the organisation names as filed, as the statistics count
    counterpart_org: str | None = None

    @property
    def picks(self) -> bool:
        """Whether the filters alone pick out a list (the statistics' links), without words."""
        return any(
            v is not None
            for v in (
                self.registered_from,
                self.registered_to,
                self.direction,
                self.harm,
                self.organisation_id,
                self.reporter_org,
                self.counterpart_org,
            )
        )


@dataclass(frozen=True, slots=True)
class SearchRow(HasDeadline):
    id: int
    reference: str
    registered_at: datetime
    title: str
    reporter_org_name: str
    counterpart_org_name: str
    category: str
    status: Status
    response_deadline: date
    harm: Harm | None = None  # for the serious-event mark


@dataclass(frozen=True)
class SearchPage:
    items: list[SearchRow]
    next_cursor: str | None
    # True when the text held no word to search for (empty, or only words such as "og").
    no_words: bool = False


def reference_in(text: str) -> str | None:
    """The reference number when the whole query is one (AV-2026-00042)."""
    found = REFERENCE.match(text or "")
    return found.group(1).upper() if found else None


def encode_cursor(ident: int) -> str:
    return base64.urlsafe_b64encode(f"s|{ident}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int | None:
    """None for anything malformed: a bad link starts from the top instead of failing."""
    if not cursor:
        return None
    try:
        tag, ident = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode().split("|")
        return parse_id(ident) if tag == "s" else None
    except (ValueError, UnicodeDecodeError):
        return None


def _is_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _matching(text: str, any_word: bool = False) -> tuple[ColumnElement[bool], bool] | None:
    """The full-text condition for ``text``, and whether it is driven from the FTS5 table
    (SQLite). None when the text holds no word to search for."""
    if _is_postgresql():
        words = query_words(text, MAX_WORDS)
        if not words:
            return None
        # Words are letters and digits only (text.WORD), so they are safe in to_tsquery.
        query = sa.func.to_tsquery(NORWEGIAN, (" | " if any_word else " & ").join(words))
        return DeviationSearch.document.op("@@")(query), False
    found = query_stems(text, MAX_WORDS)
    if not found:
        return None
    # Each stem quoted: FTS5's query syntax never sees the user's text.
    query = (" OR " if any_word else " AND ").join(f'"{s}"' for s in found)
    return _fts.c[FTS_TABLE].op("MATCH")(query), True


def _columns():
    return (
        Deviation.id,
        Deviation.reference,
        Deviation.registered_at,
        Deviation.title,
        Deviation.reporter_org_name,
        Deviation.counterpart_org_name,
        name_column(Category).label("category"),
        Deviation.status,
        Deviation.response_deadline,
        Deviation.harm,
    )


def indexed_search(
    user: User,
    text: str,
    conditions: list[ColumnElement[bool]],
    limit: int,
    *,
    any_word: bool = False,
    own_only: bool = False,
    extra_columns: tuple = (),
    before_id: int | None = None,
    after_id: int | None = None,
    scan: int | None = None,
) -> list[sa.Row] | None:
    """Rows matching ``text`` and ``conditions``, newest first, at most ``limit``.

    ``before_id``: only cases entered before that one, the index read from there down rather
    than from the newest case; ``after_id``: only cases entered after that one. ``scan``: at
    most that many of the index's matches are checked against ``conditions`` (SQLite), so the
    work has a bound whatever the conditions keep.
    """
    matching = _matching(text, any_word)
    if matching is None:
        return None
    condition, fts = matching
    columns = (*_columns(), *extra_columns)
    if before_id is not None:
        conditions = [*conditions, Deviation.id < before_id]
    if after_id is not None:
        conditions = [*conditions, Deviation.id > after_id]
    if not fts:
        query = _postgresql_query(columns, condition, conditions)
    elif own_only:
        # Few rows: the user's own cases, each looked up in the index (unindexed() keeps SQLite
        # from walking the whole table in id order instead of the reporter index).
        probe = (
            sa.select(sa.literal(1))
            .select_from(_fts)
            .where(condition, _fts.c.rowid == Deviation.id)
        )
        query = (
            sa.select(*columns)
            .select_from(Deviation)
            .where(sa.exists(probe), *conditions)
            .order_by(unindexed(Deviation.id).desc())
        )
    elif scan is not None:
        # The newest ``scan`` matches below ``before_id``, taken from the index alone (FTS5
        # seeks to a rowid bound and walks down), then checked against the conditions.
        bound = [] if before_id is None else [_fts.c.rowid < before_id]
        if after_id is not None:
            bound.append(_fts.c.rowid > after_id)
        candidates = (
            sa.select(_fts.c.rowid.label("id"))
            .where(condition, *bound)
            .order_by(_fts.c.rowid.desc())
            .limit(scan)
            .subquery("candidates")
        )
        query = (
            sa.select(*columns)
            .select_from(candidates)
            .join(Deviation, Deviation.id == candidates.c.id)
            .where(*conditions)
            .order_by(candidates.c.id.desc())
        )
    else:
        query = (
            sa.select(*columns)
            .select_from(_fts)
            .join(Deviation, Deviation.id == _fts.c.rowid)
            .where(condition, *conditions)
            .order_by(_fts.c.rowid.desc())
        )
    query = query.join(Category, Category.id == Deviation.category_id).limit(limit)
    return list(db.session.execute(query))


# Fewer matches than this in the whole table and the words count as rare (PostgreSQL).
RARE = 500


def _postgresql_query(
    columns: tuple, condition: ColumnElement[bool], conditions: list[ColumnElement[bool]]
) -> sa.Select:
    """Newest first on PostgreSQL, from the GIN index or by walking the newest cases.

    The planner chooses between the two by how common it guesses the words are, and guesses
    badly for words that are rare (a word in no case: 0.6-1.6 s at a million rows, walking them
    all) and for common words that nearly always come together (it multiplies their
    frequencies, then reads 20,000 matches through the index). So the index is asked first how
    many cases match, stopping at RARE (0.1-6 ms): rare words take every match from the index
    (materialized, so the planner cannot turn it into a walk); common ones walk the newest cases
    with the condition written so that no index can serve it (``IS true``).
    """
    sample = sa.select(sa.literal(1)).select_from(DeviationSearch).where(condition).limit(RARE)
    found = db.session.scalar(sa.select(sa.func.count()).select_from(sample.subquery()))
    query = sa.select(*columns).select_from(Deviation)
    if found < RARE:
        matches = (
            sa.select(DeviationSearch.deviation_id)
            .where(condition)
            .cte("matches")
            .prefix_with("MATERIALIZED")
        )
        query = query.join(matches, matches.c.deviation_id == Deviation.id)
    else:
        query = query.join(DeviationSearch, DeviationSearch.deviation_id == Deviation.id).where(
            condition.is_(True)
        )
    return query.where(*conditions).order_by(Deviation.id.desc())


def to_row(row: sa.Row) -> SearchRow:
    return SearchRow(*row[:10])


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), OSLO).astimezone(UTC)


def _conditions(user: User, filters: SearchFilter, cursor: str | None) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.received_only:
        conditions.append(Deviation.counterpart_org_id == user.organisation_id)
    else:
        conditions.append(permissions.visible(user, Deviation))
    if filters.status is not None:
        conditions.append(Deviation.status.in_(sorted(filters.status)))
    if filters.category_id is not None:
        conditions.append(Deviation.category_id == filters.category_id)
    if filters.registered_from is not None:
        conditions.append(Deviation.registered_at >= _local_midnight(filters.registered_from))
    if filters.registered_to is not None:
        end = _local_midnight(filters.registered_to + timedelta(days=1))
        conditions.append(Deviation.registered_at < end)
    if filters.direction is not None:
        conditions.append(Deviation.direction == filters.direction)
    if filters.harm is not None:
        conditions.append(Deviation.harm == filters.harm)
    if filters.organisation_id is not None:
        conditions.append(
            sa.or_(
                Deviation.reporter_org_id == filters.organisation_id,
                Deviation.counterpart_org_id == filters.organisation_id,
            )
        )
    if filters.reporter_org is not None:
        conditions.append(Deviation.reporter_org_name == filters.reporter_org)
    if filters.counterpart_org is not None:
        conditions.append(Deviation.counterpart_org_name == filters.counterpart_org)
    after = decode_cursor(cursor)
    if after is not None:
        conditions.append(Deviation.id < after)
    return conditions


def organisation_name(organisation_id: int | None) -> str | None:
    if organisation_id is None:
        return None
    return db.session.scalar(sa.select(Organisation.name).where(Organisation.id == organisation_id))


def listing(
    user: User, filters: SearchFilter, cursor: str | None = None, page_size: int = 25
) -> SearchPage:
    """A page of the deviations ``user`` may see that the filters pick out, newest first: the
    cases behind a count on the statistics page. The same access condition as the search, so
    the list never holds a case the user could not open."""
    query = (
        sa.select(*_columns())
        .select_from(Deviation)
        .join(Category, Category.id == Deviation.category_id)
        .where(*_conditions(user, filters, cursor))
        .order_by(Deviation.id.desc())
        .limit(page_size + 1)
    )
    items = [to_row(r) for r in db.session.execute(query)]
    next_cursor = encode_cursor(items[page_size - 1].id) if len(items) > page_size else None
    return SearchPage(items[:page_size], next_cursor)


def search(
    user: User, filters: SearchFilter, cursor: str | None = None, page_size: int = 25
) -> SearchPage:
    """A page of the deviations ``user`` may see that hold every word of the query."""
    conditions = _conditions(user, filters, cursor)
    own_only = not filters.received_only and not permissions.can(user, "open", permissions.INBOX)
    rows = indexed_search(user, filters.text, conditions, page_size + 1, own_only=own_only)
    if rows is None:
        return SearchPage([], None, no_words=True)
    items = [to_row(r) for r in rows]
    next_cursor = encode_cursor(items[page_size - 1].id) if len(items) > page_size else None
    return SearchPage(items[:page_size], next_cursor)
