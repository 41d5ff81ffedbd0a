"""How far each person has read each case's thread: the unread-message mark."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UTCDateTime, utcnow


class ThreadRead(Base):
    """The newest message of the case's thread this user had seen when last on the case's
    page. One row per person and case, moved forward (never back) by each visit that shows a
    newer message; a message with a higher id than this is unread."""

    __tablename__ = "thread_read"
    __table_args__ = (sa.CheckConstraint("message_id > 0", name="message_id_positive"),)

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    deviation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("deviation.id", ondelete="CASCADE"), primary_key=True
    )
    message_id: Mapped[int]
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
