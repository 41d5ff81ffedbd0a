"""API clients and their tokens: created by an organisation's admin, shown once, stored hashed,
revoked at once; and the check every call makes.

A token is ``avvik_`` and 43 characters of ``secrets.token_urlsafe(32)`` (256 bits): sha256 of
it is as safe to store as a password hash and costs nothing to check.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from app.api.scopes import SCOPES
from app.auth.services.security_log import Client, record
from app.common.errors import ServiceError
from app.extensions import db
from app.models import ApiClient, Organisation, SecurityEvent, User, utcnow
from app.models.api import API_CLIENT_NAME_MAX

TOKEN_PREFIX = "avvik_"
# A token lives at most this long; its client makes a new one before then.
MAX_VALIDITY = timedelta(days=731)
# Token use is written to the security log (and the client's row) at most this often.
USE_NOTED_EVERY = timedelta(minutes=5)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class NewClient:
    client: ApiClient
    token: str  # shown once, never stored


def create_client(
    actor: User,
    organisation: Organisation,
    name: str,
    scopes: set[str],
    expires_at: datetime,
    now: datetime | None = None,
) -> NewClient:
    """A client of ``organisation`` and its system user. Flushes; the caller commits."""
    now = now or utcnow()
    name = (name or "").strip()
    if not name:
        raise ServiceError(_("Gi klienten et navn."), "name", "empty")
    if len(name) > API_CLIENT_NAME_MAX:
        raise ServiceError(
            _("Navnet er for langt: høyst %(max)d tegn.", max=API_CLIENT_NAME_MAX), "name", "long"
        )
    if not scopes:
        raise ServiceError(_("Velg minst én tilgang."), "scopes", "empty")
    if not scopes <= set(SCOPES):
        raise ServiceError(_("Valget finnes ikke lenger. Velg på nytt."), "scopes", "unknown")
    if expires_at <= now:
        raise ServiceError(_("Utløpsdatoen må være fram i tid."), "expires_on", "past")
    if expires_at > now + MAX_VALIDITY:
        raise ServiceError(_("En nøkkel kan gjelde i høyst to år."), "expires_on", "too_far")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    user = User(
        # Never a deliverable address (.invalid): nothing is ever mailed to a client.
        email=f"api-{secrets.token_hex(8)}@api.avvik.invalid",
        name=_("API: %(name)s", name=name)[:120],
        organisation=organisation,
        password_hash=None,
        language="nb",
    )
    db.session.add(user)
    client = ApiClient(
        organisation=organisation,
        user=user,
        name=name,
        scopes=" ".join(s for s in SCOPES if s in scopes),
        token_hash=token_hash(token),
        token_prefix=token[: len(TOKEN_PREFIX) + 4],
        created_at=now,
        created_by_id=actor.id,
        expires_at=expires_at,
    )
    db.session.add(client)
    db.session.flush()
    record(SecurityEvent.API_CLIENT_CREATED, user=user, actor=actor, detail=client.scopes, now=now)
    return NewClient(client, token)


def revoke(client: ApiClient, actor: User, now: datetime | None = None) -> None:
    """The token stops working at once; the client stays listed. Flushes."""
    if client.revoked_at is not None:
        return
    now = now or utcnow()
    client.revoked_at = now
    client.revoked_by_id = actor.id
    client.user.active = False
    db.session.flush()
    record(SecurityEvent.API_CLIENT_REVOKED, user=client.user, actor=actor, now=now)


def clients_of(organisation_id: int) -> list[ApiClient]:
    return list(
        db.session.scalars(
            sa.select(ApiClient)
            .where(ApiClient.organisation_id == organisation_id)
            .options(joinedload(ApiClient.created_by))
            .order_by(ApiClient.id.desc())
        )
    )


@dataclass(frozen=True)
class Check:
    """A token's check: the client when it may be used, else why not."""

    client: ApiClient | None
    refusal: str | None = None


def check_token(token: str | None, now: datetime | None = None) -> Check:
    if not token:
        return Check(None, "missing")
    if not token.startswith(TOKEN_PREFIX) or len(token) > 100:
        return Check(None, "malformed")
    client = db.session.scalar(
        sa.select(ApiClient)
        .where(ApiClient.token_hash == token_hash(token))
        .options(joinedload(ApiClient.user))
    )
    if client is None:
        return Check(None, "unknown")
    now = now or utcnow()
    if client.revoked_at is not None:
        return Check(client, "revoked")
    if client.expires_at <= now:
        return Check(client, "expired")
    return Check(client)


def note_refusal(check: Check, client_info: Client, now: datetime | None = None) -> None:
    """A refused token in the security log: the client's own organisation sees its rows."""
    user = check.client.user if check.client is not None else None
    record(
        SecurityEvent.API_TOKEN_REFUSED,
        user=user,
        client=client_info,
        detail=check.refusal or "",
        now=now,
    )


def use_is_due(client: ApiClient, now: datetime) -> bool:
    return client.last_used_at is None or now - client.last_used_at >= USE_NOTED_EVERY


def note_use(client: ApiClient, client_info: Client, now: datetime | None = None) -> None:
    """Flushes; the caller commits."""
    now = now or utcnow()
    client.last_used_at = now
    record(SecurityEvent.API_TOKEN_USED, user=client.user, client=client_info, now=now)
