"""SQLite writers queue on a file lock beside the database (app.common.sqlite_writes)."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from app.common.sqlite_writes import SerialisedWritesConnection


def _connect(path: Path, timeout: float = 5.0) -> sqlite3.Connection:
    return sqlite3.connect(path, timeout=timeout, factory=SerialisedWritesConnection)


def _run(conn: sqlite3.Connection, sql: str) -> list[tuple]:
    """Through a cursor, as SQLAlchemy runs every statement."""
    cursor = conn.cursor()
    try:
        return cursor.execute(sql).fetchall()
    finally:
        cursor.close()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    path = tmp_path / "avvik.db"
    with sqlite3.connect(path) as conn:
        _run(conn, "PRAGMA journal_mode=WAL")
        _run(conn, "CREATE TABLE t (id INTEGER PRIMARY KEY, who TEXT)")
    return path


def _lock_is_free(path: Path) -> bool:
    fd = os.open(f"{path}-writelock", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return True
    finally:
        os.close(fd)


def test_a_write_holds_the_lock_until_commit_and_a_read_never_takes_it(db_path):
    conn = _connect(db_path)
    _run(conn, "SELECT count(*) FROM t")
    assert _lock_is_free(db_path)
    _run(conn, "INSERT INTO t (who) VALUES ('a')")
    assert not _lock_is_free(db_path)
    _run(conn, "INSERT INTO t (who) VALUES ('b')")  # the same transaction: no second take
    conn.commit()
    assert _lock_is_free(db_path)
    _run(conn, "  update t SET who = 'c' WHERE who = 'a'")  # any case, leading blanks
    assert not _lock_is_free(db_path)
    conn.rollback()
    assert _lock_is_free(db_path)
    assert _run(conn, "SELECT who FROM t ORDER BY id") == [("a",), ("b",)]
    conn.close()


def test_a_waiting_writer_goes_on_as_soon_as_the_lock_is_free(db_path):
    first = _connect(db_path)
    _run(first, "INSERT INTO t (who) VALUES ('first')")
    finished: list[float] = []

    def write() -> None:
        second = _connect(db_path, timeout=10)
        _run(second, "INSERT INTO t (who) VALUES ('second')")
        second.commit()
        finished.append(time.monotonic())
        second.close()

    writer = threading.Thread(target=write)
    writer.start()
    time.sleep(0.3)
    assert not finished, "the second writer must wait while the first holds the lock"
    released = time.monotonic()
    first.commit()
    writer.join(timeout=5)
    # Polled every 0.5 ms at most: it follows within milliseconds, not SQLite's 100 ms sleeps.
    assert finished and finished[0] - released < 0.05
    assert [w for (w,) in _run(first, "SELECT who FROM t ORDER BY id")] == ["first", "second"]
    first.close()


def test_a_lock_held_past_the_timeout_leaves_the_decision_to_sqlite(db_path):
    """Another program holding the file lock (but not SQLite's) cannot stall a writer."""
    holder = os.open(f"{db_path}-writelock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(holder, fcntl.LOCK_EX)
    try:
        conn = _connect(db_path, timeout=0.2)
        started = time.monotonic()
        _run(conn, "INSERT INTO t (who) VALUES ('late')")
        conn.commit()
        assert 0.2 <= time.monotonic() - started < 2
        assert _run(conn, "SELECT who FROM t") == [("late",)]
        conn.close()
    finally:
        os.close(holder)


def test_memory_databases_take_no_lock(tmp_path):
    conn = sqlite3.connect(":memory:", factory=SerialisedWritesConnection)
    _run(conn, "CREATE TABLE t (x)")
    _run(conn, "INSERT INTO t VALUES (1)")
    conn.commit()
    conn.close()
    assert not list(tmp_path.iterdir())


def test_the_apps_sqlite_connections_get_wal_foreign_keys_and_the_file_lock(tmp_path):
    """The pragmas were once skipped for our own connection factory (a check on the class's
    module): a new file stayed in rollback-journal mode, fsynced every commit, and no foreign
    key was enforced."""
    from app import create_app
    from app.extensions import db

    app = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'app.db'}")
    with app.app_context():
        raw = db.engine.raw_connection()
        try:
            assert isinstance(raw.driver_connection, SerialisedWritesConnection)
            pragmas = {
                name: _run(raw.driver_connection, f"PRAGMA {name}")[0][0]
                for name in ("journal_mode", "foreign_keys", "synchronous", "busy_timeout")
            }
        finally:
            raw.close()
        db.engine.dispose()
    # synchronous NORMAL is 1: in WAL mode a commit is durable against a crash of the app,
    # and the checkpoint, not every commit, waits for the disk.
    assert pragmas == {"journal_mode": "wal", "foreign_keys": 1, "synchronous": 1,
                       "busy_timeout": 5000}
