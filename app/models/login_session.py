"""Server-side login sessions. The browser's cookie carries a random id; only its hash is here.

A row is a session: logout deletes it, so a copied cookie is worth nothing afterwards, and a
password change, a deactivation or a second-factor reset deletes all of a user's rows at once.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, UTCDateTime, utcnow
from app.models.user import User


class LoginSession(Base):
    __tablename__ = "login_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    # sha256 hex of the id in the cookie: a database leak gives no working session.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ip_address: Mapped[str] = mapped_column(sa.String(45), default="", server_default="")
    user_agent: Mapped[str] = mapped_column(sa.String(255), default="", server_default="")
    # The OpenID provider the user came through (its name in OIDC_PROVIDERS_FILE), or None for
    # a password; with the ID token, so logout can end the provider's session too.
    provider: Mapped[str | None] = mapped_column(sa.String(40))
    id_token: Mapped[str | None] = mapped_column(sa.Text)
    second_factor: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # An authenticator secret being set up from Min konto, until its first code confirms it:
    # here rather than in the cookie, which anyone holding it can read.
    totp_setup_secret: Mapped[str | None] = mapped_column(sa.String(32))

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<LoginSession {self.id} user={self.user_id}>"


class PendingLogin(Base):
    """A login between the right password and the second factor. The cookie carries a random id
    (only its hash is here), so a forged or replayed cookie names no account; a row lives a few
    minutes and is deleted when the login completes."""

    __tablename__ = "pending_login"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    next_url: Mapped[str] = mapped_column(sa.String(2000), default="", server_default="")
    language: Mapped[str] = mapped_column(sa.String(5), default="", server_default="")
    # The authenticator secret shown while a REQUIRE_TOTP account enrols at login.
    totp_setup_secret: Mapped[str | None] = mapped_column(sa.String(32))

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<PendingLogin {self.id} user={self.user_id}>"
