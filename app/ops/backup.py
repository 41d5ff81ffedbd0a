"""``flask backup FILE``: a consistent copy of the SQLite database while the app runs.

SQLite's online backup API copies the database in one step, inside one read transaction: the
copy is the database as it was at one moment, whatever the app commits meanwhile, and in WAL
mode the app's writers go on while it reads. (In several steps, each write by another
connection would restart the copy, so under steady load it might never finish.) The copy is
written beside the target and renamed into place only after SQLite's integrity check has passed
on it, so a FILE that exists is always a whole, checked backup.

PostgreSQL has its own tool for this: ``pg_dump`` (see the README).
"""

from __future__ import annotations

import sqlite3
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from app.extensions import db


@dataclass(frozen=True)
class BackupResult:
    path: Path
    deviations: int
    size_bytes: int
    seconds: float


class BackupFailed(Exception):
    pass


def backup_sqlite(source: Path, target: Path, busy_timeout_seconds: float = 30.0) -> BackupResult:
    """Copy ``source`` to ``target`` (which must not exist) and check the copy."""
    started = time.monotonic()
    partial = target.with_name(target.name + ".part")
    partial.unlink(missing_ok=True)
    try:
        with (
            closing(sqlite3.connect(source, timeout=busy_timeout_seconds)) as src,
            closing(sqlite3.connect(partial)) as dst,
        ):
            src.backup(dst)  # pages=-1: the whole database in one step
            # One self-contained file: the copy needs no -wal beside it.
            dst.execute("PRAGMA journal_mode=DELETE")
            problems = [row[0] for row in dst.execute("PRAGMA integrity_check")]
            if problems != ["ok"]:
                raise BackupFailed("; ".join(problems[:5]))
            deviations = dst.execute("SELECT count(*) FROM deviation").fetchone()[0]
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return BackupResult(target, deviations, target.stat().st_size, time.monotonic() - started)


# What `flask maintenance --backups DIR` deletes: the copies `flask backup` and the README's
# pg_dump line make, by name, so nothing else in the folder is ever touched.
BACKUP_PATTERNS = ("avvik-*.db", "avvik-*.dump")


def backup_max_age_days(config: dict) -> int:
    """How long a copy may live: BACKUP_RETENTION_DAYS, else PATIENT_DATA_RETENTION_DAYS. A
    copy holds every patient identity the database held when it was made; kept no longer than
    the identities themselves, an erased identity is gone from every copy at most that many
    days after its erasure."""
    configured = config.get("BACKUP_RETENTION_DAYS")
    if configured is not None:
        return int(configured)
    return int(config["PATIENT_DATA_RETENTION_DAYS"])


def delete_old_backups(directory: Path, max_age_days: int, now: float | None = None) -> list[Path]:
    """Delete the copies in ``directory`` (not below it) last written more than
    ``max_age_days`` ago; returns them."""
    cutoff = (time.time() if now is None else now) - max_age_days * 86400
    old = sorted(
        path
        for pattern in BACKUP_PATTERNS
        for path in directory.glob(pattern)
        if path.is_file() and path.stat().st_mtime < cutoff
    )
    for path in old:
        path.unlink()
    return old


@click.command("backup")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(target: Path) -> None:
    """Copy the SQLite database to FILE while the app runs (SQLite's online backup API).

    FILE must not exist. For PostgreSQL use pg_dump (see the README)."""
    url = db.session.get_bind().engine.url
    if url.get_backend_name() != "sqlite":
        days = backup_max_age_days(current_app.config)
        raise click.ClickException(
            "flask backup kopierer en SQLite-database. For PostgreSQL: "
            "pg_dump --format=custom --file=avvik-DATO.dump DATABASE (se README). "
            f"Kopien kan leve i høyst {days} dager: `flask maintenance --backups MAPPE` "
            "sletter eldre."
        )
    if not url.database or url.database == ":memory:":
        raise click.ClickException("Databasen ligger ikke i en fil; det er ingenting å kopiere.")
    if target.exists():
        raise click.ClickException(f"{target} finnes allerede. Velg et nytt filnavn.")
    if not target.parent.is_dir():
        raise click.ClickException(f"Mappen {target.parent} finnes ikke.")
    try:
        result = backup_sqlite(Path(url.database), target)
    except (sqlite3.Error, BackupFailed) as error:
        raise click.ClickException(f"Sikkerhetskopien feilet: {error}") from error
    click.echo(
        f"Sikkerhetskopi skrevet til {result.path}: {result.deviations} avvik, "
        f"{result.size_bytes / 1_000_000:.1f} MB, {result.seconds:.1f} s. "
        "Integritetssjekken er ok."
    )
    days = backup_max_age_days(current_app.config)
    click.echo(
        f"Kopien kan leve i høyst {days} dager (BACKUP_RETENTION_DAYS, ellers "
        f"PATIENT_DATA_RETENTION_DAYS): `flask maintenance --backups {target.parent}` "
        "sletter den etter det."
    )
