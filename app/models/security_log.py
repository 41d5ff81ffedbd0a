"""The security log: logins, failures, locks, logouts and changes to how an account signs in.

Kept for SECURITY_LOG_DAYS (the daily maintenance deletes older rows); never edited.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, UTCDateTime, enum_column, utcnow
from app.models.organisation import Organisation
from app.models.user import User


class SecurityEvent(StrEnum):
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOCKED = "locked"
    LOGOUT = "logout"
    PASSWORD_CHANGED = "password_changed"
    SECOND_FACTOR_ENROLLED = "second_factor_enrolled"
    SECOND_FACTOR_RESET = "second_factor_reset"
    SESSION_ENDED = "session_ended"
    # The open API (app/api): a client's token used (at most once a few minutes), refused,
    # and a client created or revoked by an admin.
    API_TOKEN_USED = "api_token_used"
    API_TOKEN_REFUSED = "api_token_refused"
    API_CLIENT_CREATED = "api_client_created"
    API_CLIENT_REVOKED = "api_client_revoked"


class SecurityLogEntry(Base):
    __tablename__ = "security_log_entry"
    __table_args__ = (sa.Index("ix_security_log_entry_org_id", "organisation_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    event: Mapped[SecurityEvent] = mapped_column(enum_column(SecurityEvent, "security_event"))
    # The account concerned, when there is one; else only the address that was tried.
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)
    # The account's organisation at the time, so a lokal_admin reads their own rows.
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisation.id"))
    email: Mapped[str] = mapped_column(sa.String(254), default="", server_default="")
    # Who did it, when not the account itself (an admin resetting a second factor).
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    ip_address: Mapped[str] = mapped_column(sa.String(45), default="", server_default="")
    user_agent: Mapped[str] = mapped_column(sa.String(255), default="", server_default="")
    # A stable code: the reason of a failure, how a login was made, who ended a session.
    detail: Mapped[str] = mapped_column(sa.String(60), default="", server_default="")

    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    organisation: Mapped[Organisation | None] = relationship()

    def __repr__(self) -> str:
        return f"<SecurityLogEntry {self.event} user={self.user_id}>"


@event.listens_for(SecurityLogEntry, "before_update")
def _refuse_update(mapper, connection, target) -> None:
    # Rows leave only by age (app.maintenance), never by being rewritten.
    raise RuntimeError("security_log_entry is never updated")
