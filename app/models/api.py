"""The open API's clients: one token each, per organisation, with scopes and an expiry.

A client acts through a system user of its organisation (``user_id``), named "API: <name>", so
the case history, the access log and the security log say which client did what. That user
holds no stored role and no password: it never signs in, is never mailed as a handler and never
counts as staffing a mottak; the roles its scopes imply are given to it per request
(app/api/access.py).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, UTCDateTime, utcnow
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
