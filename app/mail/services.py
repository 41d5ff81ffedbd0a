"""Queueing e-mail. Delivery is a separate process (`flask send-mail`): no request waits for SMTP."""

from __future__ import annotations

from urllib.parse import quote as url_quote
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from app.models import OutboxMail


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
    to: str, subject: str, body: str, dedupe_key: str | None = None
) -> OutboxMail | None:
    """Add a mail to the outbox in the caller's transaction (it is written with the caller's
    next flush or commit); returns it.

    With a ``dedupe_key`` already queued, nothing is added and None is returned.
    """
    if dedupe_key is not None and db.session.scalar(
        sa.select(OutboxMail.id).where(OutboxMail.dedupe_key == dedupe_key)
    ):
        return None
    mail = OutboxMail(to_address=to, subject=subject, body=body, dedupe_key=dedupe_key)
    db.session.add(mail)
    return mail
