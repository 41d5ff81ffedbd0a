"""Single-use links: an invitation (72 hours) and a password reset (1 hour).

Only a sha256 hash of the secret in the link is stored. Setting a password through a link
ends every session of the account and clears its failed attempts: whoever holds the mailbox
has shown they own the account.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa

from app.auth import notify
from app.auth.services import sessions
from app.auth.services.accounts import find_user, set_new_password
from app.auth.services.security_log import Client, record
from app.extensions import db
from app.models import AuthToken, SecurityEvent, TokenPurpose, User, utcnow

INVITATION_VALID_HOURS = 72
# A reset link is asked for by someone who is at their mailbox now; it need not live long.
RESET_VALID_HOURS = 1
# The invitation's lifetime, under its old name (the admin pages show it).
LINK_VALID_HOURS = INVITATION_VALID_HOURS

VALID_HOURS = {
    TokenPurpose.INVITATION: INVITATION_VALID_HOURS,
    TokenPurpose.RESET: RESET_VALID_HOURS,
}


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def issue_token(user: User, purpose: TokenPurpose, now: datetime | None = None) -> str:
    """A new link secret for ``user``; earlier unused links of the user stop working."""
    now = now or utcnow()
    revoke_tokens(user, now)
    raw = secrets.token_urlsafe(32)
    db.session.add(
        AuthToken(
            user_id=user.id,
            purpose=purpose,
            token_hash=_hash_token(raw),
            created_at=now,
            expires_at=now + timedelta(hours=VALID_HOURS[purpose]),
        )
    )
    db.session.flush()
    return raw


def revoke_tokens(user: User, now: datetime | None = None) -> None:
    db.session.execute(
        sa.update(AuthToken)
        .where(AuthToken.user_id == user.id, AuthToken.used_at.is_(None))
        .values(used_at=now or utcnow())
    )


def valid_token(raw: str, now: datetime | None = None) -> AuthToken | None:
    """The token behind a link if it is unused, unexpired and its user active; else None."""
    now = now or utcnow()
    if not raw or len(raw) > 100:
        return None
    token = db.session.scalar(sa.select(AuthToken).where(AuthToken.token_hash == _hash_token(raw)))
    if token is None or token.used_at is not None or token.expires_at <= now:
        return None
    if not token.user.active:
        return None
    return token


def use_token(
    raw: str, new_password: str, now: datetime | None = None, client: Client | None = None
) -> User | None:
    """Set the password through a link, once. None when the link is expired, used or unknown.

    The conditional UPDATE claims the token: of two simultaneous submissions only one matches.
    """
    now = now or utcnow()
    token = valid_token(raw, now)
    if token is None:
        return None
    claimed = db.session.execute(
        sa.update(AuthToken)
        .where(AuthToken.id == token.id, AuthToken.used_at.is_(None), AuthToken.expires_at > now)
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        return None
    user = token.user
    had_password = user.password_hash is not None
    set_new_password(user, new_password)
    sessions.end_all_sessions(user)
    record(
        SecurityEvent.PASSWORD_CHANGED,
        user=user,
        client=client,
        detail=token.purpose.value,
        now=now,
    )
    if had_password:
        notify.password_changed(user, now)
    return user


def send_link(user: User, purpose: TokenPurpose, now: datetime | None = None) -> None:
    """Issue a link and queue the mail carrying it. Flushes; the caller commits."""
    notify.link_mail(user, purpose, issue_token(user, purpose, now), VALID_HOURS[purpose])


def request_password_reset(email: str, now: datetime | None = None) -> None:
    """'Glemt passord': a link to an active account, and nothing at all otherwise.

    The caller answers the same either way, so the page never tells whether an address exists.
    """
    user = find_user(email)
    if user is None or not user.active:
        # Hash something of the same size so the two paths cost about the same CPU.
        _hash_token(secrets.token_urlsafe(32))
        return
    send_link(user, TokenPurpose.RESET, now)
