"""Transactions that will write, and how SQLite is told so (see setup.register_database)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction

from app.extensions import db

V = TypeVar("V", bound=Callable)

# An execution option on the session's connection; SQLite's "begin" listener reads it.
WRITE_OPTION = "avvik_writes"


def begin_write() -> None:
    """Make the session's transaction one that will write: on SQLite it begins with BEGIN
    IMMEDIATE and so holds the write lock from its first statement.

    Requests that may write (every method but GET, HEAD and OPTIONS) get this from a
    before_request hook; CLI commands and threads that write call it themselves. A GET that
    writes (a row in a log) calls it before its write: on SQLite a transaction that has only
    read is then ended here (it changed nothing; the objects it loaded are read again when next
    used) and a write transaction begins, because SQLite cannot safely turn a read transaction
    into a write one while other connections write. A transaction that has written is left as
    it is.
    """
    session = db.session()
    if session.in_transaction():
        if session.get_bind().dialect.name != "sqlite" or _has_written(session):
            return
        session.commit()
    session.connection(execution_options={WRITE_OPTION: True})


def _has_written(session: Session) -> bool:
    return bool(session.info.get(_WROTE) or session.new or session.dirty or session.deleted)


# Set on the session when its transaction writes (a flush with changes, or an INSERT, UPDATE or
# DELETE through session.execute); cleared when the transaction ends.
_WROTE = "avvik_wrote"


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, flush_context) -> None:
    session.info[_WROTE] = True


@event.listens_for(Session, "do_orm_execute")
def _executed(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[_WROTE] = True


@event.listens_for(Session, "after_transaction_end")
def _ended(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_WROTE, None)


def writes_after_reading(view: V) -> V:
    """Mark a view that works long on what it reads before it writes (verifying a password
    takes a tenth of a second of CPU; a filing loads the user and the form): the request does
    not begin as a write transaction, and the view calls begin_write() itself, or perform()
    does, when it comes to writing. On SQLite the write lock is one for the whole database:
    held through every login of a shift change, it made the last ones wait past busy_timeout,
    and held through a whole filing request it kept the other workers' filings waiting for
    work that needs no lock."""
    view.begins_write_itself = True  # type: ignore[attr-defined]
    return view


def is_write_conflict(error: DBAPIError) -> bool:
    """True when SQLite refused a write because another connection is writing or has written
    since this transaction first read: SQLite cannot upgrade such a read transaction and says
    "database is locked" at once. It is the lost race the version column reports as
    StaleDataError. A request that began with begin_write() never meets it; a service called
    outside a request may."""
    orig = getattr(error, "orig", None)
    return getattr(orig, "sqlite_errorcode", None) in _LOCK_UPGRADE_REFUSED


_LOCK_UPGRADE_REFUSED = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_BUSY_SNAPSHOT}
