"""The one way a case's append-only history may change: a permit for one purpose, checked by
the database triggers (app/models/guards.py)."""

from __future__ import annotations

from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, enum_column


class PermitPurpose(StrEnum):
    RETENTION = "oppbevaring"
    RECTIFICATION = "rettelse"


# What a redacted passage becomes; the history triggers let a rectified text through only when
# it carries this mark (app/models/guards.py).
REDACTION_MARK_START = "[fjernet av "


class HistoryPermit(Base):
    """Lets one named kind of change to a case's append-only history through the database
    triggers (app/models/guards.py). Written right before the change and deleted right after,
    in the same transaction, so no permit is ever seen committed."""

    __tablename__ = "history_permit"

    id: Mapped[int] = mapped_column(primary_key=True)
    deviation_id: Mapped[int] = mapped_column(sa.ForeignKey("deviation.id"), index=True)
    purpose: Mapped[PermitPurpose] = mapped_column(enum_column(PermitPurpose, "permit_purpose"))
