"""The e-mail outbox: a mail is a row written in the same transaction as its cause."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UTCDateTime, enum_column, utcnow

# Where a mail's secret link goes; nothing a person types can be taken for it by accident, and
# if it were, it would only repeat the recipient's own link in the recipient's own mail.
LINK_PLACEHOLDER = "\u27e6link\u27e7"


class MailStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # gave up after the last retry


class OutboxMail(Base):
    __tablename__ = "outbox_mail"
    __table_args__ = (sa.Index("ix_outbox_mail_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    to_address: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(200))
    # Plain text: a reference number, what happened and a link. Never case content, and never
    # a link that signs someone in: such a mail's body holds LINK_PLACEHOLDER instead.
    # `flask maintenance` empties the body once the mail is sent or failed (MAIL_KEEP_DAYS).
    body: Mapped[str] = mapped_column(sa.Text)
    # The invitation or password link, encrypted with the patient-data cipher, put in place of
    # LINK_PLACEHOLDER when the mail is sent and removed as soon as it is sent or given up:
    # a dump or a backup of the database holds no working link.
    secret_link: Mapped[str | None] = mapped_column(sa.Text)
    # Makes a reminder idempotent: the same key is never queued twice.
    dedupe_key: Mapped[str | None] = mapped_column(sa.String(200), unique=True)
    status: Mapped[MailStatus] = mapped_column(
        enum_column(MailStatus, "mail_status"), default=MailStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    # Set by the sender that claimed the row; it sends only while the claim is still its own.
    claim_token: Mapped[str | None] = mapped_column(sa.String(32))
