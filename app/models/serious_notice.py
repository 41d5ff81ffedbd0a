"""A serious event's notice to Statens helsetilsyn, as the receiving organisation recorded it
(app/handling/serious.py)."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, UTCDateTime, utcnow
from app.models.deviation import Deviation
from app.models.user import User

NOTICE_REFERENCE_MAX = 60
NOTICE_NAME_MAX = 120


class SeriousNotice(Base):
    """What the receiving organisation recorded about notifying Statens helsetilsyn of a
    serious event: notified (when, by whom, the notice's reference) or not due (why). One per
    case, written once; the history row beside it says who recorded it and when."""

    __tablename__ = "serious_notice"
    __table_args__ = (
        sa.CheckConstraint(
            "(notifiable AND notified_on IS NOT NULL AND notified_by <> '' AND reason = '')"
            " OR (NOT notifiable AND notified_on IS NULL AND reason <> '')",
            name="notified_or_reason",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    deviation_id: Mapped[int] = mapped_column(sa.ForeignKey("deviation.id"), unique=True)
    notifiable: Mapped[bool]
    notified_on: Mapped[date | None]
    # Who sent the notice: often not the handler who records it (a clinic's head, the
    # quality adviser), so a name as written rather than an account.
    notified_by: Mapped[str] = mapped_column(
        sa.String(NOTICE_NAME_MAX), default="", server_default=""
    )
    reference: Mapped[str] = mapped_column(
        sa.String(NOTICE_REFERENCE_MAX), default="", server_default=""
    )
    reason: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    deviation: Mapped[Deviation] = relationship()
    recorded_by: Mapped[User | None] = relationship()
