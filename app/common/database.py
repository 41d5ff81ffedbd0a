"""Transactions that will write, and how SQLite is told so (see setup.register_database)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError

from app.extensions import db

V = TypeVar("V", bound=Callable)

# An execution option on the session's connection; SQLite's "begin" listener reads it.
WRITE_OPTION = "avvik_writes"


def begin_write() -> None:
    """Start the session's transaction as one that will write: BEGIN IMMEDIATE on SQLite,
    so it holds the write lock from its first read; a plain BEGIN elsewhere.

    Call it before the transaction's first statement (requests that may write get it from a
    before_request hook; CLI commands that write call it themselves). Once a transaction has
    begun it is left as it is.
    """
    if not db.session().in_transaction():
        db.session.connection(execution_options={WRITE_OPTION: True})


def writes_after_reading(view: V) -> V:
    """Mark a view that works long on what it reads before it writes (verifying a password
    takes a tenth of a second of CPU): the request does not begin as a write transaction, and
    the view calls begin_write() itself when it comes to writing. On SQLite the write lock is
    one for the whole database: held through every login of a shift change, it made the last
    ones wait past busy_timeout."""
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
