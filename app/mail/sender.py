"""Delivering the outbox: claim due rows, send them, mark them; retry failures with back-off.

Several senders may run at once against one database (one per app server, or a cron job beside
a `--loop`). A sender first *claims* a batch in a short transaction of its own — on PostgreSQL
with ``SELECT … FOR UPDATE SKIP LOCKED``, on SQLite with one UPDATE (SQLite has one writer) —
by writing its claim token and pushing ``next_attempt_at`` out by a lease. Other senders then
no longer see those rows as due. Right before each mail goes to SMTP the sender renews its
claim with a conditional UPDATE; only if that still matches does it send. A row marked sent is
never picked again, so no mail is sent twice. A sender that dies mid-batch leaves its rows to
come due again when the lease runs out (delivery is at-least-once only if it dies between the
SMTP server's acceptance and the commit marking the row sent).

Without ``MAIL_SERVER`` the mails are written as ``.eml`` files to ``MAIL_OUTBOX_DIR``
(default ``instance/outbox/``) for development.
"""

from __future__ import annotations

import logging
import secrets
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.errors import HeaderParseError
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from app.common.crypto import InvalidToken, patient_cipher
from app.common.writing import writing
from app.extensions import db
from app.models import MailStatus, OutboxMail, utcnow
from app.models.mail import LINK_PLACEHOLDER

log = logging.getLogger(__name__)

BATCH_SIZE = 20
SMTP_TIMEOUT_SECONDS = 20
# Long enough for a whole batch to time out one by one; the claim is renewed per mail too.
# It is also how long the rows of a sender that died mid-batch wait before another sender
# takes them (MAIL_CLAIM_LEASE_SECONDS shortens it where SMTP answers fast).
LEASE = timedelta(seconds=BATCH_SIZE * SMTP_TIMEOUT_SECONDS * 2)


def _lease() -> timedelta:
    # The setting may come as text (the environment) or a number (a test, a scenario): either
    # way a whole number of seconds, and a malformed one names itself rather than a bare
    # ValueError deep in a sender's loop.
    seconds = current_app.config.get("MAIL_CLAIM_LEASE_SECONDS")
    if seconds in (None, ""):
        return LEASE
    try:
        return timedelta(seconds=int(seconds))
    except (TypeError, ValueError):
        raise ValueError(
            f"MAIL_CLAIM_LEASE_SECONDS must be a whole number of seconds, not {seconds!r}"
        ) from None


@dataclass(frozen=True)
class RetryPolicy:
    base_seconds: int
    max_seconds: int
    max_attempts: int

    def delay(self, attempts: int) -> timedelta:
        """Exponential: base, 2×base, 4×base … capped; ``attempts`` counts the failed one."""
        return timedelta(
            seconds=min(self.base_seconds * 2 ** max(attempts - 1, 0), self.max_seconds)
        )

    @classmethod
    def from_config(cls) -> RetryPolicy:
        config = current_app.config
        return cls(
            base_seconds=int(config.get("MAIL_RETRY_BASE_SECONDS", 60)),
            max_seconds=int(config.get("MAIL_RETRY_MAX_SECONDS", 6 * 3600)),
            max_attempts=int(config.get("MAIL_MAX_ATTEMPTS", 8)),
        )


class PermanentFailure(Exception):
    """The server refused for good (5xx): retrying would only repeat it."""


class LoginWithoutTLS(smtplib.SMTPException):
    """MAIL_USERNAME without MAIL_USE_TLS: the password would cross the network in clear.
    Production refuses to start so; elsewhere every mail waits, retried, until it is fixed."""


def claim(now: datetime, limit: int = BATCH_SIZE) -> tuple[str, list[int]]:
    """Claim up to ``limit`` due rows for this sender and commit the claim."""
    token = secrets.token_hex(16)
    due = sa.and_(OutboxMail.status == MailStatus.PENDING, OutboxMail.next_attempt_at <= now)
    values = {"claim_token": token, "next_attempt_at": now + _lease()}
    with writing():
        if db.session.get_bind().dialect.name == "postgresql":
            ids = list(
                db.session.scalars(
                    sa.select(OutboxMail.id)
                    .where(due)
                    .order_by(OutboxMail.next_attempt_at, OutboxMail.id)
                    .limit(limit)
                    .with_for_update(skip_locked=True)
                )
            )
            if ids:
                db.session.execute(
                    sa.update(OutboxMail).where(OutboxMail.id.in_(ids)).values(**values)
                )
        else:
            # One statement: SQLite runs one writer at a time, so two senders cannot both match
            # a row.
            subquery = (
                sa.select(OutboxMail.id)
                .where(due)
                .order_by(OutboxMail.next_attempt_at, OutboxMail.id)
                .limit(limit)
                .scalar_subquery()
            )
            ids = list(
                db.session.scalars(
                    sa.update(OutboxMail)
                    .where(OutboxMail.id.in_(subquery), due)
                    .values(**values)
                    .returning(OutboxMail.id)
                )
            )
    return token, sorted(ids)


class Unsendable(Exception):
    """The row cannot become a mail (a header the email library refuses, such as a line break
    in the address; a link no key opens): retrying would only repeat it."""


def _renew_claim(mail_id: int, token: str, now: datetime) -> tuple[EmailMessage, int] | None:
    """Renew the claim right before sending, and build the message in the same transaction:
    None if the row was sent or re-claimed meanwhile, else the message and its attempt number.
    Sending then touches no database, and the mark afterwards begins a write of its own.
    A row that cannot become a mail is marked failed with its reason here, and None returned:
    one bad row must not stop the batch behind it."""
    with writing() as done:
        result = db.session.execute(
            sa.update(OutboxMail)
            .where(
                OutboxMail.id == mail_id,
                OutboxMail.claim_token == token,
                OutboxMail.status == MailStatus.PENDING,
            )
            .values(next_attempt_at=now + _lease())
        )
        if result.rowcount == 1:
            mail = db.session.get(OutboxMail, mail_id)
            assert mail is not None
            try:
                done.value = build_message(mail), mail.attempts + 1
            except Unsendable as error:
                mail.status = MailStatus.FAILED
                mail.attempts += 1
                mail.last_error = f"unsendable: {error}"[:500]
                mail.claim_token = None
                mail.secret_link = None
                log.warning("mail %s cannot be sent: %s", mail_id, error)
    return done.value


def mail_text(mail: OutboxMail) -> str:
    """The body as it is sent: the secret link, decrypted, in its place."""
    if mail.secret_link is None:
        return mail.body
    try:
        link = patient_cipher().decrypt(mail.secret_link)
    except InvalidToken:
        raise Unsendable("no key in PATIENT_DATA_KEYS opens the link") from None
    return mail.body.replace(LINK_PLACEHOLDER, link)


def build_message(mail: OutboxMail) -> EmailMessage:
    config = current_app.config
    message = EmailMessage()
    try:
        message["From"] = config["MAIL_SENDER"]
        message["To"] = mail.to_address
        message["Subject"] = mail.subject
        message["Date"] = format_datetime(mail.created_at)
        # Stable per row, so a receiving system can drop a duplicate if one ever slips through.
        domain = config["MAIL_SENDER"].rpartition("@")[2] or "avvik.invalid"
        message["Message-ID"] = f"<outbox-{mail.id}-{int(mail.created_at.timestamp())}@{domain}>"
        message["Auto-Submitted"] = "auto-generated"
        message.set_content(mail_text(mail))
    except (ValueError, TypeError, HeaderParseError) as error:
        # The email library's word for a header it will not write (CR or LF in it, above all).
        raise Unsendable(f"{type(error).__name__}: {error}") from None
    return message


class _Transport:
    """One SMTP connection per pass, opened on first use; or the .eml directory."""

    def __init__(self) -> None:
        self.config = current_app.config
        self._smtp: smtplib.SMTP | None = None

    @property
    def to_files(self) -> bool:
        return not self.config.get("MAIL_SERVER")

    def _connect(self) -> smtplib.SMTP:
        if self.config.get("MAIL_USERNAME") and not self.config.get("MAIL_USE_TLS"):
            raise LoginWithoutTLS("SMTP login refused without MAIL_USE_TLS")
        smtp = smtplib.SMTP(
            self.config["MAIL_SERVER"], int(self.config["MAIL_PORT"]), timeout=SMTP_TIMEOUT_SECONDS
        )
        if self.config.get("MAIL_USE_TLS"):
            smtp.starttls(context=ssl.create_default_context())
        if self.config.get("MAIL_USERNAME"):
            smtp.login(self.config["MAIL_USERNAME"], self.config.get("MAIL_PASSWORD") or "")
        return smtp

    def send(self, mail_id: int, message: EmailMessage) -> None:
        if self.to_files:
            self._write_file(mail_id, message)
            return
        if self._smtp is None:
            self._smtp = self._connect()
        try:
            self._smtp.send_message(message)
        except smtplib.SMTPResponseException as error:
            self._reset()
            if error.smtp_code >= 500:
                raise PermanentFailure(f"{error.smtp_code} {error.smtp_error!r}") from error
            raise
        except smtplib.SMTPRecipientsRefused as error:
            self._reset()
            codes = [code for code, _ in error.recipients.values()]
            if codes and all(code >= 500 for code in codes):
                raise PermanentFailure(str(error.recipients)) from error
            raise
        except (OSError, smtplib.SMTPException):
            self._drop()
            raise

    def _write_file(self, mail_id: int, message: EmailMessage) -> None:
        directory = Path(
            self.config.get("MAIL_OUTBOX_DIR") or Path(current_app.instance_path) / "outbox"
        )
        directory.mkdir(parents=True, exist_ok=True)
        target = directory / f"{mail_id:08d}.eml"
        partial = target.with_suffix(".eml.tmp")
        partial.write_bytes(message.as_bytes())
        partial.replace(target)  # atomic: a reader never sees half a mail

    def _reset(self) -> None:
        # After a refused mail the session is still usable once reset.
        if self._smtp is not None:
            try:
                self._smtp.rset()
            except (OSError, smtplib.SMTPException):
                self._drop()

    def _drop(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.close()
            finally:
                self._smtp = None

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (OSError, smtplib.SMTPException):
                pass
            finally:
                self._smtp = None


def deliver_pending(now: datetime | None = None) -> int:
    """One pass over the due rows. Returns how many were delivered.

    ``now`` is for tests (retries become due by moving it forward); it decides what is due
    and when a failure is retried.
    """
    now = now or utcnow()
    policy = RetryPolicy.from_config()
    transport = _Transport()
    delivered = 0
    try:
        while True:
            token, ids = claim(now)
            if not ids:
                break
            for mail_id in ids:
                renewed = _renew_claim(mail_id, token, now)
                if renewed is None:
                    continue
                message, attempts = renewed
                try:
                    transport.send(mail_id, message)
                except (PermanentFailure, ValueError, TypeError, UnicodeError) as error:
                    # Refused by the server for good, or by the email library while writing
                    # the message out (an address it cannot encode): retrying repeats it.
                    _mark(
                        mail_id,
                        token,
                        status=MailStatus.FAILED,
                        attempts=attempts,
                        last_error=f"{type(error).__name__}: {error}"[:500],
                    )
                    log.warning("mail %s refused for good after %s attempts", mail_id, attempts)
                except (OSError, smtplib.SMTPException) as error:
                    give_up = attempts >= policy.max_attempts
                    _mark(
                        mail_id,
                        token,
                        status=MailStatus.FAILED if give_up else MailStatus.PENDING,
                        attempts=attempts,
                        last_error=f"{type(error).__name__}: {error}"[:500],
                        next_attempt_at=now + policy.delay(attempts),
                    )
                    log.info(
                        "mail %s failed (attempt %s): %s", mail_id, attempts, type(error).__name__
                    )
                else:
                    _mark(
                        mail_id,
                        token,
                        status=MailStatus.SENT,
                        attempts=attempts,
                        sent_at=utcnow(),
                        last_error=None,
                    )
                    delivered += 1
            if len(ids) < BATCH_SIZE:
                break
    finally:
        transport.close()
    return delivered


def _mark(mail_id: int, token: str, **values: object) -> None:
    if values.get("status") in (MailStatus.SENT, MailStatus.FAILED):
        # The link has gone out or never will: nothing keeps it, even encrypted.
        values["secret_link"] = None
    with writing():
        db.session.execute(
            sa.update(OutboxMail)
            .where(OutboxMail.id == mail_id, OutboxMail.claim_token == token)
            .values(claim_token=None, **values)
            .execution_options(synchronize_session=False)
        )
