"""`flask backup FILE`: a consistent copy of the SQLite database while the app writes to it."""

from __future__ import annotations

import shutil
import sqlite3
import threading
import time
from contextlib import closing
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Deviation, DeviationEvent, EventKind
from tests.support import fresh_sqlite_url, login, make_app
from tests.test_filing_routes import valid_form


def test_postgresql_is_told_to_use_pg_dump_and_a_file_is_never_overwritten(app, runner, tmp_path):
    target = tmp_path / "kopi.db"
    result = runner.invoke(args=["backup", str(target)])
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        assert result.exit_code == 1 and "pg_dump" in result.output
        return
    assert result.exit_code == 0, result.output
    assert "Integritetssjekken er ok" in result.output and target.exists()
    assert not target.with_name("kopi.db.part").exists()
    before = target.read_bytes()
    again = runner.invoke(args=["backup", str(target)])
    assert again.exit_code == 1 and "finnes allerede" in again.output
    assert target.read_bytes() == before
    missing_dir = runner.invoke(args=["backup", str(tmp_path / "nei" / "kopi.db")])
    assert missing_dir.exit_code == 1 and "finnes ikke" in missing_dir.output


@pytest.mark.commits
def test_a_backup_under_load_holds_every_filing_receipted_before_it_began(
    sqlite_template: Path, tmp_path: Path
):
    """Four reporters file without pause through the app while `flask backup` runs; the copy,
    restored into a new file, holds every deviation whose receipt came before the backup began,
    with its history row, and passes SQLite's integrity check."""
    app = make_app(fresh_sqlite_url(sqlite_template, tmp_path), MAIL_OUTBOX_DIR=str(tmp_path))
    form = valid_form(app, send_likevel="1")  # each filing a case of its own: no duplicate warning
    receipts: list[tuple[float, str, str]] = []  # (when, reference, title)
    failures: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def reporter(number: int) -> None:
        client = app.test_client()
        login(client, "melder@trondheim.demo")
        sequence = 0
        while not stop.is_set():
            sequence += 1
            title = f"Sikkerhetskopi {number}-{sequence}"
            response = client.post("/avvik/nytt", data={**form, "title": title})
            if response.status_code != 302:
                failures.append(f"{response.status_code} {title}")
                continue
            with lock:
                receipts.append(
                    (time.monotonic(), response.headers["Location"].split("/")[2], title)
                )

    threads = [threading.Thread(target=reporter, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    try:
        while len(receipts) < 40 and not failures:
            time.sleep(0.05)
        began = time.monotonic()
        target = tmp_path / "backup.db"
        result = app.test_cli_runner().invoke(args=["backup", str(target)])
        ended = time.monotonic()
        while len([r for r in receipts if r[0] > ended]) < 20 and not failures:
            time.sleep(0.05)  # the load goes on after the copy
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert result.exit_code == 0, result.output
    assert failures == []

    restored = tmp_path / "restored.db"
    shutil.copyfile(target, restored)
    with closing(sqlite3.connect(restored)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    copy = make_app(f"sqlite:///{restored}")
    with copy.app_context():
        rows = dict(
            db.session.execute(
                sa.select(Deviation.reference, Deviation.title)
                .join(DeviationEvent)
                .where(DeviationEvent.kind == EventKind.CREATED)
            ).all()
        )
        db.engine.dispose()
    before = [(ref, title) for when, ref, title in receipts if when < began]
    after = [ref for when, ref, _ in receipts if when > ended]
    assert len(before) >= 40 and len(after) >= 20
    assert all(rows.get(ref) == title for ref, title in before)
    assert not any(ref in rows for ref in after)  # a snapshot, not a file still being written


def test_the_daily_run_deletes_copies_older_than_the_limit_and_nothing_else(app, runner, tmp_path):
    import os

    app.config.update(PATIENT_DATA_RETENTION_DAYS=30, BACKUP_RETENTION_DAYS=None)
    now = time.time()
    files = {
        "avvik-old.db": 31,
        "avvik-old.dump": 40,
        "avvik-young.db": 29,
        "notes-old.txt": 400,  # not a copy: never touched
    }
    for name, days in files.items():
        path = tmp_path / name
        path.write_bytes(b"x")
        os.utime(path, (now - days * 86400, now - days * 86400))
    result = runner.invoke(args=["maintenance", "--backups", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "Sikkerhetskopier eldre enn 30 dager slettet: 2" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["avvik-young.db", "notes-old.txt"]
    # BACKUP_RETENTION_DAYS, when set, is the limit instead.
    app.config.update(BACKUP_RETENTION_DAYS=10)
    result = runner.invoke(args=["maintenance", "--backups", str(tmp_path)])
    assert "Sikkerhetskopier eldre enn 10 dager slettet: 1" in result.output
    missing = runner.invoke(args=["maintenance", "--backups", str(tmp_path / "nei")])
    assert missing.exit_code == 2


def test_a_backup_says_how_long_it_may_live(app, runner, tmp_path):
    """On PostgreSQL the command copies nothing (pg_dump does) but says the same limit."""
    app.config.update(PATIENT_DATA_RETENTION_DAYS=30, BACKUP_RETENTION_DAYS=None)
    result = runner.invoke(args=["backup", str(tmp_path / "avvik-1.db")])
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        assert result.exit_code != 0 and "pg_dump" in result.output
    else:
        assert result.exit_code == 0, result.output
    assert "høyst 30 dager" in result.output and "--backups" in result.output
