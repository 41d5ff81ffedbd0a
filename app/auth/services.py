"""Accounts and passwords."""

from __future__ import annotations

import sqlalchemy as sa
from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

from app.extensions import db
from app.models import Organisation, Role, Unit, User

_STRONG = PasswordHasher.from_parameters(profiles.RFC_9106_LOW_MEMORY)
# Tests create many accounts; the cheapest profile keeps a test run fast. Never in production.
_CHEAP = PasswordHasher.from_parameters(profiles.CHEAPEST)
# Verified against when the address is unknown, so a wrong address costs the same time.
_DUMMY_HASH = _STRONG.hash("not-a-real-password")


def _hasher() -> PasswordHasher:
    return _CHEAP if current_app.config.get("PASSWORD_HASH_CHEAP") else _STRONG


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def find_user(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))


def authenticate(email: str, password: str) -> User | None:
    user = find_user(email)
    try:
        _hasher().verify(user.password_hash if user and user.password_hash else _DUMMY_HASH, password)
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
