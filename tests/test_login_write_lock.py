"""On SQLite a login checks the password without the database's one write lock: fifty nurses
logging in at a shift change no longer queue behind each other's password hashing (found by
the reliability suite: the last logins waited past busy_timeout and got a 503)."""

from __future__ import annotations

import sqlite3
import threading
import time
from contextlib import closing
from pathlib import Path

import pytest

from app.extensions import db
from tests.conftest import fresh_sqlite_url, make_app


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

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        held.wait(5)
        started = time.monotonic()
        wrong = client.post(
            "/logg-inn", data={"email": "melder@trondheim.demo", "password": "feil-passord-123"}
        )
        assert wrong.status_code == 422 and time.monotonic() - started < 2
        release_later = threading.Timer(0.5, release.set)
        release_later.start()
        right = client.post(
            "/logg-inn", data={"email": "melder@trondheim.demo", "password": "demo-avvik"}
        )
        assert right.status_code == 302  # it waited for the lock only to log in
    finally:
        release.set()
        thread.join()
        with app.app_context():
            db.engine.dispose()
