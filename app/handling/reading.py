"""Who has read how far in a case's thread: the unread-message mark on the handler's queues, the
inbox and the reporter's own list. A message is unread by a person when they may read it, did
not write it, and it is newer than the newest message their last visit to the case showed."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from app.common import permissions
from app.extensions import db
from app.models import Deviation, DeviationMessage, ThreadRead, User, utcnow


def unread_ids(user: User, deviation_ids: Iterable[int]) -> set[int]:
    """Of these cases (a page of a list), those with a message this user has not read. One
    query over ix_deviation_message_deviation, however long the threads."""
    ids = list(dict.fromkeys(deviation_ids))
    if not ids:
        return set()
    seen = (
        sa.select(ThreadRead.message_id)
        .where(
            ThreadRead.user_id == user.id, ThreadRead.deviation_id == DeviationMessage.deviation_id
        )
        .scalar_subquery()
    )
    query = (
        sa.select(DeviationMessage.deviation_id)
        .where(
            DeviationMessage.deviation_id.in_(ids),
            sa.or_(DeviationMessage.author_id.is_(None), DeviationMessage.author_id != user.id),
            DeviationMessage.id > sa.func.coalesce(seen, 0),
            permissions.visible(user, DeviationMessage),
        )
        .distinct()
    )
    return set(db.session.scalars(query))


def newest_readable(user: User, deviation: Deviation) -> int | None:
    """The id of the newest message of the case's thread this user may read."""
    return db.session.scalar(
        sa.select(sa.func.max(DeviationMessage.id)).where(
            DeviationMessage.deviation_id == deviation.id,
            permissions.visible(user, DeviationMessage),
        )
    )


def last_read(user: User, deviation: Deviation) -> int | None:
    return db.session.scalar(
        sa.select(ThreadRead.message_id).where(
            ThreadRead.user_id == user.id, ThreadRead.deviation_id == deviation.id
        )
    )


def mark_read(user: User, deviation: Deviation, message_id: int) -> None:
    """Note that the user has seen the thread up to ``message_id``; never moves back, and two
    tabs marking at once both succeed (one upsert). Flushes nothing; the caller commits."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(ThreadRead).values(
        user_id=user.id, deviation_id=deviation.id, message_id=message_id, at=utcnow()
    )
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=[ThreadRead.user_id, ThreadRead.deviation_id],
            set_={"message_id": statement.excluded.message_id, "at": statement.excluded.at},
            where=ThreadRead.message_id < statement.excluded.message_id,
        )
    )
