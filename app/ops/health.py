"""The health check behind ``GET /helse``: is the database reachable, is its schema at the
migrations' head, and is mail going out.

Each check answers for itself, so one failing check never hides the others' figures; the
migrations and mail checks need the database and are skipped when it is unreachable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

import sqlalchemy as sa
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db
from app.models import MailStatus, OutboxMail, utcnow


@dataclass
class Health:
    checks: dict[str, dict[str, object]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_json(self) -> dict[str, object]:
        return {
            "status": "ok" if self.ok else "error",
            "checks": self.checks,
            "problems": self.problems,
        }


@cache
def _heads(directory: str) -> frozenset[str]:
    config = current_app.extensions["migrate"].migrate.get_config()
    return frozenset(ScriptDirectory.from_config(config).get_heads())


def migration_heads() -> frozenset[str]:
    """The revisions the code expects; read once per process (the files do not change while it
    runs)."""
    return _heads(str(current_app.extensions["migrate"].directory))


def check(now: datetime | None = None) -> Health:
    """Every check in the session's transaction; a failed one is rolled back and named."""
    now = now or utcnow()
    health = Health()
    try:
        db.session.execute(sa.text("SELECT 1"))
    except SQLAlchemyError as error:
        # Only the error's class: its text may name the server, the user and the statement.
        current_app.logger.warning("health: database unreachable (%s)", type(error).__name__)
        db.session.rollback()
        health.checks["database"] = {"ok": False, "error": type(error).__name__}
        health.problems.append(_("Databasen kan ikke nås."))
        return health
    health.checks["database"] = {"ok": True}
    for name, run in (("migrations", _check_migrations), ("mail", _check_mail)):
        try:
            run(health, now)
        except SQLAlchemyError as error:
            # Reachable, but the query failed: most often a table the migrations have not made.
            current_app.logger.warning("health: %s check failed (%s)", name, type(error).__name__)
            db.session.rollback()
            health.checks[name] = {"ok": False, "error": type(error).__name__}
            health.problems.append(
                _("Databasen svarer, men sjekken «%(check)s» feilet.", check=name)
            )
    return health


def _check_migrations(health: Health, now: datetime) -> None:
    expected = migration_heads()
    context = MigrationContext.configure(db.session.connection())
    current = frozenset(context.get_current_heads())
    ok = current == expected
    health.checks["migrations"] = {"ok": ok, "current": sorted(current), "head": sorted(expected)}
    if not ok:
        if not current:
            health.problems.append(_("Databasen har ingen migreringer: kjør «flask db upgrade»."))
        else:
            health.problems.append(
                _("Databasen er ikke migrert til siste versjon: kjør «flask db upgrade».")
            )


def _check_mail(health: Health, now: datetime) -> None:
    pending, oldest = db.session.execute(
        sa.select(sa.func.count(), sa.func.min(OutboxMail.created_at)).where(
            OutboxMail.status == MailStatus.PENDING
        )
    ).one()
    failed = db.session.scalar(
        sa.select(sa.func.count()).where(OutboxMail.status == MailStatus.FAILED)
    )
    age = None if oldest is None else max(0, int((now - oldest).total_seconds()))
    limit_minutes = int(current_app.config.get("HEALTH_MAIL_MAX_AGE_MINUTES", 30))
    ok = age is None or limit_minutes <= 0 or age <= limit_minutes * 60
    health.checks["mail"] = {
        "ok": ok,
        "unsent": pending,
        "oldest_unsent_seconds": age,
        "failed": failed,
    }
    if not ok:
        health.problems.append(
            _(
                "Den eldste usendte e-posten har ventet i %(minutes)d minutter: sjekk "
                "«flask send-mail» og SMTP-serveren.",
                minutes=age // 60,
            )
        )
