"""Login sessions: a server-side row per signed-in browser, found by the hash of the cookie's id.

Flask-Login's "alternative tokens": ``User.get_id()`` returns the session's id, so the cookie
holds that and not the user's id, and the user loader finds the row, checks the idle and the
absolute limit, and notes the visit. Logout deletes the row; a copy of the cookie is then worth
nothing.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload

from app.auth.services.security_log import Client, record
from app.extensions import db
from app.models import LoginSession, SecurityEvent, User, utcnow

# last_seen_at is written at most this often per session: the idle limit is counted in
# minutes, and a write per page view would make every page a write transaction.
TOUCH_SECONDS = 60


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def idle_limit() -> timedelta:
    seconds = current_app.config.get("SESSION_IDLE_SECONDS")
    if seconds:
        return timedelta(seconds=int(seconds))
    return timedelta(minutes=int(current_app.config["SESSION_IDLE_MINUTES"]))


def touch_interval() -> timedelta:
    """How often a session's visit is written: once a minute, or a quarter of the idle limit
    when that is shorter, so a person who keeps working is never logged out."""
    return min(timedelta(seconds=TOUCH_SECONDS), idle_limit() / 4)


def absolute_limit() -> timedelta:
    return timedelta(hours=int(current_app.config["SESSION_MAX_HOURS"]))


def start_session(
    user: User,
    client: Client,
    *,
    provider: str | None = None,
    id_token: str | None = None,
    second_factor: bool = False,
    now: datetime | None = None,
) -> str:
    """A new session for ``user``; returns the id for the cookie (only its hash is stored)."""
    now = now or utcnow()
    raw = secrets.token_urlsafe(32)
    db.session.add(
        LoginSession(
            token_hash=_hash(raw),
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            ip_address=client.ip_address[:45],
            user_agent=client.user_agent[:255],
            provider=provider,
            id_token=id_token,
            second_factor=second_factor,
        )
    )
    db.session.flush()
    user.session_token = raw
    return raw


@dataclass(frozen=True)
class Lookup:
    """What the cookie's id points at: a live session, or why there is none."""

    session: LoginSession | None
    ended: str | None = None  # "idle" or "max_age" when the row was there but has run out
    stale: bool = False  # last_seen_at is old enough to be written again
    # Whose session ran out (with ``ended``): a form posted after it is kept for them alone.
    ended_user_id: int | None = None


def find_session(raw: str | None, now: datetime | None = None) -> Lookup:
    now = now or utcnow()
    if not raw or len(raw) > 100:
        return Lookup(None)
    row = db.session.scalar(sa.select(LoginSession).where(LoginSession.token_hash == _hash(raw)))
    if row is None:
        return Lookup(None)
    if now - row.created_at >= absolute_limit():
        return Lookup(None, "max_age", ended_user_id=row.user_id)
    if now - row.last_seen_at >= idle_limit():
        return Lookup(None, "idle", ended_user_id=row.user_id)
    return Lookup(row, stale=now - row.last_seen_at >= touch_interval())


def ends_at(row: LoginSession, last_seen: datetime) -> datetime:
    """When the session ends unless it is used again: the idle limit counted from ``last_seen``,
    or the absolute limit, whichever comes first."""
    return min(last_seen + idle_limit(), row.created_at + absolute_limit())


def touch(session_id: int, now: datetime | None = None) -> None:
    db.session.execute(
        sa.update(LoginSession)
        .where(LoginSession.id == session_id)
        .values(last_seen_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )


def session_user(row: LoginSession, raw: str) -> User | None:
    """The session's account with its organisation (every page shows it); active ones only."""
    user = db.session.get(
        User, row.user_id, options=[joinedload(User.organisation), joinedload(User.role_rows)]
    )
    if user is None or not user.active:
        return None
    user.session_token = raw
    user.login_session_id = row.id
    return user


def end_session(user: User, raw: str | None, client: Client, now: datetime | None = None) -> None:
    """Logout: the row goes, and the event is logged."""
    if raw:
        db.session.execute(
            sa.delete(LoginSession).where(
                LoginSession.token_hash == _hash(raw), LoginSession.user_id == user.id
            )
        )
    record(SecurityEvent.LOGOUT, user=user, client=client, now=now)


def current_session(user: User) -> LoginSession | None:
    session_id = getattr(user, "login_session_id", None)
    return db.session.get(LoginSession, session_id) if session_id else None


def setup_secret(user: User, new_secret: str | None) -> str | None:
    """The authenticator secret being set up from Min konto, on the current session's row: the
    same on every reload (the QR code already scanned stays valid), gone once confirmed
    (``new_secret`` None) or when the session ends."""
    row = current_session(user)
    if row is None:
        return new_secret
    if new_secret is None or not row.totp_setup_secret:
        row.totp_setup_secret = new_secret
        db.session.flush()
    return row.totp_setup_secret


def end_all_sessions(user: User, except_id: int | None = None) -> int:
    """Every session of ``user`` (but ``except_id``) ends now; returns how many."""
    statement = sa.delete(LoginSession).where(LoginSession.user_id == user.id)
    if except_id is not None:
        statement = statement.where(LoginSession.id != except_id)
    return db.session.execute(statement).rowcount


def live_sessions(user: User, now: datetime | None = None) -> list[LoginSession]:
    """The user's sessions that have not run out, the most recently used first."""
    now = now or utcnow()
    return list(
        db.session.scalars(
            sa.select(LoginSession)
            .where(
                LoginSession.user_id == user.id,
                LoginSession.last_seen_at > now - idle_limit(),
                LoginSession.created_at > now - absolute_limit(),
            )
            .order_by(LoginSession.last_seen_at.desc(), LoginSession.id.desc())
        )
    )


def end_one_session(
    actor: User, owner: User, session_id: int, client: Client, now: datetime | None = None
) -> bool:
    """End one of ``owner``'s sessions (from "Mine innlogginger", or an admin); False if it
    was not theirs or had ended already."""
    ended = db.session.execute(
        sa.delete(LoginSession).where(
            LoginSession.id == session_id, LoginSession.user_id == owner.id
        )
    ).rowcount
    if ended:
        record(
            SecurityEvent.SESSION_ENDED,
            user=owner,
            client=client,
            actor=actor if actor.id != owner.id else None,
            detail="user" if actor.id == owner.id else "admin",
            now=now,
        )
    return bool(ended)


def delete_expired(now: datetime, idle: timedelta, maximum: timedelta) -> int:
    """Rows that can no longer sign anyone in (the daily maintenance)."""
    result = db.session.execute(
        sa.delete(LoginSession).where(
            sa.or_(LoginSession.last_seen_at < now - idle, LoginSession.created_at < now - maximum)
        )
    )
    return result.rowcount
