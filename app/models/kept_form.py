"""A form posted after its sender's session had ended, kept until they have logged in again.

The browser's cookie carries a random id (only its hash is here) and the row names the account
whose session ended: the form comes back only to that account, on that browser, within
``KEPT_FORM_MINUTES`` (app/auth/services/kept_forms.py). Every value, the patient identity
among them, is in ``payload`` as one Fernet token under the patient data keys, as the case's own
identity is; nothing of it is readable at rest.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UTCDateTime, utcnow


class KeptForm(Base):
    __tablename__ = "kept_form"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    # The page the form was on (path and query): where the login leads back to.
    page: Mapped[str] = mapped_column(sa.String(2000))
    # The path the form was posted to: which form on that page it was.
    action: Mapped[str] = mapped_column(sa.String(2000))
    payload: Mapped[str] = mapped_column(sa.Text)

    def __repr__(self) -> str:
        return f"<KeptForm {self.id} user={self.user_id}>"
