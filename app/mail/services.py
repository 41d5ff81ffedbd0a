"""Queueing e-mail. Delivery is a separate process (`flask send-mail`): no request waits for SMTP."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import quote as url_quote
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app

from app.common.crypto import patient_cipher
from app.extensions import db
from app.models import MailStatus, OutboxMail
from app.models.mail import LINK_PLACEHOLDER


def absolute_url(endpoint: str, **values: object) -> str:
    """A link for an e-mail: BASE_URL plus the route, valid outside any request."""
    base = urlsplit(current_app.config["BASE_URL"].rstrip("/"))
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "http"
    )
    # url_for's _anchor is Flask's, not the URL map's: without this it became a query argument.
    anchor = values.pop("_anchor", None)
    url = adapter.build(endpoint, values, force_external=True)
    return f"{url}#{url_quote(str(anchor), safe='')}" if anchor else url


def queue_mail(
    to: str,
    subject: str,
    body: str,
    dedupe_key: str | None = None,
    *,
    secret_link: str | None = None,
) -> OutboxMail | None:
    """Add a mail to the outbox in the caller's transaction (it is written with the caller's
    next flush or commit); returns it.

    With a ``dedupe_key`` already queued, nothing is added and None is returned.

    A ``secret_link`` (one that signs someone in: an invitation, a password link) is never
    stored in clear: the body holds LINK_PLACEHOLDER where it goes, the link is encrypted
    with the patient-data cipher, and the sender puts it in place at the last moment.
    """
    if dedupe_key is not None and db.session.scalar(
        sa.select(OutboxMail.id).where(OutboxMail.dedupe_key == dedupe_key)
    ):
        return None
    mail = OutboxMail(to_address=to, subject=subject, body=body, dedupe_key=dedupe_key)
    if secret_link is not None:
        if LINK_PLACEHOLDER not in body:
            raise ValueError("a mail with a secret link needs LINK_PLACEHOLDER in its body")
        mail.secret_link = patient_cipher().encrypt(secret_link)
    db.session.add(mail)
    return mail


def empty_old_bodies(now: datetime, keep_days: int) -> int:
    """`flask maintenance`: the bodies of mails sent or given up more than ``keep_days`` ago
    are emptied (the row stays: its dedupe key keeps a reminder from going twice, and the
    status and time answer "was it sent?"). Returns how many were emptied."""
    cutoff = now - timedelta(days=keep_days)
    result = db.session.execute(
        sa.update(OutboxMail)
        .where(
            OutboxMail.status.in_((MailStatus.SENT, MailStatus.FAILED)),
            sa.func.coalesce(OutboxMail.sent_at, OutboxMail.next_attempt_at) < cutoff,
            sa.or_(OutboxMail.body != "", OutboxMail.secret_link.is_not(None)),
        )
        .values(body="", secret_link=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount
