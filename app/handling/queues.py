"""A handler's start page: the receiving organisation's open cases in queues, each a count and
a short list, serious events (harm alvorlig or død) first in each.

Every queue is a condition on the columns of ix_deviation_queue (or ix_deviation_handler,
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
from app.extensions import db
from app.handling.reading import unread_ids
from app.models import OPEN_STATUSES, Category, Deviation, Harm, Status, User
from app.models.deviation import HasDeadline

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
        _l("Ingen saksbehandler har åpnet saken ennå. Den som åpner den, bekrefter mottaket."),
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
        _l("Saker du har tatt, eller som er sendt til deg eller enheten din."),
        _l("Du har ingen saker nå."),
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


def _scope(user: User) -> list[sa.ColumnElement[bool]]:
    return [
        Deviation.counterpart_org_id == user.organisation_id,
        Deviation.status.in_(_open_values()),
        permissions.visible(user, Deviation),
    ]


def count(queue: Queue, user: User, today: date, cap: int) -> int:
    """Exact below ``cap``; ``cap`` means "at least cap": the count stops reading there."""
    matching = (
        sa.select(sa.literal(1))
        .select_from(Deviation)
        .where(*_scope(user), condition(queue, user, today))
        .limit(cap)
    )
    return db.session.scalar(sa.select(sa.func.count()).select_from(matching.subquery())) or 0


def rows(queue: Queue, user: User, today: date, limit: int) -> list[QueueRow]:
    """The first ``limit`` cases of the queue: serious events first, then the nearest deadline
    (the longest overdue first), then the oldest. Two reads, so that each is an index range
    that stops after ``limit`` rows instead of one sort of every case in the queue."""
    where = [*_scope(user), condition(queue, user, today)]
    serious = Deviation.harm.in_([h.value for h in SERIOUS])
    found = _select(where + [serious], limit)
    if len(found) < limit:
        found += _select(where + [sa.not_(serious)], limit - len(found))
    unread = unread_ids(user, [row.id for row in found])
    return [
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
        for row in found
    ]


def _select(where: list[sa.ColumnElement[bool]], limit: int) -> list[sa.Row]:
    return list(
        db.session.execute(
            sa.select(
                Deviation.id,
                Deviation.reference,
                Deviation.title,
                Deviation.reporter_org_name,
                Category.name.label("category"),
                Deviation.harm,
                Deviation.status,
                Deviation.response_deadline,
            )
            .join(Category, Category.id == Deviation.category_id)
            .where(*where)
            .order_by(Deviation.response_deadline, Deviation.id)
            .limit(limit)
        )
    )


def start_page(user: User, today: date, cap: int, per_queue: int) -> list[QueueView]:
    return [
        QueueView(q, count(q, user, today, cap), rows(q, user, today, per_queue), cap)
        for q in Queue
    ]
