"""Queueing e-mail. Delivery is a separate process (`flask send-mail`): no request waits for SMTP."""

from __future__ import annotations

from urllib.parse import quote as url_quote
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app

from app.common.direct_sql import DirectInsert, session_connection
from app.models import OutboxMail


def absolute_url(endpoint: str, **values: object) -> str:
    """A link for an e-mail: BASE_URL plus the route, valid outside any request.

    Built on the URL map directly: a test request context per link cost more than the rest of
    queueing the mail (it runs on every filing).
    """
    base_url = current_app.config["BASE_URL"]
    cached = current_app.extensions.get("avvik.mail_url_adapter")
    if cached is None or cached[0] != base_url:
        # Binding the map cost as much as building the link; a worker binds it once.
        base = urlsplit(base_url.rstrip("/"))
        adapter = current_app.url_map.bind(
            base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "http"
        )
        cached = current_app.extensions["avvik.mail_url_adapter"] = (base_url, adapter)
    adapter = cached[1]
    # url_for's _anchor is Flask's, not the URL map's: without this it became a query argument.
    anchor = values.pop("_anchor", None)
    url = adapter.build(endpoint, values, force_external=True)
    return f"{url}#{url_quote(str(anchor), safe='')}" if anchor else url


_DEDUPE = sa.select(OutboxMail.id).where(OutboxMail.dedupe_key == sa.bindparam("key"))
_INSERT_MAIL = DirectInsert(OutboxMail.__table__, returning="id")


def queue_mail(to: str, subject: str, body: str, dedupe_key: str | None = None) -> int | None:
    """Add a mail to the outbox in the caller's transaction; returns its id.

    With a ``dedupe_key`` already queued, nothing is added and None is returned. A direct
    INSERT (app.common.direct_sql), not an ORM object and a flush: every filing queues one mail
    per handler of the mottak.
    """
    connection = session_connection()
    if dedupe_key is not None and connection.scalar(_DEDUPE, {"key": dedupe_key}):
        return None
    return _INSERT_MAIL.scalar(
        connection, {"to_address": to, "subject": subject, "body": body, "dedupe_key": dedupe_key}
    )
