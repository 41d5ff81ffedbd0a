"""Organisation pages: the list, one organisation's settings, (de)activation, merging, and
who staffs its mottak."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from app.admin import services
from app.admin.forms import (
    ActionForm,
    FallbackForm,
    MergeForm,
    MottakAddForm,
    OrganisationCreateForm,
    OrganisationForm,
    SignInForm,
)
from app.admin.routes.blueprint import bp, organisation_or_404, require, user_or_404
from app.common import labels, permissions
from app.common.writing import writing
from app.extensions import db
from app.handling import fallback
from app.models import Organisation, OrgKind
from app.models.organisation import DEFAULT_RESPONSE_DAYS


@bp.route("/organisasjoner", methods=["GET", "POST"])
def organisations():
    form = OrganisationCreateForm()
    form.kind.choices = [SelectChoice(k.value, labels.ORG_KIND[k]) for k in OrgKind]
    if not form.is_submitted():
        form.response_days.data = DEFAULT_RESPONSE_DAYS
    if form.is_submitted():
        permissions.require(current_user, "manage", Organisation)
    if form.validate_on_submit():
        with writing(form=form) as created:
            created.value = services.create_organisation(
                current_user, form.name.data, OrgKind(form.kind.data), form.response_days.data
            )
        if created:
            flash(_("Organisasjonen %(name)s er opprettet.", name=created.value.name), "success")
            return redirect(url_for("admin.organisation", org_id=created.value.id))
    return render_template(
        "admin/organisations.html",
        organisations=services.list_organisations(current_user),
        form=form,
        handler_counts=fallback.handler_counts(),
        fallback_org=fallback.fallback_organisation(),
    ), (422 if form.errors else 200)


@bp.route("/reservemottak", methods=["GET", "POST"])
def fallback_mottak():
    """The helsefellesskap's fallback mottak: which organisation's mottak takes the cases
    filed to a mottak nobody staffs."""
    permissions.require(current_user, "manage", Organisation)
    counts = fallback.handler_counts()
    organisations = [o for o in services.list_organisations(current_user) if o.active]
    current = fallback.fallback_organisation()
    form = FallbackForm()
    form.organisation.choices = [SelectChoice("", _("Ingen reservemottak"))] + [
        SelectChoice(
            o.id,
            _("%(name)s (%(count)s)", name=o.name, count=_handlers_text(counts.get(o.id, 0))),
        )
        for o in organisations
    ]
    if not form.is_submitted():
        form.organisation.data = current.id if current else None
    if form.validate_on_submit():
        chosen = (
            db.session.get(Organisation, form.organisation.data) if form.organisation.data else None
        )
        success = (
            _("Reservemottaket er nå mottaket hos %(org)s.", org=chosen.name)
            if chosen is not None
            else _("Helsefellesskapet har ikke lenger noe reservemottak.")
        )
        with writing(form=form, success=success) as saved:
            services.set_fallback_mottak(current_user, chosen)
        if saved:
            return redirect(url_for("admin.fallback_mottak"))
    unstaffed = [o for o in organisations if not counts.get(o.id)]
    return render_template(
        "admin/fallback.html", form=form, current=current, unstaffed=unstaffed
    ), (422 if form.errors else 200)


def _handlers_text(count: int) -> str:
    if not count:
        return _("ingen saksbehandlere")
    return ngettext("%(num)d saksbehandler", "%(num)d saksbehandlere", count)


def _render_organisation(org: Organisation, status: int = 200, **forms: object):
    form = forms.get("form") or OrganisationForm(obj=org, formdata=None)
    merge_form = forms.get("merge_form") or MergeForm(formdata=None)
    merge_form.target.choices = [SelectChoice("", _("Velg …"))] + [
        SelectChoice(o.id, o.name)
        for o in services.list_organisations(current_user)
        if o.active and o.id != org.id
    ]
    staff = services.mottak_staff(org)
    mottak_form = forms.get("mottak_form") or MottakAddForm(formdata=None)
    mottak_form.user.choices = [SelectChoice("", _("Velg …"))] + [
        SelectChoice(u.id, f"{u.name} ({u.email})")
        for u in services.active_users_of(org)
        if u not in staff and permissions.can(current_user, "administer", u)
    ]
    merged_into = db.session.get(Organisation, org.merged_into_id) if org.merged_into_id else None
    sign_in_form = forms.get("sign_in_form") or SignInForm(obj=org, formdata=None)
    return render_template(
        "admin/organisation.html",
        org=org,
        form=form,
        merge_form=merge_form,
        mottak_form=mottak_form,
        sign_in_form=sign_in_form,
        staff=staff,
        action=ActionForm(),
        merged_into=merged_into,
    ), status


@bp.route("/organisasjoner/<int:org_id>", methods=["GET", "POST"])
def organisation(org_id: int):
    org = organisation_or_404(org_id)
    if request.method == "GET":
        return _render_organisation(org)
    form = OrganisationForm()
    if not permissions.can(current_user, "manage", Organisation):
        form.name.data = org.name  # a lokal_admin's form has no name field to send
    if form.validate_on_submit():
        success = _("Endringene for %(name)s er lagret.", name=form.name.data)
        with writing(form=form, success=success) as saved:
            services.update_organisation(
                current_user,
                org,
                name=form.name.data,
                response_days=form.response_days.data,
                mottak_phone=form.mottak_phone.data or "",
            )
        if saved:
            return redirect(url_for("admin.organisation", org_id=org.id))
    return _render_organisation(org, 422, form=form)


@bp.post("/organisasjoner/<int:org_id>/innlogging")
def organisation_sign_in(org_id: int):
    org = organisation_or_404(org_id)
    permissions.require(current_user, "manage", Organisation)
    form = SignInForm()
    if form.validate_on_submit():
        success = _("Innloggingen for %(name)s er endret.", name=org.name)
        with writing(form=form, success=success) as saved:
            services.set_sign_in(
                current_user, org, org_number=form.org_number.data, sso_only=form.sso_only.data
            )
        if saved:
            return redirect(url_for("admin.organisation", org_id=org.id))
    return _render_organisation(org, 422, sign_in_form=form)


@bp.post("/organisasjoner/<int:org_id>/aktiv")
def organisation_active(org_id: int):
    org = organisation_or_404(org_id)
    permissions.require(current_user, "manage", Organisation)
    form = ActionForm()
    if form.validate_on_submit():
        active = form.value.data == "1"
        success = (
            _("%(name)s er tatt i bruk igjen.", name=org.name)
            if active
            else _("%(name)s er tatt ut av bruk.", name=org.name)
        )
        with writing(success=success):
            services.set_organisation_active(current_user, org, active)
    return redirect(url_for("admin.organisation", org_id=org.id))


@bp.post("/organisasjoner/<int:org_id>/sla-sammen")
def organisation_merge(org_id: int):
    org = organisation_or_404(org_id)
    permissions.require(current_user, "manage", Organisation)
    form = MergeForm()
    form.target.choices = [
        SelectChoice(o.id, o.name) for o in services.list_organisations(current_user)
    ]
    if form.validate_on_submit():
        if form.confirm.data.strip() != org.name:
            form.confirm.errors.append(_("Skriv navnet nøyaktig slik det står, for å bekrefte."))
        else:
            target = db.session.get(Organisation, form.target.data)
            with writing(form=form) as merged:
                merged.value = services.merge_organisation(current_user, org, target)
            if merged:
                result = merged.value
                flash(
                    _(
                        "%(source)s er slått sammen med %(target)s: %(users)d brukere, "
                        "%(units)d enheter og %(open)d åpne avvik er flyttet.",
                        source=org.name,
                        target=target.name,
                        users=result.users,
                        units=result.units,
                        open=result.open_moved,
                    ),
                    "success",
                )
                return redirect(url_for("admin.organisation", org_id=target.id))
    return _render_organisation(org, 422, merge_form=form)


# --- The mottak --------------------------------------------------------------------------------


@bp.post("/organisasjoner/<int:org_id>/mottak")
def mottak_add(org_id: int):
    org = organisation_or_404(org_id)
    form = MottakAddForm()
    form.user.choices = [SelectChoice(u.id, u.name) for u in services.active_users_of(org)]
    if form.validate_on_submit():
        user = user_or_404(form.user.data)
        with writing(success=_("%(name)s er lagt til i mottaket.", name=user.name)):
            services.set_mottak_member(current_user, user, True)
        return redirect(url_for("admin.organisation", org_id=org.id))
    return _render_organisation(org, 422, mottak_form=form)


@bp.post("/organisasjoner/<int:org_id>/mottak/<int:user_id>/fjern")
def mottak_remove(org_id: int, user_id: int):
    org = organisation_or_404(org_id)
    user = user_or_404(user_id)
    require(user.organisation_id == org.id)
    if ActionForm().validate_on_submit():
        with writing(success=_("%(name)s er fjernet fra mottaket.", name=user.name)):
            services.set_mottak_member(current_user, user, False)
    return redirect(url_for("admin.organisation", org_id=org.id))
