"""The admin log: one entry per change (before and after as JSON), and reading them back."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from app.common import permissions
from app.extensions import db
from app.models import AdminLogEntry, User, utcnow


def log(
    actor: User,
    action: str,
    target: Any,
    organisation_id: int | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    label: str | None = None,
    now: datetime | None = None,
) -> AdminLogEntry:
    entry = AdminLogEntry(
        at=now or utcnow(),
        actor_id=actor.id,
        organisation_id=organisation_id,
        action=action,
        target_type=type(target).__tablename__,
        target_id=target.id,
        target_label=(label if label is not None else getattr(target, "name", ""))[:254],
        before=before,
        after=after,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def log_entries(
    viewer: User, limit: int = 100, before_id: int | None = None
) -> list[AdminLogEntry]:
    """Newest first. A lokal_admin reads their own organisation's entries only."""
    query = sa.select(AdminLogEntry).order_by(AdminLogEntry.id.desc()).limit(limit)
    if not permissions.can(viewer, "see_all", permissions.ADMIN_AREA):
        query = query.where(AdminLogEntry.organisation_id == viewer.organisation_id)
    if before_id is not None:
        query = query.where(AdminLogEntry.id < before_id)
    return list(db.session.scalars(query))
