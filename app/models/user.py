"""Users and their roles."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy import event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, UTCDateTime, enum_column, utcnow
from app.models.organisation import Organisation, Unit


class Role(StrEnum):
    MELDER = "melder"
    SAKSBEHANDLER = "saksbehandler"
    ANALYTIKER = "analytiker"
    FORBEDRINGSGRUPPE = "forbedringsgruppe"
    ADMIN = "admin"
    LOKAL_ADMIN = "lokal_admin"
    # The organisation's data protection officer: access logs, and which cases carry a given
    # patient's identity (never the cases' content).
    PERSONVERN = "personvern"


class UserRole(Base):
    __tablename__ = "user_role"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), primary_key=True)
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"), primary_key=True)


class SsoIdentity(Base):
    """The person an OpenID provider vouches for (its issuer and subject), bound to an account at
    their first login; later logins find the account by this, never by the e-mail claim."""

    __tablename__ = "sso_identity"
    __table_args__ = (sa.UniqueConstraint("issuer", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    issuer: Mapped[str] = mapped_column(sa.String(255))
    subject: Mapped[str] = mapped_column(sa.String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class User(UserMixin, Base):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"))
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    language: Mapped[str] = mapped_column(sa.String(5), default="nb", server_default="nb")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The second factor (RFC 6238): the shared secret, when it was confirmed, and the last
    # time step accepted, so a code that was seen once is never accepted again.
    totp_secret: Mapped[str | None] = mapped_column(sa.String(32))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    totp_last_counter: Mapped[int | None]
    # Failed password or code attempts in a row, and until when the next attempt must wait.
    failed_logins: Mapped[int] = mapped_column(default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When the last of those failures happened: older failures count less and less (decay).
    last_failed_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When the account was last deactivated (kept by the listener below, whoever deactivates),
    # and when USER_RETENTION_YEARS later the retention run removed the person from it.
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    organisation: Mapped[Organisation] = relationship()
    unit: Mapped[Unit | None] = relationship()
    role_rows: Mapped[list[UserRole]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    # Per request, not stored: the login session this user came in through. Flask-Login keeps
    # get_id() in the cookie, and that is the session's id ("alternative tokens" in its docs),
    # so logging out or ending a session ends what the cookie can do.
    session_token = None
    login_session_id = None

    def get_id(self) -> str:
        if self.session_token is None:
            raise RuntimeError("log in through app.auth.services.complete_login")
        return self.session_token

    # UserMixin compares users by get_id(), which is now a session: one account in two
    # sessions is still one account. The session's identity map gives one object per row.
    __eq__ = object.__eq__
    __ne__ = object.__ne__
    __hash__ = object.__hash__

    @property
    def roles(self) -> set[Role]:
        # Every account may report: melder is implied, not stored.
        return {r.role for r in self.role_rows} | {Role.MELDER}

    def has_role(self, role: Role) -> bool:
        return role in self.roles

    def set_roles(self, roles: set[Role]) -> None:
        wanted = set(roles) - {Role.MELDER}
        self.role_rows = [r for r in self.role_rows if r.role in wanted]
        have = {r.role for r in self.role_rows}
        self.role_rows.extend(UserRole(role=r) for r in sorted(wanted - have))

    @property
    def has_second_factor(self) -> bool:
        return self.totp_enabled_at is not None

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    def __repr__(self) -> str:
        return f"<User {self.email}>"


@event.listens_for(User.active, "set")
def _note_deactivation(target: User, value: bool, oldvalue: object, initiator: object) -> None:
    # The retention period of a departed user's name counts from here.
    if value is False and oldvalue is not False:
        target.deactivated_at = utcnow()
    elif value is True:
        target.deactivated_at = None
