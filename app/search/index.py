"""Keeping each deviation's search document (app/models/search.py) up to date.

Every ORM flush that adds a deviation, changes its searchable text or adds a message to its
thread rewrites that deviation's document in the same transaction (the listener at the end), so
no service has to remember it and a future one cannot forget it. Writers that insert with Core
statements, which no flush sees (the importer, the demo generator), call ``reindex`` with the
ids they wrote. ``rebuild`` (``flask search-index``) makes every document again.

A document is the deviation's title, description, what was done at once, the suggestion, the
response and the thread's messages. Internal notes are left out: the search answers whoever may
see the case, and only the handlers of one organisation may read its notes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import sqlalchemy as sa
from flask import Flask
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from app.models.deviation import Deviation, DeviationMessage
from app.models.search import FTS_TABLE, SQLITE_FTS, SQLITE_FTS_DROP, DeviationSearch
from app.search.text import document

SEARCHABLE = ("title", "description", "immediate_action", "suggestion", "response")
NORWEGIAN = sa.literal_column("'norwegian'::regconfig")
CHUNK = 5000

_table = DeviationSearch.__table__


def _texts(connection: Connection, ids: Iterable[int]) -> dict[int, list[str | None]]:
    """The searchable texts of these deviations, read from the database."""
    ids = list(ids)
    texts: dict[int, list[str | None]] = {}
    for start in range(0, len(ids), CHUNK):
        part = ids[start : start + CHUNK]
        columns = [getattr(Deviation, name) for name in SEARCHABLE]
        for row in connection.execute(
            sa.select(Deviation.id, *columns).where(Deviation.id.in_(part))
        ):
            texts[row[0]] = list(row[1:])
        for deviation_id, body in connection.execute(
            sa.select(DeviationMessage.deviation_id, DeviationMessage.body)
            .where(DeviationMessage.deviation_id.in_(part), DeviationMessage.internal.is_(False))
            .order_by(DeviationMessage.id)
        ):
            texts[deviation_id].append(body)
    return texts


def write(connection: Connection, texts: dict[int, Sequence[str | None]]) -> None:
    """Insert or replace the documents of these deviations."""
    if not texts:
        return
    if connection.dialect.name == "postgresql":
        statement = postgresql.insert(_table).values(
            deviation_id=sa.bindparam("id"),
            document=sa.func.to_tsvector(NORWEGIAN, sa.bindparam("text", type_=sa.Text)),
        )
        rows = [{"id": i, "text": " ".join(t for t in parts if t)} for i, parts in texts.items()]
    else:
        statement = sqlite.insert(_table).values(
            deviation_id=sa.bindparam("id"), document=sa.bindparam("text", type_=sa.Text)
        )
        rows = [{"id": i, "text": document(*parts)} for i, parts in texts.items()]
    statement = statement.on_conflict_do_update(
        index_elements=[_table.c.deviation_id], set_={"document": statement.excluded.document}
    )
    connection.execute(statement, rows)


def reindex(connection: Connection, ids: Iterable[int]) -> None:
    """Write the documents of these deviations again from what is stored now."""
    write(connection, _texts(connection, ids))


def rebuild(connection: Connection, progress: Callable[[int], None] | None = None) -> int:
    """Every deviation's document, made again in chunks; returns how many. On SQLite the FTS5
    index is dropped first and built once at the end, as the migration does: one 'rebuild' is
    much faster than a trigger per row."""
    is_sqlite = connection.dialect.name == "sqlite"
    if is_sqlite:
        connection.exec_driver_sql(SQLITE_FTS_DROP)
        for trigger in ("deviation_search_ai", "deviation_search_ad", "deviation_search_au"):
            connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {trigger}")
    connection.execute(sa.delete(_table))
    done = 0
    last = 0
    while True:
        ids = list(
            connection.scalars(
                sa.select(Deviation.id)
                .where(Deviation.id > last)
                .order_by(Deviation.id)
                .limit(CHUNK)
            )
        )
        if not ids:
            break
        reindex(connection, ids)
        last = ids[-1]
        done += len(ids)
        if progress is not None:
            progress(len(ids))
    if not is_sqlite:
        # Fresh statistics for the planner's choice between the GIN index and the newest rows.
        connection.exec_driver_sql("ANALYZE deviation_search")
    if is_sqlite:
        for statement in SQLITE_FTS:
            connection.exec_driver_sql(statement)
        connection.exec_driver_sql(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")
        connection.exec_driver_sql(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('optimize')")
    return done


def _text_changed(deviation: Deviation) -> bool:
    state = sa.inspect(deviation)
    return any(state.attrs[name].history.has_changes() for name in SEARCHABLE)


def register_search_index(app: Flask) -> None:
    """Keep the search documents in step with every flush, in the flush's own transaction
    (create_app calls this). The listener is on SQLAlchemy's Session class, so one registration
    serves every app the process makes."""
    if not event.contains(Session, "after_flush", _reindex_flushed):
        event.listen(Session, "after_flush", _reindex_flushed)


def _reindex_flushed(session: Session, flush_context: object) -> None:
    # The flush has written the rows; new, dirty and the attributes' history still show what it
    # wrote. A new deviation's texts are at hand and it has no messages yet: no read needed.
    texts: dict[int, list[str | None]] = {}
    to_read: set[int] = set()
    for obj in session.new:
        if isinstance(obj, Deviation):
            texts[obj.id] = [getattr(obj, name) for name in SEARCHABLE]
        elif isinstance(obj, DeviationMessage) and not obj.internal:
            to_read.add(obj.deviation_id)
    for obj in session.dirty:
        if isinstance(obj, Deviation) and _text_changed(obj):
            to_read.add(obj.id)
    to_read -= texts.keys()
    if not texts and not to_read:
        return
    connection = session.connection()
    texts.update(_texts(connection, to_read))
    write(connection, texts)
