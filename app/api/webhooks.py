"""Webhooks: an outbox of events per organisation's endpoint, signed, delivered as mail is.

Events (names published; docs/api.md):
  deviation.received  a case filed to the organisation, or re-routed to it
  deviation.answered  a case the organisation sent was answered
  message.posted      a message in the public thread of a case it sent or received
  analysis.started    a case it sent or received went to incident analysis

A flush listener (as the search index's) turns the rows a flush wrote — a case's history row, a
public message, a re-routing — into delivery rows for the organisations' active endpoints, in
the same transaction: no service has to remember it, and a rollback drops the event with its
cause. The payload holds ids and links only, never case text.

Delivery (`flask send-webhooks`): claim due rows (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite:
one UPDATE … RETURNING), renew the claim right before the POST, mark it delivered on a 2xx;
anything else is retried with the mail's back-off, and after WEBHOOK_MAX_ATTEMPTS the row is a
dead letter ("failed") that the admin page can send again.

Signature: ``Avvik-Signature: v1=<hex>``, HMAC-SHA256 with the endpoint's secret over
``<Avvik-Timestamp>.<body>`` (the timestamp in Unix seconds, also in its own header).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from app.common.writing import writing
from app.extensions import db
from app.models import (
    DeliveryStatus,
    Deviation,
    DeviationEvent,
    DeviationMessage,
    EventKind,
    Status,
    WebhookDelivery,
    WebhookEndpoint,
    utcnow,
)

log = logging.getLogger(__name__)

RECEIVED = "deviation.received"
ANSWERED = "deviation.answered"
MESSAGE = "message.posted"
ANALYSIS = "analysis.started"
EVENTS = (RECEIVED, ANSWERED, MESSAGE, ANALYSIS)

BATCH_SIZE = 20
USER_AGENT = "Avvik-Webhooks/1"


def sign(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "v1=" + digest.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature: str, tolerance: int = 300) -> bool:
    """What a receiver does (docs/api.md shows it): the signature, and a fresh timestamp."""
    try:
        stamp = int(timestamp)
    except ValueError:
        return False
    if abs(time.time() - stamp) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, stamp, body), signature)


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def url_problem(url: str) -> str | None:
    """Why a URL cannot be an endpoint (a code), or None. HTTPS only; plain HTTP to the
    loopback address only where WEBHOOK_ALLOW_LOOPBACK_HTTP is set (tests, development)."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return None
    if (
        parts.scheme == "http"
        and parts.hostname == "127.0.0.1"
        and current_app.config.get("WEBHOOK_ALLOW_LOOPBACK_HTTP")
    ):
        return None
    return "not_https"


# --- Events, from the flush -------------------------------------------------------------


def _api_url(reference: str) -> str:
    base = (current_app.config.get("BASE_URL") or "").rstrip("/")
    return f"{base}/api/v1/deviations/{reference}"


def _events_of_flush(session: Session) -> list[tuple[str, set[int], Deviation]]:
    found: list[tuple[str, set[int], Deviation]] = []
    for obj in session.new:
        if isinstance(obj, DeviationEvent):
            deviation = obj.deviation or session.get(Deviation, obj.deviation_id)
            if deviation is None:
                continue
            both = {deviation.reporter_org_id, deviation.counterpart_org_id}
            if obj.kind == EventKind.CREATED:
                found.append((RECEIVED, {deviation.counterpart_org_id}, deviation))
            elif obj.kind == EventKind.TRANSITION and obj.to_status == Status.BESVART:
                found.append((ANSWERED, {deviation.reporter_org_id}, deviation))
            elif obj.kind == EventKind.TRANSITION and obj.to_status == Status.TIL_ANALYSE:
                found.append((ANALYSIS, both, deviation))
        elif isinstance(obj, DeviationMessage) and not obj.internal:
            deviation = obj.deviation or session.get(Deviation, obj.deviation_id)
            if deviation is not None:
                both = {deviation.reporter_org_id, deviation.counterpart_org_id}
                found.append((MESSAGE, both, deviation))
    for obj in session.dirty:
        if isinstance(obj, Deviation):
            # Re-routed: the case is the new organisation's to receive.
            history = sa.inspect(obj).attrs.counterpart_org_id.history
            if history.added and history.deleted:
                found.append((RECEIVED, {obj.counterpart_org_id}, obj))
    return found


@sa_event.listens_for(Session, "after_flush")
def _queue_flushed(session: Session, flush_context: object) -> None:
    found = _events_of_flush(session)
    if not found:
        return
    connection = session.connection()
    organisations = set().union(*(orgs for _, orgs, _ in found))
    endpoints = connection.execute(
        sa.select(
            WebhookEndpoint.id, WebhookEndpoint.organisation_id, WebhookEndpoint.events
        ).where(WebhookEndpoint.organisation_id.in_(organisations), WebhookEndpoint.active)
    ).all()
    if not endpoints:
        return
    now = utcnow()
    rows = []
    for name, orgs, deviation in found:
        for endpoint in endpoints:
            if endpoint.organisation_id in orgs and name in endpoint.events.split():
                event_id = str(uuid.uuid4())
                payload = {
                    "id": event_id,
                    "type": name,
                    "created_at": now.isoformat(),
                    "data": {
                        "reference": deviation.reference,
                        "url": _api_url(deviation.reference),
                    },
                }
                rows.append(
                    {
                        "endpoint_id": endpoint.id,
                        "event_id": event_id,
                        "event": name,
                        "payload": json.dumps(payload, separators=(",", ":")),
                        "created_at": now,
                        "status": DeliveryStatus.PENDING,
                        "attempts": 0,
                        "next_attempt_at": now,
                    }
                )
    if rows:
        connection.execute(sa.insert(WebhookDelivery), rows)


# --- Delivery -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Policy:
    base_seconds: int
    max_seconds: int
    max_attempts: int
    timeout: float

    def delay(self, attempts: int) -> timedelta:
        return timedelta(
            seconds=min(self.base_seconds * 2 ** max(attempts - 1, 0), self.max_seconds)
        )

    @property
    def lease(self) -> timedelta:
        # Long enough for a whole batch to time out one by one.
        return timedelta(seconds=BATCH_SIZE * self.timeout * 2)

    @classmethod
    def from_config(cls) -> Policy:
        config = current_app.config
        return cls(
            base_seconds=int(config.get("WEBHOOK_RETRY_BASE_SECONDS", 30)),
            max_seconds=int(config.get("WEBHOOK_RETRY_MAX_SECONDS", 6 * 3600)),
            max_attempts=int(config.get("WEBHOOK_MAX_ATTEMPTS", 10)),
            timeout=float(config.get("WEBHOOK_TIMEOUT_SECONDS", 10)),
        )


def claim(now: datetime, policy: Policy, limit: int = BATCH_SIZE) -> tuple[str, list[int]]:
    token = secrets.token_hex(16)
    due = sa.and_(
        WebhookDelivery.status == DeliveryStatus.PENDING, WebhookDelivery.next_attempt_at <= now
    )
    values = {"claim_token": token, "next_attempt_at": now + policy.lease}
    order = (WebhookDelivery.next_attempt_at, WebhookDelivery.id)
    with writing():
        if db.session.get_bind().dialect.name == "postgresql":
            ids = list(
                db.session.scalars(
                    sa.select(WebhookDelivery.id)
                    .where(due)
                    .order_by(*order)
                    .limit(limit)
                    .with_for_update(skip_locked=True)
                )
            )
            if ids:
                db.session.execute(
                    sa.update(WebhookDelivery).where(WebhookDelivery.id.in_(ids)).values(**values)
                )
        else:
            subquery = (
                sa.select(WebhookDelivery.id)
                .where(due)
                .order_by(*order)
                .limit(limit)
                .scalar_subquery()
            )
            ids = list(
                db.session.scalars(
                    sa.update(WebhookDelivery)
                    .where(WebhookDelivery.id.in_(subquery), due)
                    .values(**values)
                    .returning(WebhookDelivery.id)
                )
            )
    return token, sorted(ids)


@dataclass(frozen=True)
class _Request:
    url: str
    secret: str
    event_id: str
    payload: str
    attempts: int


def _renew(delivery_id: int, token: str, now: datetime, policy: Policy) -> _Request | None:
    with writing():
        result = db.session.execute(
            sa.update(WebhookDelivery)
            .where(
                WebhookDelivery.id == delivery_id,
                WebhookDelivery.claim_token == token,
                WebhookDelivery.status == DeliveryStatus.PENDING,
            )
            .values(next_attempt_at=now + policy.lease)
        )
        if result.rowcount != 1:
            return None
        row = db.session.execute(
            sa.select(
                WebhookEndpoint.url,
                WebhookEndpoint.secret,
                WebhookDelivery.event_id,
                WebhookDelivery.payload,
                WebhookDelivery.attempts,
            )
            .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
            .where(WebhookDelivery.id == delivery_id)
        ).one()
    return _Request(row.url, row.secret, row.event_id, row.payload, row.attempts + 1)


def _post(request: _Request, policy: Policy) -> str | None:
    """None when the receiver took it (2xx), else why not."""
    # Only the sender posts: a web worker that queues an event never loads requests (tests/
    # test_statistics_imports.py), as a worker without single sign-on never does.
    import requests

    body = request.payload.encode()
    stamp = int(time.time())
    try:
        response = requests.post(
            request.url,
            data=body,
            headers={
                "Content-Type": "application/json",
                "User-Agent": USER_AGENT,
                "Avvik-Event-Id": request.event_id,
                "Avvik-Timestamp": str(stamp),
                "Avvik-Signature": sign(request.secret, stamp, body),
            },
            timeout=policy.timeout,
            allow_redirects=False,
        )
    except requests.RequestException as error:
        return f"{type(error).__name__}: {error}"[:300]
    if 200 <= response.status_code < 300:
        return None
    return f"HTTP {response.status_code}"


def _mark(delivery_id: int, token: str, values: dict) -> None:
    with writing():
        db.session.execute(
            sa.update(WebhookDelivery)
            .where(WebhookDelivery.id == delivery_id, WebhookDelivery.claim_token == token)
            .values(**values)
        )


def deliver_pending(now: datetime | None = None) -> int:
    """One pass over the due deliveries; returns how many were delivered. ``now`` is for tests:
    it decides what is due and when a failure comes due again."""
    now = now or utcnow()
    policy = Policy.from_config()
    delivered = 0
    while True:
        token, ids = claim(now, policy)
        if not ids:
            return delivered
        for delivery_id in ids:
            request = _renew(delivery_id, token, now, policy)
            if request is None:
                continue
            error = _post(request, policy)
            if error is None:
                _mark(
                    delivery_id,
                    token,
                    {
                        "status": DeliveryStatus.DELIVERED,
                        "attempts": request.attempts,
                        "delivered_at": utcnow(),
                        "last_error": None,
                        "claim_token": None,
                    },
                )
                delivered += 1
                continue
            log.warning("webhook delivery failed", extra={"delivery": delivery_id})
            gave_up = request.attempts >= policy.max_attempts
            _mark(
                delivery_id,
                token,
                {
                    "status": DeliveryStatus.FAILED if gave_up else DeliveryStatus.PENDING,
                    "attempts": request.attempts,
                    "next_attempt_at": now + policy.delay(request.attempts),
                    "last_error": error,
                    "claim_token": None,
                },
            )


def resend(delivery: WebhookDelivery, now: datetime | None = None) -> None:
    """A dead letter (or a delivered event) goes out again, with its same event id. Flushes."""
    delivery.status = DeliveryStatus.PENDING
    delivery.attempts = 0
    delivery.next_attempt_at = now or utcnow()
    delivery.claim_token = None
    db.session.flush()


# Delivered events are kept this long for the admin page; dead letters until resent or as long.
KEEP_DAYS = 30


def delete_old(now: datetime) -> int:
    """The daily maintenance's step (app/maintenance.py): deliveries older than KEEP_DAYS that
    are no longer waiting."""
    result = db.session.execute(
        sa.delete(WebhookDelivery).where(
            WebhookDelivery.created_at < now - timedelta(days=KEEP_DAYS),
            WebhookDelivery.status != DeliveryStatus.PENDING,
        )
    )
    return result.rowcount
