"""Online backup under load: while 16 clients file, back the database up as the README says
(`flask backup FILE` on SQLite, `pg_dump` on PostgreSQL), restore the copy into a new database
and find in it every deviation that had a receipt before the backup began."""

from __future__ import annotations

import shutil
import subprocess
import time
import uuid

from reliability import checks
from reliability.database import Database, pg_execute
from reliability.environment import WORK, app_env, flask
from reliability.figures import Figures
from reliability.scenarios.load import FilingLoad
from reliability.server import Server

CLIENTS = 16


def _back_up(db: Database) -> tuple[Database, str]:
    """Back up, then restore into a new database; (the restored database, what was run)."""
    restored = Database(db.kind, f"{db.name}_restored")
    if db.kind == "sqlite":
        target = WORK / f"{db.name}.backup"
        flask(app_env(db.url), "backup", str(target))
        shutil.copyfile(target, restored.path)  # a restore: the file put in place
        return restored, "flask backup"
    dump = WORK / f"{db.name}.dump"
    subprocess.run(
        ["pg_dump", "--format=custom", f"--file={dump}", db.conninfo],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    pg_execute(f'CREATE DATABASE "{restored.name}"')
    subprocess.run(
        ["pg_restore", "--no-owner", f"--dbname={restored.conninfo}", str(dump)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    return restored, "pg_dump"


def run(template: Database, scale: float = 1.0) -> Figures:
    figures = Figures("backup under load", template.kind)
    db = template.copy("backup")
    server = Server(db, f"backup-{db.kind}")
    started = time.monotonic()
    load = FilingLoad(server.port, f"B{uuid.uuid4().hex[:6]}", CLIENTS).start()
    try:
        load.wait_for(max(100, int(500 * scale)))
        began = time.monotonic()
        restored, how = _back_up(db)
        ended = time.monotonic()
        load.wait_for(len(load.receipts) + 100)
    finally:
        load.stop()
        server.stop()
    figures.seconds = time.monotonic() - started
    figures.add(load.tally)
    before = {r: f for r, f in load.receipts.items() if load.receipt_times[r] < began}
    during = [r for r in load.receipts if began <= load.receipt_times[r] <= ended]
    lost = checks.lost_receipts(restored, before)
    half = checks.half_written(restored)
    figures.deviations_lost = len(lost)
    in_copy = {r for (r,) in restored.rows("SELECT reference FROM deviation")}
    figures.notes.append(
        f"{how} took {ended - began:.1f} s while {CLIENTS} clients filed; the restored copy holds "
        f"all {len(before)} deviations receipted before it began, {sum(r in in_copy for r in during)} "
        f"of the {len(during)} receipted while it ran, and {len(in_copy)} in all."
    )
    figures.require(not load.errors, f"clients failed: {load.errors[:1]}")
    figures.require(figures.server_errors == 0, "no server errors")
    figures.require(not lost, f"every earlier receipt in the copy ({lost[:3]})")
    figures.require(not half, "; ".join(half))
    figures.require(not checks.reference_gaps(restored), "the copy's references gap-free")
    restored.drop()
    db.drop()
    return figures
