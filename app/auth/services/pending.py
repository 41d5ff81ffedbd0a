"""The half-finished login: between a right password and the second factor (or its enrolment,
where REQUIRE_TOTP asks for one).

Kept in a row, not in the signed cookie: the cookie carries only a random id whose hash is here,
so whoever knows the signing key (the development key is public; old keys stay in
SECRET_KEY_FALLBACKS) still cannot name an account. A row is good for a few minutes and is
deleted when the login completes: used once.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa

from app.extensions import db
from app.models import PendingLogin, User, utcnow

PENDING_SECONDS = 300


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def start(user: User, next_url: str, language: str, now: datetime | None = None) -> str:
    """A pending login for ``user``; returns the id for the cookie (only its hash is stored).
    Rows that have run out, anyone's, go at the same time: the table stays a few rows long."""
    now = now or utcnow()
    db.session.execute(
        sa.delete(PendingLogin).where(
            PendingLogin.created_at < now - timedelta(seconds=PENDING_SECONDS)
        )
    )
    raw = secrets.token_urlsafe(32)
    db.session.add(
        PendingLogin(
            token_hash=_hash(raw),
            user_id=user.id,
            created_at=now,
            next_url=(next_url or "")[:2000],
            language=(language or "")[:5],
        )
    )
    db.session.flush()
    return raw


def find(raw: object, now: datetime | None = None) -> PendingLogin | None:
    """The live pending login the cookie's id names, of an active account; else None (whatever
    the cookie holds: a forged dict, an old id, nothing)."""
    if not isinstance(raw, str) or not raw:
        return None
    now = now or utcnow()
    row = db.session.scalar(sa.select(PendingLogin).where(PendingLogin.token_hash == _hash(raw)))
    if row is None or row.created_at < now - timedelta(seconds=PENDING_SECONDS):
        return None
    return row if row.user.active else None


def use(row: PendingLogin) -> bool:
    """The login completes: the row is deleted. False when another request used it first."""
    deleted = db.session.execute(
        sa.delete(PendingLogin)
        .where(PendingLogin.id == row.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.expunge(row)
    return bool(deleted)


def setup_secret(row: PendingLogin, new_secret: str) -> str:
    """The authenticator secret shown while enrolling at login: the same on every reload, so
    the QR code already scanned stays valid."""
    if not row.totp_setup_secret:
        row.totp_setup_secret = new_secret
        db.session.flush()
    return row.totp_setup_secret
