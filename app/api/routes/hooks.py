"""Administrasjon › API-klienter › Webhooks: endpoints, deliveries and their failures, resend."""

from __future__ import annotations

from flask import abort, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from app.api import access, webhooks
from app.api.forms import ActionForm, EndpointForm, ResendForm
from app.api.routes.clients import _organisations, admin_bp
from app.api.services import hooks
from app.common.writing import writing
from app.extensions import db
from app.models import WebhookDelivery, WebhookEndpoint


@admin_bp.route("/webhooks", methods=["GET", "POST"])
def webhook_page():
    organisations = _organisations()
    form = EndpointForm()
    form.organisation.choices = [SelectChoice(o.id, o.name) for o in organisations]
    form.events.choices = [SelectChoice(e, e) for e in webhooks.EVENTS]
    if not form.is_submitted():
        form.organisation.data = current_user.organisation_id
    shown_secret = None
    if form.validate_on_submit():
        org = next((o for o in organisations if o.id == form.organisation.data), None)
        if org is None:
            abort(404)
        with writing(form=form) as done:
            done.value = hooks.register(
                current_user, org, form.url.data, set(form.events.data or [])
            )
        if done:
            shown_secret = done.value.secret
            form = None
    ids = [o.id for o in organisations]
    status = 200 if form is None or not form.errors else 422
    return render_template(
        "api/webhooks.html",
        form=form,
        shown_secret=shown_secret,
        endpoints=hooks.endpoints_of(ids),
        deliveries=hooks.deliveries_of(ids),
        resend_form=ResendForm(),
        action_form=ActionForm(),
    ), status


@admin_bp.post("/webhooks/leveranser/<int:delivery_id>/send-igjen")
def resend(delivery_id: int):
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None or not access.can_manage_clients(
        current_user, delivery.endpoint.organisation
    ):
        abort(404)
    if ResendForm().validate_on_submit():
        with writing(success=_("Hendelsen er lagt i kø og sendes igjen.")):
            webhooks.resend(delivery)
    return redirect(url_for("api_clients.webhook_page"))


@admin_bp.post("/webhooks/<int:endpoint_id>/deaktiver")
def deactivate(endpoint_id: int):
    endpoint = db.session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or not access.can_manage_clients(current_user, endpoint.organisation):
        abort(404)
    if ActionForm().validate_on_submit():
        with writing(
            success=_(
                "Mottakeren %(url)s er slått av og får ikke flere hendelser.", url=endpoint.url
            )
        ):
            hooks.deactivate(endpoint)
    return redirect(url_for("api_clients.webhook_page"))
