"""Accounts and passwords."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.mail.services import absolute_url, queue_mail
from app.models import AuthToken, Organisation, Role, TokenPurpose, Unit, User, utcnow

_STRONG = PasswordHasher.from_parameters(profiles.RFC_9106_LOW_MEMORY)
# Tests create many accounts; the cheapest profile keeps a test run fast. Never in production.
_CHEAP = PasswordHasher.from_parameters(profiles.CHEAPEST)
# Verified against when the address is unknown, so a wrong address costs the same time.
_DUMMY_HASH = _STRONG.hash("not-a-real-password")


def _hasher() -> PasswordHasher:
    return _CHEAP if current_app.config.get("PASSWORD_HASH_CHEAP") else _STRONG


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def load_session_user(user_id: int) -> User | None:
    """The logged-in account for this request, with its organisation and roles: every page
    needs all three. Active accounts only."""
    user = db.session.get(
        User, user_id, options=[joinedload(User.organisation), joinedload(User.role_rows)]
    )
    return user if user is not None and user.active else None


def find_user(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))


def authenticate(email: str, password: str) -> User | None:
    user = find_user(email)
    try:
        _hasher().verify(
            user.password_hash if user and user.password_hash else _DUMMY_HASH, password
        )
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active or not user.password_hash:
        return None
    if _hasher().check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def create_user(
    email: str,
    name: str,
    organisation: Organisation,
    password: str | None,
    roles: set[Role] | None = None,
    unit: Unit | None = None,
) -> User:
    user = User(
        email=email.strip().lower(),
        name=name,
        organisation=organisation,
        unit=unit,
        password_hash=hash_password(password) if password else None,
    )
    user.set_roles(roles or set())
    db.session.add(user)
    db.session.flush()
    return user


# --- Single-use links: invitation and password reset ----------------------------------------

LINK_VALID_HOURS = 72


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
            expires_at=now + timedelta(hours=LINK_VALID_HOURS),
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


def use_token(raw: str, new_password: str, now: datetime | None = None) -> User | None:
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
    user.password_hash = hash_password(new_password)
    db.session.flush()
    return user


def _link_mail(user: User, purpose: TokenPurpose, raw: str) -> None:
    # The mail goes out in the recipient's language, whoever triggered it.
    link = absolute_url("auth.set_password", token=raw)
    with force_locale(user.language or "nb"):
        if purpose is TokenPurpose.INVITATION:
            subject = _("Du er invitert til Samhandlingsavvik")
            body = _(
                "Hei %(name)s,\n\n"
                "Du har fått en konto i Samhandlingsavvik for %(organisation)s.\n"
                "Velg ditt eget passord her (lenken virker i %(hours)s timer og kan brukes én gang):\n\n"
                "%(link)s\n\n"
                "Brukernavnet ditt er e-postadressen %(email)s.\n",
                name=user.name,
                organisation=user.organisation.name,
                hours=LINK_VALID_HOURS,
                link=link,
                email=user.email,
            )
        else:
            subject = _("Nytt passord til Samhandlingsavvik")
            body = _(
                "Hei %(name)s,\n\n"
                "Noen (forhåpentlig du) har bedt om å sette nytt passord for kontoen din.\n"
                "Velg nytt passord her (lenken virker i %(hours)s timer og kan brukes én gang):\n\n"
                "%(link)s\n\n"
                "Har du ikke bedt om dette, kan du se bort fra e-posten. Passordet ditt er uendret.\n",
                name=user.name,
                hours=LINK_VALID_HOURS,
                link=link,
            )
    queue_mail(user.email, subject, body)


def send_link(user: User, purpose: TokenPurpose, now: datetime | None = None) -> None:
    """Issue a link and queue the mail carrying it. Flushes; the caller commits."""
    _link_mail(user, purpose, issue_token(user, purpose, now))


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


def set_language(user: User, language: str) -> None:
    user.language = language
    db.session.flush()
