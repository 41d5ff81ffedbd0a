"""On SQLite a login checks the password without the database's one write lock: fifty nurses
logging in at a shift change no longer queue behind each other's password hashing (found by
the reliability suite: the last logins waited past busy_timeout and got a 503). The write lock
is taken only for what the login writes (the security log, the failure count, the session)."""

from __future__ import annotations

import sqlite3
import threading
from contextlib import closing
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.extensions import db
from tests.support import fresh_sqlite_url, make_app


@pytest.mark.commits
def test_a_login_does_not_hold_the_write_lock_while_it_checks_the_password(
    sqlite_template: Path, tmp_path: Path
):
    app = make_app(fresh_sqlite_url(sqlite_template, tmp_path))
    client = app.test_client()
    held = threading.Event()
    release = threading.Event()

    def writer() -> None:  # another worker in the middle of a long write
        with closing(sqlite3.connect(tmp_path / "avvik.db", isolation_level=None)) as conn:
            conn.execute("BEGIN IMMEDIATE")
            held.set()
            release.wait(10)
            conn.execute("ROLLBACK")

    begins: list[str] = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("BEGIN") or "FROM user" in statement:
            begins.append(statement.split()[0] + (" IMMEDIATE" if "IMMEDIATE" in statement else ""))

    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", capture)
    thread = threading.Thread(target=writer)
    thread.start()
    try:
        held.wait(5)
        release_later = threading.Timer(0.5, release.set)
        release_later.start()
        wrong = client.post(
            "/logg-inn", data={"email": "melder@trondheim.demo", "password": "feil-passord-123"}
        )
        assert wrong.status_code == 422  # it waited for the lock only to log the failure
        # The account was read, and its password hashed, in a read transaction; the write
        # transaction began after it.
        assert begins.index("SELECT") < begins.index("BEGIN IMMEDIATE"), begins
        assert begins[0] == "BEGIN", begins
        right = client.post(
            "/logg-inn", data={"email": "melder@trondheim.demo", "password": "demo-avvik"}
        )
        assert right.status_code == 302
    finally:
        release.set()
        thread.join()
        with app.app_context():
            db.engine.dispose()
