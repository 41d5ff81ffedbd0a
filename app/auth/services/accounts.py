"""Accounts and passwords: hashing, the password step of a login, changing a password."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import lazy_gettext as _l

from app.auth import notify
from app.auth.services import sessions
from app.auth.services.passwords import password_message, password_problem
from app.auth.services.security_log import Client, record
from app.auth.services.throttle import clear_failures, is_locked, register_failure
from app.common.errors import ServiceError
from app.extensions import db
from app.models import Organisation, Role, SecurityEvent, Unit, User, utcnow

_STRONG = PasswordHasher.from_parameters(profiles.RFC_9106_LOW_MEMORY)
# Tests create many accounts; the cheapest profile keeps a test run fast. Never in production.
_CHEAP = PasswordHasher.from_parameters(profiles.CHEAPEST)
# Verified against when the address is unknown or the account waits, so every refusal costs
# the same time as a wrong password.
_DUMMY_HASH = _STRONG.hash("not-a-real-password")
_DUMMY_HASH_CHEAP = _CHEAP.hash("not-a-real-password")


def _hasher() -> PasswordHasher:
    return _CHEAP if current_app.config.get("PASSWORD_HASH_CHEAP") else _STRONG


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def _verify(password_hash: str | None, password: str) -> bool:
    try:
        dummy = _DUMMY_HASH_CHEAP if _hasher() is _CHEAP else _DUMMY_HASH
        return _hasher().verify(password_hash or dummy, password)
    except (VerificationError, InvalidHashError):
        return False


def find_user(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))


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


@dataclass(frozen=True)
class PasswordCheck:
    """The password step of a login: the account when the password was right and may be used,
    else why not ("failed", or "sso_only" when the password was right but the organisation
    signs in only through its own provider)."""

    user: User | None
    refusal: str | None = None


@dataclass(frozen=True)
class PasswordAttempt:
    """What the slow step of a login found, before anything is written: the account (None for
    an unknown address), whether it must wait, and whether the password was right."""

    email: str
    password: str = field(repr=False)
    user: User | None
    locked: bool
    right: bool


def try_password(email: str, password: str, now: datetime | None = None) -> PasswordAttempt:
    """The password step's reading and hashing, which writes nothing: a route runs it before its
    write block, because the hash is the slow step (a tenth of a second) and on SQLite the
    write lock is the whole database's. ``record_password_check`` then writes the outcome.

    One hash in every case, the dummy for an unknown or waiting account: the time it takes
    tells nothing.
    """
    now = now or utcnow()
    user = find_user(email)
    locked = user is not None and is_locked(user, now)
    stored = user.password_hash if user is not None and not locked else None
    right = _verify(stored, password) and stored is not None  # never the dummy's password
    return PasswordAttempt(email, password, user, locked, right)


def record_password_check(
    attempt: PasswordAttempt, client: Client, now: datetime | None = None
) -> PasswordCheck:
    """Log the password step's outcome (and count a failure). A right password is not yet a
    login: the caller asks for the second factor when the account has one, then calls
    ``complete_login``.

    Every refusal looks the same to the person trying: an unknown address, a wrong password,
    a deactivated account and an account that must wait all took one hash and say "failed".
    """
    now = now or utcnow()
    user = attempt.user
    if user is None:
        record(
            SecurityEvent.LOGIN_FAILED, email=attempt.email, client=client, detail="unknown_account"
        )
        return PasswordCheck(None, "failed")
    if attempt.locked:
        record(SecurityEvent.LOGIN_FAILED, user=user, client=client, detail="locked", now=now)
        return PasswordCheck(None, "failed")
    if not attempt.right:
        register_failure(user, client, "wrong_password", now)
        return PasswordCheck(None, "failed")
    if not user.active:
        record(SecurityEvent.LOGIN_FAILED, user=user, client=client, detail="inactive", now=now)
        return PasswordCheck(None, "failed")
    if user.organisation.sso_only:
        record(SecurityEvent.LOGIN_FAILED, user=user, client=client, detail="sso_only", now=now)
        return PasswordCheck(None, "sso_only")
    if _hasher().check_needs_rehash(user.password_hash):  # type: ignore[arg-type]
        user.password_hash = hash_password(attempt.password)
    return PasswordCheck(user)


def check_password(
    email: str, password: str, client: Client, now: datetime | None = None
) -> PasswordCheck:
    """Both steps at once, for callers that hold no lock worth sparing."""
    return record_password_check(try_password(email, password, now), client, now)


def authenticate(email: str, password: str) -> User | None:
    """The password step alone, for callers that only ask whether a password is right."""
    return check_password(email, password, Client()).user


def complete_login(
    user: User,
    client: Client,
    *,
    method: str,
    second_factor: bool = False,
    provider: str | None = None,
    id_token: str | None = None,
    now: datetime | None = None,
) -> str:
    """Every factor has passed: a new session, the failure count cleared, the login logged.
    Returns the new session's id for the cookie."""
    now = now or utcnow()
    clear_failures(user)
    raw = sessions.start_session(
        user, client, provider=provider, id_token=id_token, second_factor=second_factor, now=now
    )
    record(SecurityEvent.LOGIN, user=user, client=client, detail=method, now=now)
    return raw


def set_language(user: User, language: str) -> None:
    user.language = language
    db.session.flush()


def set_new_password(user: User, password: str) -> None:
    user.password_hash = hash_password(password)
    clear_failures(user)
    db.session.flush()


def change_password(
    user: User, current: str, new: str, client: Client, now: datetime | None = None
) -> str:
    """ "Endre passord": the current password must be right. Every session of the user ends;
    the browser that asked gets a new one (returned, for the cookie). The user is told by mail.
    """
    now = now or utcnow()
    if not user.password_hash or not _verify(user.password_hash, current):
        raise ServiceError(_l("Passordet er feil."), "current_password", "wrong_password")
    problem = password_problem(new, user.email)
    if problem:
        raise ServiceError(password_message(problem), "password", problem)
    if _verify(user.password_hash, new):
        raise ServiceError(
            _l("Det nye passordet er det samme som det gamle."), "password", "unchanged"
        )
    previous = sessions.current_session(user)
    set_new_password(user, new)
    sessions.end_all_sessions(user)
    record(SecurityEvent.PASSWORD_CHANGED, user=user, client=client, detail="change", now=now)
    notify.password_changed(user, now)
    return sessions.start_session(
        user,
        client,
        second_factor=previous.second_factor if previous else False,
        now=now,
    )
