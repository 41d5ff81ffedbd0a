"""SQLite connections that queue for the write lock instead of sleeping for it.

Several gunicorn workers write to one SQLite file. SQLite's own busy handler waits for the
write lock by sleeping 1, 2, 5 … 50, 100 ms between tries, so under steady filing a writer
that lost a race or two slept far longer than the few milliseconds the lock was held, and
the slowest filings took hundreds of milliseconds. Here each connection first takes an
exclusive ``flock`` on a file beside the database, polled at sub-millisecond intervals, and
holds it from its first write statement until commit or rollback: writers queue for one
another and proceed as soon as the lock is free.

SQLite's locking stays the authority: the file lock only decides who asks first. A write
the check below does not recognise, or another program that writes without it, falls back
to SQLite's busy timeout as before; a connection that cannot get the file lock within that
timeout goes ahead without it and lets SQLite decide. The check sits on the cursor, which is
how SQLAlchemy runs every statement; sqlite3's ``Connection.execute`` shortcut bypasses it.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import time

# Statements that make pysqlite open a write transaction (it issues BEGIN before them).
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
# Seconds between tries for the file lock. A filing holds it 1-3 ms; a longer pause at the end
# left it free while every waiter slept (p99 at 16 connections 80 ms with 2 ms, 55 with 0.5).
_FIRST_POLL, _LAST_POLL = 0.0001, 0.0005


class _Cursor(sqlite3.Cursor):
    def execute(self, sql, parameters=(), /):
        self.connection._before(sql)
        return super().execute(sql, parameters)

    def executemany(self, sql, seq_of_parameters, /):
        self.connection._before(sql)
        return super().executemany(sql, seq_of_parameters)


class SerialisedWritesConnection(sqlite3.Connection):
    """Pass as ``connect_args={"factory": SerialisedWritesConnection}``."""

    def __init__(self, database, timeout=5.0, *args, **kwargs) -> None:
        super().__init__(database, timeout, *args, **kwargs)
        self._timeout = float(timeout)
        self._held = False
        self._lock_fd: int | None = None
        path = os.fsdecode(database)
        if path and path != ":memory:" and not path.startswith("file:"):
            self._lock_fd = os.open(f"{path}-writelock", os.O_RDWR | os.O_CREAT, 0o600)

    def cursor(self, factory=_Cursor):
        return super().cursor(factory)

    def _before(self, sql: str) -> None:
        if (
            self._lock_fd is not None
            and not self._held
            and not self.in_transaction
            and sql.lstrip()[:7].upper().startswith(_WRITES)
        ):
            self._acquire()

    def _acquire(self) -> None:
        delay, deadline = _FIRST_POLL, None
        while True:
            try:
                fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                now = time.monotonic()
                deadline = deadline or now + self._timeout
                if now >= deadline:
                    return  # SQLite's busy timeout decides from here
                time.sleep(delay)
                delay = min(delay * 2, _LAST_POLL)
            else:
                self._held = True
                return

    def _release(self) -> None:
        if self._held:
            self._held = False
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            if not self.in_transaction:
                self._release()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._release()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._release()
            if self._lock_fd is not None:
                os.close(self._lock_fd)
                self._lock_fd = None
