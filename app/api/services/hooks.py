"""Webhook endpoints: registered by an organisation's admin, the signing key shown once."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from app.api import webhooks
from app.common.errors import ServiceError
from app.extensions import db
from app.models import Organisation, User, WebhookDelivery, WebhookEndpoint


@dataclass(frozen=True)
class NewEndpoint:
    endpoint: WebhookEndpoint
    secret: str


def register(actor: User, organisation: Organisation, url: str, events: set[str]) -> NewEndpoint:
    url = (url or "").strip()
    if webhooks.url_problem(url):
        raise ServiceError(
            _("Adressen må begynne med https:// og ha et vertsnavn."), "url", "not_https"
        )
    if not events or not events <= set(webhooks.EVENTS):
        raise ServiceError(_("Velg minst én hendelse."), "events", "empty")
    secret = webhooks.new_secret()
    endpoint = WebhookEndpoint(
        organisation_id=organisation.id,
        url=url,
        events=" ".join(e for e in webhooks.EVENTS if e in events),
        secret=secret,
        created_by_id=actor.id,
    )
    db.session.add(endpoint)
    db.session.flush()
    return NewEndpoint(endpoint, secret)


def deactivate(endpoint: WebhookEndpoint) -> None:
    endpoint.active = False
    db.session.flush()


def endpoints_of(organisation_ids: list[int]) -> list[WebhookEndpoint]:
    return list(
        db.session.scalars(
            sa.select(WebhookEndpoint)
            .where(WebhookEndpoint.organisation_id.in_(organisation_ids))
            .order_by(WebhookEndpoint.id.desc())
        )
    )


def deliveries_of(organisation_ids: list[int], limit: int = 100) -> list[WebhookDelivery]:
    """The newest deliveries, failures among them, of these organisations' endpoints."""
    return list(
        db.session.scalars(
            sa.select(WebhookDelivery)
            .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
            .where(WebhookEndpoint.organisation_id.in_(organisation_ids))
            .options(joinedload(WebhookDelivery.endpoint))
            .order_by(WebhookDelivery.id.desc())
            .limit(limit)
        )
    )
