"""User pages: the list, inviting someone, one user's organisation, unit and roles,
(de)activation, and a new password link."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from app.admin import services
from app.admin.forms import ActionForm, UserForm, UserInviteForm
from app.admin.routes.blueprint import bp, user_or_404
from app.auth.services import INVITATION_VALID_HOURS, RESET_VALID_HOURS
from app.auth.services.sessions import live_sessions
from app.auth.services.sign_in import client
from app.common import labels, permissions
from app.common.ids import parse_id
from app.common.names import unit_path
from app.common.writing import writing
from app.models import Organisation, Role


def _roles(values: list[str] | None) -> set[Role]:
    known = {r.value for r in Role}
    return {Role(v) for v in values or [] if v in known}


def _role_choices() -> list[tuple[str, str]]:
    """The roles this admin may grant, each by its name: the label of a choice card (the
    template adds the line of what the role may do, labels.ROLE_HELP)."""
    grantable = permissions.grantable_roles(current_user)
    return [(r.value, _capitalised(str(labels.ROLE[r]))) for r in Role if r in grantable]


def _capitalised(label: str) -> str:
    # The labels are lower case for use inside a sentence; a card's title starts a line.
    return label[:1].upper() + label[1:]


def _unit_choices(organisations: list[Organisation]) -> list[SelectChoice]:
    choices = [SelectChoice("", _("Ingen bestemt enhet"))]
    for org in organisations:
        for unit, _depth in services.unit_tree(org):
            if unit.active:
                path = unit_path(unit)
                label = path if len(organisations) == 1 else f"{org.name}: {path}"
                choices.append(SelectChoice(unit.id, label))
    return choices


def _user_form_choices(form: UserForm | UserInviteForm) -> None:
    organisations = [o for o in services.list_organisations(current_user) if o.active]
    form.organisation.choices = [SelectChoice(o.id, o.name) for o in organisations]
    form.unit.choices = _unit_choices(organisations)
    form.roles.choices = _role_choices()


@bp.get("/brukere")
def users():
    org_filter = request.args.get("org", type=parse_id)
    query = request.args.get("q", "")[:100]
    return render_template(
        "admin/users.html",
        users=services.list_users(current_user, org_filter, query),
        organisations=services.list_organisations(current_user),
        org_filter=org_filter,
        query=query,
    )


@bp.route("/brukere/ny", methods=["GET", "POST"])
def invite():
    form = UserInviteForm()
    _user_form_choices(form)
    form.language.choices = [("nb", "Norsk (bokmål)"), ("en", "English")]
    if not form.is_submitted():
        form.organisation.data = current_user.organisation_id
    if form.validate_on_submit():
        with writing(form=form) as invited:
            invited.value = services.invite_user(
                current_user,
                form.email.data,
                form.name.data,
                form.organisation.data,
                form.unit.data,
                _roles(form.roles.data),
                form.language.data,
            )
        if invited:
            flash(
                _(
                    "Invitasjonen er sendt til %(email)s. Lenken virker i %(hours)d timer.",
                    email=invited.value.email,
                    hours=INVITATION_VALID_HOURS,
                ),
                "success",
            )
            return redirect(url_for("admin.user", user_id=invited.value.id))
    return render_template("admin/invite.html", form=form), (422 if form.errors else 200)


@bp.route("/brukere/<int:user_id>", methods=["GET", "POST"])
def user(user_id: int):
    user = user_or_404(user_id)
    if request.method == "GET":
        form = UserForm(formdata=None, obj=user)
        form.organisation.data = user.organisation_id
        form.unit.data = user.unit_id
        form.roles.data = [r.value for r in user.roles if r is not Role.MELDER]
    else:
        form = UserForm()
    _user_form_choices(form)
    if form.validate_on_submit():
        success = _("Endringene for %(name)s er lagret.", name=form.name.data)
        with writing(form=form, success=success) as saved:
            services.update_user(
                current_user,
                user,
                name=form.name.data,
                organisation_id=form.organisation.data,
                unit_id=form.unit.data,
                roles=_roles(form.roles.data),
            )
        if saved:
            return redirect(url_for("admin.user", user_id=user.id))
    ungrantable = sorted(
        (
            r
            for r in user.roles
            if r is not Role.MELDER and r not in permissions.grantable_roles(current_user)
        ),
        key=lambda r: r.value,
    )
    return render_template(
        "admin/user.html",
        user=user,
        form=form,
        action=ActionForm(),
        ungrantable=ungrantable,
        live_sessions=len(live_sessions(user)),
        link_hours=RESET_VALID_HOURS if user.password_hash else INVITATION_VALID_HOURS,
    ), (422 if form.errors else 200)


@bp.post("/brukere/<int:user_id>/aktiv")
def user_active(user_id: int):
    user = user_or_404(user_id)
    form = ActionForm()
    if form.validate_on_submit():
        active = form.value.data == "1"
        with writing() as done:
            changed = services.set_user_active(current_user, user, active)
        if done:
            flash(
                _("Kontoen til %(name)s er aktivert.", name=user.name)
                if changed.active
                else _(
                    "Kontoen til %(name)s er deaktivert. Historikken er beholdt.", name=user.name
                ),
                "success",
            )
    return redirect(url_for("admin.user", user_id=user.id))


@bp.post("/brukere/<int:user_id>/passordlenke")
def user_reset(user_id: int):
    user = user_or_404(user_id)
    if ActionForm().validate_on_submit():
        with writing(
            success=_("En lenke for å velge passord er sendt til %(email)s.", email=user.email)
        ):
            services.send_password_reset(current_user, user)
    return redirect(url_for("admin.user", user_id=user.id))


@bp.post("/brukere/<int:user_id>/tofaktor")
def user_reset_second_factor(user_id: int):
    user = user_or_404(user_id)
    if ActionForm().validate_on_submit():
        with writing(
            success=_(
                "Totrinnsinnloggingen til %(name)s er slått av, og brukeren er logget ut. "
                "Brukeren setter den opp på nytt ved neste innlogging.",
                name=user.name,
            )
        ):
            services.reset_second_factor(current_user, user, client())
    return redirect(url_for("admin.user", user_id=user.id))


@bp.post("/brukere/<int:user_id>/logg-ut")
def user_end_sessions(user_id: int):
    user = user_or_404(user_id)
    if ActionForm().validate_on_submit():
        with writing() as done:
            ended = services.end_user_sessions(current_user, user, client())
        if done:
            flash(
                ngettext(
                    "%(num)d innlogging er avsluttet.", "%(num)d innlogginger er avsluttet.", ended
                ),
                "success",
            )
    return redirect(url_for("admin.user", user_id=user.id))
