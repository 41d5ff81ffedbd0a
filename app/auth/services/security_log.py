"""Writing the security log. Every sign-in event goes through ``record``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from app.extensions import db
from app.models import SecurityEvent, SecurityLogEntry, User, utcnow


@dataclass(frozen=True)
class Client:
    """Where a request came from, as the log keeps it (the route reads it off the request)."""

    ip_address: str = ""
    user_agent: str = ""


def tried_address(email: str | None) -> str:
    """The address someone typed, as the log may keep it.

    Only something shaped like an address: a password typed into the e-mail field by mistake
    must not end up in a log that admins read.
    """
    email = (email or "").strip().lower()
    if "@" not in email or len(email) > 254 or any(c.isspace() for c in email):
        return ""
    return email


def record(
    event: SecurityEvent,
    *,
    user: User | None = None,
    email: str | None = None,
    client: Client | None = None,
    detail: str = "",
    actor: User | None = None,
    now: datetime | None = None,
) -> SecurityLogEntry:
    client = client or Client()
    entry = SecurityLogEntry(
        at=now or utcnow(),
        event=event,
        user_id=user.id if user else None,
        organisation_id=user.organisation_id if user else None,
        email=user.email if user else tried_address(email),
        actor_id=actor.id if actor else None,
        ip_address=client.ip_address[:45],
        user_agent=client.user_agent[:255],
        detail=detail[:60],
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def entries(
    viewer_org_id: int | None,
    *,
    limit: int = 100,
    before_id: int | None = None,
    email: str = "",
) -> list[SecurityLogEntry]:
    """Newest first; one organisation's rows, or all when ``viewer_org_id`` is None."""
    query = sa.select(SecurityLogEntry).order_by(SecurityLogEntry.id.desc()).limit(limit)
    if viewer_org_id is not None:
        query = query.where(SecurityLogEntry.organisation_id == viewer_org_id)
    if before_id is not None:
        query = query.where(SecurityLogEntry.id < before_id)
    email = email.strip().lower()
    if email:
        query = query.where(SecurityLogEntry.email.contains(email, autoescape=True))
    return list(db.session.scalars(query))


def own_entries(user: User, limit: int = 50) -> list[SecurityLogEntry]:
    """A person's own rows, newest first, for *Min konto* (GDPR art. 15: what is logged about
    one's own account). Kept SECURITY_LOG_DAYS like every row."""
    return list(
        db.session.scalars(
            sa.select(SecurityLogEntry)
            .where(SecurityLogEntry.user_id == user.id)
            .order_by(SecurityLogEntry.id.desc())
            .limit(limit)
        )
    )


def delete_older_than(cutoff: datetime) -> int:
    result = db.session.execute(sa.delete(SecurityLogEntry).where(SecurityLogEntry.at < cutoff))
    return result.rowcount
