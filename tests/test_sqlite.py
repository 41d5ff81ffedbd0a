"""SQLite as several processes share it: WAL, foreign keys, a busy timeout, and write
transactions that take the write lock when they begin (SQLAlchemy's pysqlite recipe)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from app import create_app
from app.common.database import begin_write, end_read_only_transaction
from app.common.writing import writing
from app.extensions import db
from tests.support import fresh_sqlite_url, login


def test_the_apps_sqlite_connections_get_wal_foreign_keys_and_a_busy_timeout(tmp_path):
    """The pragmas were once skipped for a connection class of our own: a new file stayed in
    rollback-journal mode, fsynced every commit, and no foreign key was enforced."""
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'app.db'}")
    with app.app_context():
        with db.engine.connect() as conn:
            pragmas = {
                name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
                for name in ("journal_mode", "foreign_keys", "synchronous", "busy_timeout")
            }
        db.engine.dispose()
    # synchronous NORMAL is 1: in WAL mode a commit is durable against a crash of the app,
    # and the checkpoint, not every commit, waits for the disk.
    assert pragmas == {
        "journal_mode": "wal",
        "foreign_keys": 1,
        "synchronous": 1,
        "busy_timeout": 5000,
    }


def _begins(app, action) -> list[str]:
    """The BEGIN statements SQLAlchemy emits while ``action`` runs."""
    seen: list[str] = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("BEGIN"):
            seen.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", capture)
    try:
        action()
    finally:
        sa.event.remove(engine, "before_cursor_execute", capture)
    return seen


@pytest.mark.commits
def test_a_request_that_may_write_begins_immediate_and_a_read_does_not(
    sqlite_template, tmp_path: Path
):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=fresh_sqlite_url(sqlite_template, tmp_path))
    client = app.test_client()
    login(client, "melder@trondheim.demo")
    assert _begins(app, lambda: client.get("/avvik/mine")) == ["BEGIN"]
    assert (
        _begins(app, lambda: client.post("/sprak", data={"language": "en"}))[0] == "BEGIN IMMEDIATE"
    )
    with app.app_context():
        db.engine.dispose()


@pytest.mark.commits
def test_a_write_transaction_waits_for_another_instead_of_failing(sqlite_template, tmp_path):
    """Two writers that both read first: with BEGIN IMMEDIATE the second waits for the first
    to commit (busy_timeout) and then reads what it wrote, instead of failing on the upgrade
    of a stale read lock."""
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=fresh_sqlite_url(sqlite_template, tmp_path))
    first_holds_lock, release = threading.Event(), threading.Event()
    seen: list[object] = []

    def writer(name: str, hold: bool) -> None:
        with app.app_context():
            try:
                begin_write()
                count = db.session.execute(sa.text("SELECT count(*) FROM category")).scalar()
                if hold:
                    first_holds_lock.set()
                    release.wait(timeout=5)
                db.session.execute(
                    sa.text("INSERT INTO category (name, position, active) VALUES (:n, 0, 1)"),
                    {"n": f"{name} {count}"},
                )
                db.session.commit()
                seen.append(count)
            except Exception as error:  # noqa: BLE001  (reported to the test, not swallowed)
                seen.append(error)
            finally:
                db.session.remove()

    first = threading.Thread(target=writer, args=("A", True))
    first.start()
    assert first_holds_lock.wait(timeout=5)
    second = threading.Thread(target=writer, args=("B", False))
    second.start()
    # Time for the second to reach its first statement: with a plain BEGIN it would read now
    # and one of the two would then fail to write.
    time.sleep(0.3)
    release.set()
    first.join(timeout=10)
    second.join(timeout=10)
    assert len(seen) == 2 and all(isinstance(count, int) for count in seen), seen
    assert seen[1] == seen[0] + 1  # the second read after the first had written
    with app.app_context():
        db.engine.dispose()


@pytest.mark.commits
def test_a_read_transaction_becomes_a_write_one_without_a_stale_lock(sqlite_template, tmp_path):
    """A GET that writes (a log row) reads first: a write block ends that read-only
    transaction and begins a write one, so another writer's commit in between does not make
    the write fail. A transaction that has written keeps what it wrote."""
    url = fresh_sqlite_url(sqlite_template, tmp_path)
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        before = db.session.execute(sa.text("SELECT count(*) FROM category")).scalar()
        other = sa.create_engine(url)
        with other.begin() as conn:  # another process writes after our first read
            conn.exec_driver_sql("INSERT INTO category (name, position, active) VALUES ('X', 0, 1)")
        other.dispose()
        with writing():
            db.session.execute(
                sa.text("INSERT INTO category (name, position, active) VALUES ('Y', 0, 1)")
            )
            end_read_only_transaction()  # has written: nothing is ended or lost
            begin_write()
        after = db.session.execute(sa.text("SELECT count(*) FROM category")).scalar()
        db.session.remove()
        db.engine.dispose()
    assert after == before + 2


@pytest.mark.commits
def test_begin_write_refuses_a_read_transaction_rather_than_end_it(sqlite_template, tmp_path):
    """Ending a transaction is a commit, which a call named "begin" must not do behind the
    caller's back: only a write block does it, and says so."""
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=fresh_sqlite_url(sqlite_template, tmp_path))
    with app.app_context():
        db.session.execute(sa.text("SELECT count(*) FROM category")).scalar()
        with pytest.raises(RuntimeError, match="only read"):
            begin_write()
        end_read_only_transaction()
        assert not db.session().in_transaction()
        begin_write()
        assert db.session().in_transaction()
        db.session.remove()
        db.engine.dispose()
