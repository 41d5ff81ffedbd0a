"""A handler's start page: the receiving organisation's open cases in queues, each a count and
a short list, serious events (harm alvorlig or død) first in each.

Every queue is a condition on the columns of ix_deviation_open_queue (or ix_deviation_handler,
ix_deviation_reporter_waiting), so a count stops at ``cap`` index entries and a list reads the
few rows it shows: the page costs the same at a thousand cases and at a million. The queues
overlap on purpose (a case overdue and nobody's is in both): each answers its own question.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from app.common import permissions
from app.common.names import name_column
from app.extensions import db
from app.handling.reading import unread_ids
from app.models import OPEN_STATUSES, Category, Deviation, Harm, Status, User
from app.models.deviation import OPEN_SQL, HasDeadline

SERIOUS = (Harm.ALVORLIG, Harm.DOD)


class Queue(StrEnum):
    """The values are the page's anchors and the queue page's address."""

    NEW = "nye"
    REPORTER_ANSWERED = "svar-fra-melder"
    DUE_TODAY = "frist-i-dag"
    DUE_THIS_WEEK = "frist-denne-uka"
    OVERDUE = "over-fristen"
    MINE = "mine"
    NOT_TAKEN = "ikke-tatt"


@dataclass(frozen=True)
class QueueLabel:
    name: LazyString
    explained: LazyString
    empty: LazyString


LABELS: dict[Queue, QueueLabel] = {
    Queue.NEW: QueueLabel(
        _l("Nye – ikke åpnet"),
        _l("Ingen saksbehandler har åpnet avviket ennå. Den som åpner det, bekrefter mottaket."),
        _l("Ingen nye avvik."),
    ),
    Queue.REPORTER_ANSWERED: QueueLabel(
        _l("Svar fra melder"),
        _l("Melderen har skrevet sist i samtalen."),
        _l("Ingen venter på svar fra dere."),
    ),
    Queue.DUE_TODAY: QueueLabel(
        _l("Frist i dag"), _l("Svarfristen går ut i dag."), _l("Ingen frister i dag.")
    ),
    Queue.DUE_THIS_WEEK: QueueLabel(
        _l("Frist denne uka"),
        _l("Svarfristen går ut senere denne uka (til og med søndag)."),
        _l("Ingen flere frister denne uka."),
    ),
    Queue.OVERDUE: QueueLabel(
        _l("Over fristen"), _l("Åpne avvik der svarfristen er passert."), _l("Ingen over fristen.")
    ),
    Queue.MINE: QueueLabel(
        _l("Mine"),
        _l("Avvik du har tatt, eller som er sendt til deg eller enheten din."),
        _l("Du har ingen avvik nå."),
    ),
    Queue.NOT_TAKEN: QueueLabel(
        _l("Ikke tatt"), _l("Åpne avvik som ingen har tatt ennå."), _l("Alle åpne avvik er tatt.")
    ),
}


@dataclass(frozen=True, slots=True)
class QueueRow(HasDeadline):
    id: int
    reference: str
    title: str
    reporter_org_name: str
    category: str
    harm: Harm
    status: Status
    response_deadline: date
    unread: bool = False

    @property
    def serious(self) -> bool:
        return self.harm in SERIOUS


@dataclass(frozen=True)
class QueueView:
    queue: Queue
    count: int
    rows: list[QueueRow]
    cap: int

    @property
    def label(self) -> QueueLabel:
        return LABELS[self.queue]

    @property
    def shown_count(self) -> str:
        return f"{self.cap - 1}+" if self.count >= self.cap else str(self.count)

    @property
    def more(self) -> bool:
        return self.count >= self.cap or self.count > len(self.rows)


def _open_values() -> list[str]:
    return sorted(s.value for s in OPEN_STATUSES)


def end_of_week(today: date) -> date:
    return today + timedelta(days=6 - today.weekday())


def condition(queue: Queue, user: User, today: date) -> sa.ColumnElement[bool]:
    """The queue's cases among the open cases sent to the user's organisation."""
    if queue is Queue.NEW:
        # Opening a case acknowledges it (app/deviations/routes/case.py): a case still "sendt"
        # has not been opened by a handler; one re-routed here is "videresendt" with no unit.
        return sa.or_(
            Deviation.status == Status.SENDT,
            sa.and_(Deviation.status == Status.VIDERESENDT, Deviation.forwarded_unit_id.is_(None)),
        )
    if queue is Queue.REPORTER_ANSWERED:
        return Deviation.reporter_waiting_since.is_not(None)
    if queue is Queue.DUE_TODAY:
        return Deviation.response_deadline == today
    if queue is Queue.DUE_THIS_WEEK:
        return Deviation.response_deadline.between(today + timedelta(days=1), end_of_week(today))
    if queue is Queue.OVERDUE:
        return Deviation.response_deadline < today
    if queue is Queue.MINE:
        return _mine(user)
    return Deviation.handler_id.is_(None)


def _mine(user: User) -> sa.ColumnElement[bool]:
    """Taken by the user, or sent to the user's unit and not yet taken there."""
    if user.unit_id is None:
        return Deviation.handler_id == user.id
    return sa.or_(
        Deviation.handler_id == user.id,
        sa.and_(Deviation.handler_id.is_(None), Deviation.forwarded_unit_id == user.unit_id),
    )


def is_open() -> sa.ColumnElement[bool]:
    """Open, spelled as the partial index ix_deviation_open_queue's condition: SQLite uses a
    partial index only for a query that repeats its condition literally (bound parameters do
    not count), PostgreSQL for one that implies it. Literal SQL also spares every statement
    the expansion of an IN parameter."""
    return sa.text(OPEN_SQL)


def _serious() -> sa.ColumnElement[bool]:
    return sa.or_(*(Deviation.harm == harm for harm in SERIOUS))


@dataclass(frozen=True)
class _Source:
    """One index range of a queue: the conditions on it (those of an index's leading columns,
    and an index that covers every column they read), and whether the range is long and read
    in deadline order, so that a list stops after its first rows, or short and sorted."""

    where: tuple[sa.ColumnElement[bool], ...]
    in_order: bool = False


def _sources(queue: Queue, user: User, today: date, seen: sa.ColumnElement[bool]) -> list[_Source]:
    """The queue as index ranges whose union it is (disjoint, so their counts add up).
    ``seen``: permissions.visible(user, Deviation), built once for the page."""
    org = Deviation.counterpart_org_id == user.organisation_id
    if queue is Queue.MINE:
        # ix_deviation_handler, and ix_deviation_forwarded for the user's unit.
        found = [_Source((Deviation.handler_id == user.id, is_open(), org, seen))]
        if user.unit_id is not None:
            found.append(
                _Source(
                    (
                        Deviation.forwarded_unit_id == user.unit_id,
                        is_open(),
                        Deviation.handler_id.is_(None),
                        org,
                        seen,
                    )
                )
            )
        return found
    if queue is Queue.NEW:
        # ix_deviation_open_deadline, one status at a time, in deadline order: where nobody
        # opens the cases, the new ones are thousands.
        return [
            _Source((org, Deviation.status == Status.SENDT, seen), in_order=True),
            _Source(
                (
                    org,
                    Deviation.status == Status.VIDERESENDT,
                    Deviation.forwarded_unit_id.is_(None),
                    seen,
                ),
                in_order=True,
            ),
        ]
    # ix_deviation_reporter_waiting for "Svar fra melder", ix_deviation_open_queue for the
    # others; the two long ones read in deadline order.
    long_range = queue in (Queue.OVERDUE, Queue.NOT_TAKEN)
    return [_Source((org, is_open(), condition(queue, user, today), seen), in_order=long_range)]


def _capped(source: _Source, cap: int) -> sa.ScalarSelect:
    matching = sa.select(sa.literal(1)).select_from(Deviation).where(*source.where).limit(cap)
    return sa.select(sa.func.count()).select_from(matching.subquery()).scalar_subquery()


def counts(sources: dict[Queue, list[_Source]], cap: int) -> dict[Queue, int]:
    """Every queue's count in one statement, each range stopping after ``cap`` index entries:
    exact below ``cap``, and ``cap`` means "at least cap"."""
    parts = [(q, _capped(source, cap)) for q, found in sources.items() for source in found]
    values = db.session.execute(sa.select(*(c for _, c in parts))).one()
    total = dict.fromkeys(sources, 0)
    for (queue, _), value in zip(parts, values, strict=True):
        total[queue] += value
    return {queue: min(value, cap) for queue, value in total.items()}


def _arms(position: int, source: _Source, limit: int) -> list[sa.Select]:
    """The reads of one range for a list, each at most ``limit`` rows of (queue, rank, deadline,
    id), rank 0 for a serious event: a long range read twice in index order (serious, then the
    rest), a short one once and sorted."""
    columns = (sa.literal(position).label("queue"),)
    if not source.in_order:
        rank = sa.case((_serious(), 0), else_=1)
        return [
            sa.select(*columns, rank.label("rank"), Deviation.response_deadline, Deviation.id)
            .where(*source.where)
            .order_by(rank, Deviation.response_deadline, Deviation.id)
            .limit(limit)
        ]
    return [
        sa.select(
            *columns, sa.literal(rank).label("rank"), Deviation.response_deadline, Deviation.id
        )
        .where(*source.where, harm)
        .order_by(Deviation.response_deadline, Deviation.id)
        .limit(limit)
        for rank, harm in ((0, _serious()), (1, sa.not_(_serious())))
    ]


def ordered_ids(sources: dict[Queue, list[_Source]], limit: int) -> dict[Queue, list[int]]:
    """Each queue's first ``limit`` cases: serious events first, then the nearest deadline (the
    longest overdue first), then the oldest. One statement for every queue: the union of the
    ranges' reads, each stopping after ``limit`` rows; sorted and cut here."""
    order = list(sources)
    arms = [
        arm
        for position, queue in enumerate(order)
        for source in sources[queue]
        for arm in _arms(position, source, limit)
    ]
    union = sa.union_all(*(sa.select(arm.subquery()) for arm in arms))
    found: dict[Queue, list[tuple[int, date, int]]] = {queue: [] for queue in order}
    for row in db.session.execute(union):
        found[order[row[0]]].append((row[1], row[2], row[3]))
    return {queue: [ident for *_, ident in sorted(rows)[:limit]] for queue, rows in found.items()}


def count(queue: Queue, user: User, today: date, cap: int) -> int:
    seen = permissions.visible(user, Deviation)
    return counts({queue: _sources(queue, user, today, seen)}, cap)[queue]


def rows(queue: Queue, user: User, today: date, limit: int) -> list[QueueRow]:
    seen = permissions.visible(user, Deviation)
    ids = ordered_ids({queue: _sources(queue, user, today, seen)}, limit)
    return _rows_of(ids, user)[queue]


def _rows_of(ids: dict[Queue, list[int]], user: User) -> dict[Queue, list[QueueRow]]:
    """The rows of several queues' cases, read together: one query for the cases, one for
    the unread marks."""
    wanted = list(dict.fromkeys(i for found in ids.values() for i in found))
    read = (
        {
            row.id: row
            for row in db.session.execute(
                sa.select(
                    Deviation.id,
                    Deviation.reference,
                    Deviation.title,
                    Deviation.reporter_org_name,
                    name_column(Category).label("category"),
                    Deviation.harm,
                    Deviation.status,
                    Deviation.response_deadline,
                )
                .join(Category, Category.id == Deviation.category_id)
                .where(Deviation.id.in_(wanted))
            )
        }
        if wanted
        else {}
    )
    unread = unread_ids(user, wanted)
    return {
        queue: [
            QueueRow(
                id=row.id,
                reference=row.reference,
                title=row.title,
                reporter_org_name=row.reporter_org_name,
                category=row.category,
                harm=row.harm,
                status=row.status,
                response_deadline=row.response_deadline,
                unread=row.id in unread,
            )
            for row in (read[i] for i in found if i in read)
        ]
        for queue, found in ids.items()
    }


def start_page(user: User, today: date, cap: int, per_queue: int) -> list[QueueView]:
    """Four statements for the whole page: the counts, the lists' ids, their rows, the marks."""
    seen = permissions.visible(user, Deviation)
    sources = {q: _sources(q, user, today, seen) for q in Queue}
    numbers = counts(sources, cap)
    found = _rows_of(ordered_ids(sources, per_queue), user)
    return [QueueView(q, numbers[q], found[q], cap) for q in Queue]
