"""Transactions that will write, and how SQLite is told so (see setup.register_database)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import TypeVar

from flask import current_app, request
from sqlalchemy import event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction

from app.extensions import db

V = TypeVar("V", bound=Callable)

# An execution option on the session's connection; SQLite's "begin" listener reads it.
WRITE_OPTION = "avvik_writes"


def begin_write() -> None:
    """Begin the session's transaction as one that will write: on SQLite it begins with BEGIN
    IMMEDIATE and so holds the write lock from its first statement.

    Routes never call it: a request that may write gets it from begin_request_write() below,
    and a write block (app.common.writing) calls it when it starts. CLI commands and threads
    that write call it, or use a write block.

    A transaction already open is used as it is where that is safe: on PostgreSQL always, on
    SQLite when it began as a write or has written. A SQLite transaction that has only read
    cannot safely become a write one (another connection may have written since its first
    read, and SQLite then refuses the write at once, whatever busy_timeout), so this refuses
    it: end it first with end_read_only_transaction(), as writing() does.
    """
    session = db.session()
    if session.in_transaction():
        if _is_sqlite(session) and not _will_write(session):
            raise RuntimeError(
                "begin_write() in a SQLite transaction that has only read: "
                "call end_read_only_transaction() first, or use writing()"
            )
        return
    session.connection(execution_options={WRITE_OPTION: True})
    session.info[_BEGAN_WRITE] = True


def end_read_only_transaction() -> None:
    """On SQLite, end the session's transaction when it has only read, so that a write one can
    begin (see begin_write): it changed nothing, and the objects it loaded are read again when
    next used. Anything else (no transaction, one that writes, PostgreSQL, where a read
    transaction may go on to write) is left as it is.

    This is a commit, and one that matters to a reader of the calling code: it is called by
    writing() as the first step of a write block (and by perform(), until the last route
    leaves it for writing()), and in no other place.
    """
    session = db.session()
    if session.in_transaction() and _is_sqlite(session) and not _will_write(session):
        session.commit()


def _is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def _will_write(session: Session) -> bool:
    return bool(session.info.get(_BEGAN_WRITE)) or _has_written(session)


def _has_written(session: Session) -> bool:
    return bool(session.info.get(_WROTE) or session.new or session.dirty or session.deleted)


# Set on the session when its transaction began with begin_write().
_BEGAN_WRITE = "avvik_began_write"
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
        session.info.pop(_BEGAN_WRITE, None)


# --- The request's write transaction: the marker and the hook that reads it ------------------

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def defer_write_lock(view: V) -> V:
    """Mark a view whose request does not begin as a write transaction: it reads (and may work
    long on what it read) without the write lock, and its write block (``with writing():``)
    takes the lock when the block starts.

    For views that work long before they write: verifying a password takes a tenth of a second
    of CPU, a filing loads the user and the form. On SQLite the write lock is one for the whole
    database: held through every login of a shift change, it made the last ones wait past
    busy_timeout, and held through a whole filing request it kept the other workers' filings
    waiting for work that needs no lock."""
    view.defers_write_lock = True  # type: ignore[attr-defined]
    return view


def begin_request_write() -> None:
    """A before_request hook (setup.register_request_hooks): on SQLite a request that may write
    (every method but GET, HEAD and OPTIONS) begins its transaction as a write one, with the
    lock, before its first statement; unless its view is marked @defer_write_lock. PostgreSQL
    locks rows, not the database: nothing to do there."""
    if request.method in SAFE_METHODS or not _is_sqlite(db.session()):
        return
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(view, "defers_write_lock", False):
        return
    begin_write()


def is_write_conflict(error: DBAPIError) -> bool:
    """True when SQLite refused a write because another connection is writing or has written
    since this transaction first read: SQLite cannot upgrade such a read transaction and says
    "database is locked" at once. It is the lost race the version column reports as
    StaleDataError. A request that began with begin_write() never meets it; a service called
    outside a request may."""
    orig = getattr(error, "orig", None)
    return getattr(orig, "sqlite_errorcode", None) in _LOCK_UPGRADE_REFUSED


_LOCK_UPGRADE_REFUSED = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_BUSY_SNAPSHOT}
