"""Administrasjon › API-klienter: an organisation's admins create clients (the token shown once)
and revoke them. A page of the site, on its own blueprint under /admin/."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask import Blueprint, abort, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from app.api import access
from app.api.forms import ClientForm, RevokeForm
from app.api.scopes import SCOPES
from app.api.services import tokens
from app.common.dates import OSLO, today_local
from app.common.writing import writing
from app.extensions import db
from app.models import ApiClient, Organisation, utcnow

admin_bp = Blueprint("api_clients", __name__, url_prefix="/admin/api-klienter")


@admin_bp.before_request
@login_required
def _administrators_only():
    if not access.can_administer(current_user):
        abort(404)


def _organisations() -> list[Organisation]:
    return [
        org
        for org in db.session.scalars(
            sa.select(Organisation).where(Organisation.active).order_by(Organisation.name)
        )
        if access.can_manage_clients(current_user, org)
    ]


def _end_of_day(day: date) -> datetime:
    """The token works through the chosen day in Norway."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=OSLO)


@admin_bp.route("/", methods=["GET", "POST"])
def clients():
    organisations = _organisations()
    form = ClientForm()
    form.organisation.choices = [SelectChoice(o.id, o.name) for o in organisations]
    form.scopes.choices = [SelectChoice(key, f"{key} – {label}") for key, label in SCOPES.items()]
    if not form.is_submitted():
        form.organisation.data = current_user.organisation_id
        form.expires_on.data = today_local() + timedelta(days=365)
    shown_token = None
    if form.validate_on_submit():
        org = next((o for o in organisations if o.id == form.organisation.data), None)
        if org is None:
            abort(404)
        with writing(form=form) as done:
            done.value = tokens.create_client(
                current_user,
                org,
                form.name.data,
                set(form.scopes.data or []),
                _end_of_day(form.expires_on.data),
            )
        if done:
            shown_token = done.value.token
            form = None
    listed = [client for org in organisations for client in tokens.clients_of(org.id)]
    status = 200 if form is None or not form.errors else 422
    return render_template(
        "api/clients.html",
        form=form,
        shown_token=shown_token,
        clients=listed,
        revoke_form=RevokeForm(),
        scopes=SCOPES,
        now=utcnow(),
        docs_url=url_for("api_docs.docs"),
    ), status


@admin_bp.post("/<int:client_id>/trekk-tilbake")
def revoke(client_id: int):
    client = db.session.get(ApiClient, client_id)
    if client is None or not access.can_manage_clients(current_user, client.organisation):
        abort(404)
    form = RevokeForm()
    if form.validate_on_submit():
        with writing(success=_("Nøkkelen til %(name)s er trukket tilbake.", name=client.name)):
            tokens.revoke(client, current_user)
    return redirect(url_for("api_clients.clients"))
