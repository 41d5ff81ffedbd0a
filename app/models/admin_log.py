"""The administrative log: who changed what in the shared set-up, with before and after."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, UTCDateTime, utcnow
from app.models.organisation import Organisation
from app.models.user import User


class AdminLogEntry(Base):
    """One administrative change. Append-only: see app.models.guards."""

    __tablename__ = "admin_log_entry"
    __table_args__ = (sa.Index("ix_admin_log_entry_org_at", "organisation_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    # The organisation the change concerns, so a lokal_admin reads their own; None for the
    # shared lists (categories, agreements) that only a central admin edits.
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisation.id"))
    action: Mapped[str] = mapped_column(sa.String(60))
    target_type: Mapped[str] = mapped_column(sa.String(40))
    target_id: Mapped[int | None]
    target_label: Mapped[str] = mapped_column(sa.String(254), default="", server_default="")
    before: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)

    actor: Mapped[User | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()

    def __repr__(self) -> str:
        return f"<AdminLogEntry {self.action} {self.target_type}:{self.target_id}>"
