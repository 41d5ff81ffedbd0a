"""The open API's clients: one token each, per organisation, with scopes and an expiry.

A client acts through a system user of its organisation (``user_id``), named "API: <name>", so
the case history, the access log and the security log say which client did what. That user
holds no stored role and no password: it never signs in, is never mailed as a handler and never
counts as staffing a mottak; the roles its scopes imply are given to it per request
(app/api/access.py).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, UTCDateTime, enum_column, utcnow
from app.models.organisation import Organisation
from app.models.user import User

API_CLIENT_NAME_MAX = 80


class ApiClient(Base):
    __tablename__ = "api_client"
    __table_args__ = (sa.Index("ix_api_client_org", "organisation_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), unique=True)
    name: Mapped[str] = mapped_column(sa.String(API_CLIENT_NAME_MAX))
    # Space-separated, e.g. "deviations:read statistics:read" (app.api.scopes).
    scopes: Mapped[str] = mapped_column(sa.String(200))
    # sha256 hex of the token: a database leak gives no working token. The prefix (the first
    # characters of the token) lets an admin tell clients apart without the secret.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    token_prefix: Mapped[str] = mapped_column(sa.String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    # Written at most once a few minutes (as a login session's last visit), with a row in
    # the security log: a read-only call then costs no write.
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    organisation: Mapped[Organisation] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes.split())

    @property
    def scope_list(self) -> list[str]:
        return self.scopes.split()

    def is_live(self, now: datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now

    def __repr__(self) -> str:
        return f"<ApiClient {self.name!r} org={self.organisation_id}>"


IDEMPOTENCY_KEY_MAX = 100


class IdempotencyKey(Base):
    """A write made with an ``Idempotency-Key``: per client, the request's fingerprint and the
    answer it got, so a retried call gets the same answer and changes nothing again.

    Written in the same transaction as the write itself, and first: a second identical call
    waits on the unique key (PostgreSQL) or the write lock (SQLite) and then finds the answer.
    """

    __tablename__ = "api_idempotency_key"
    __table_args__ = (sa.UniqueConstraint("client_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(sa.ForeignKey("api_client.id"))
    key: Mapped[str] = mapped_column(sa.String(IDEMPOTENCY_KEY_MAX))
    # sha256 of method, path and body: the same key with another request is refused.
    fingerprint: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    status: Mapped[int | None]
    response: Mapped[str | None] = mapped_column(sa.Text)


WEBHOOK_URL_MAX = 500


class WebhookEndpoint(Base):
    """An organisation's HTTPS endpoint for the events it chose (app/api/webhooks.py)."""

    __tablename__ = "webhook_endpoint"
    __table_args__ = (sa.Index("ix_webhook_endpoint_org", "organisation_id", "active"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"))
    url: Mapped[str] = mapped_column(sa.String(WEBHOOK_URL_MAX))
    # Space-separated, e.g. "deviation.received message.posted".
    events: Mapped[str] = mapped_column(sa.String(200))
    # The HMAC key the receiver verifies with: shown once, kept to sign (it is a shared key).
    secret: Mapped[str] = mapped_column(sa.String(80))
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    organisation: Mapped[Organisation] = relationship()

    @property
    def event_list(self) -> list[str]:
        return self.events.split()


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"  # gave up after the last attempt: the admin page can send it again


class WebhookDelivery(Base):
    """One event for one endpoint: an outbox row, written in the transaction of its cause and
    delivered by `flask send-webhooks` as mail is by `flask send-mail`."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        sa.Index("ix_webhook_delivery_due", "status", "next_attempt_at"),
        sa.Index("ix_webhook_delivery_endpoint", "endpoint_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(sa.ForeignKey("webhook_endpoint.id"))
    # The event's own id (a UUID): the same on every attempt, so a receiver drops duplicates.
    event_id: Mapped[str] = mapped_column(sa.String(36), unique=True)
    event: Mapped[str] = mapped_column(sa.String(40))
    # JSON: ids and links only, never case text.
    payload: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    status: Mapped[DeliveryStatus] = mapped_column(
        enum_column(DeliveryStatus, "delivery_status"), default=DeliveryStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(sa.String(300))
    claim_token: Mapped[str | None] = mapped_column(sa.String(32))

    endpoint: Mapped[WebhookEndpoint] = relationship()
