"""Administration pages: parse → permission check → one service call → one commit → render.

Everything a user may not administer answers 404, as for deviations: a lokal_admin does not
learn which other organisations or users exist by probing ids.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from app.admin import services
from app.admin.forms import (
    ActionForm,
    ListItemForm,
    MergeForm,
    MottakAddForm,
    OrganisationCreateForm,
    OrganisationForm,
    UnitForm,
    UserForm,
    UserInviteForm,
)
from app.admin.labels import ACTION, FIELD, LINK
from app.auth.services import LINK_VALID_HOURS
from app.common import labels, permissions
from app.common.errors import ServiceError
from app.extensions import db
from app.models import Agreement, Category, Organisation, OrgKind, Role, Unit, User

bp = Blueprint("admin", __name__, url_prefix="/admin")

def message(error: ServiceError) -> str:
    return str(error.message)


def _require(allowed: bool) -> None:
    if not allowed:
        abort(404)


def _org(org_id: int) -> Organisation:
    org = db.session.get(Organisation, org_id)
    _require(org is not None and permissions.can_administer_org(current_user, org))
    return org  # type: ignore[return-value]


def _unit(unit_id: int) -> Unit:
    unit = db.session.get(Unit, unit_id)
    _require(unit is not None and permissions.can_administer_org(current_user, unit.organisation))
    return unit  # type: ignore[return-value]


def _user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    _require(user is not None and permissions.can_administer_user(current_user, user))
    return user  # type: ignore[return-value]


def _flash_error(error: ServiceError) -> None:
    db.session.rollback()
    flash(message(error), "error")


@bp.context_processor
def _link_hours() -> dict[str, int]:
    return {"link_hours": LINK_VALID_HOURS}


@bp.before_request
@login_required
def _administrators_only():
    _require(permissions.can_administer(current_user))


@bp.get("/")
def index():
    return render_template("admin/index.html")


# --- Organisations -----------------------------------------------------------------------------


@bp.route("/organisasjoner", methods=["GET", "POST"])
def organisations():
    form = OrganisationCreateForm()
    form.kind.choices = [SelectChoice(k.value, labels.ORG_KIND[k]) for k in OrgKind]
    if not form.is_submitted():
        form.response_days.data = 14
    if form.is_submitted():
        _require(permissions.can_manage_organisations(current_user))
    if form.validate_on_submit():
        try:
            org = services.create_organisation(
                current_user, form.name.data, OrgKind(form.kind.data), form.response_days.data
            )
        except ServiceError as error:
            db.session.rollback()
            getattr(form, error.field).errors.append(message(error))
        else:
            db.session.commit()
            flash(_("Organisasjonen %(name)s er opprettet.", name=org.name), "success")
            return redirect(url_for("admin.organisation", org_id=org.id))
    return render_template(
        "admin/organisations.html",
        organisations=services.list_organisations(current_user),
        form=form,
    ), (422 if form.errors else 200)


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
        if u not in staff and permissions.can_administer_user(current_user, u)
    ]
    return render_template(
        "admin/organisation.html",
        org=org,
        form=form,
        merge_form=merge_form,
        mottak_form=mottak_form,
        staff=staff,
        action=ActionForm(),
        merged_into=db.session.get(Organisation, org.merged_into_id) if org.merged_into_id else None,
    ), status


@bp.route("/organisasjoner/<int:org_id>", methods=["GET", "POST"])
def organisation(org_id: int):
    org = _org(org_id)
    if request.method == "GET":
        return _render_organisation(org)
    form = OrganisationForm()
    if not permissions.can_manage_organisations(current_user):
        form.name.data = org.name  # a lokal_admin's form has no name field to send
    if form.validate_on_submit():
        try:
            services.update_organisation(
                current_user, org, name=form.name.data, response_days=form.response_days.data
            )
        except ServiceError as error:
            db.session.rollback()
            getattr(form, error.field).errors.append(message(error))
        else:
            db.session.commit()
            flash(_("Endringene er lagret."), "success")
            return redirect(url_for("admin.organisation", org_id=org.id))
    return _render_organisation(org, 422, form=form)


@bp.post("/organisasjoner/<int:org_id>/aktiv")
def organisation_active(org_id: int):
    org = _org(org_id)
    _require(permissions.can_manage_organisations(current_user))
    form = ActionForm()
    if form.validate_on_submit():
        try:
            services.set_organisation_active(current_user, org, form.value.data == "1")
        except ServiceError as error:
            _flash_error(error)
        else:
            db.session.commit()
            flash(_("Endringene er lagret."), "success")
    return redirect(url_for("admin.organisation", org_id=org.id))


@bp.post("/organisasjoner/<int:org_id>/sla-sammen")
def organisation_merge(org_id: int):
    org = _org(org_id)
    _require(permissions.can_manage_organisations(current_user))
    form = MergeForm()
    form.target.choices = [SelectChoice(o.id, o.name) for o in services.list_organisations(current_user)]
    if form.validate_on_submit():
        if form.confirm.data.strip() != org.name:
            form.confirm.errors.append(_("Skriv navnet nøyaktig slik det står, for å bekrefte."))
        else:
            target = db.session.get(Organisation, form.target.data)
            try:
                result = services.merge_organisation(current_user, org, target)
            except ServiceError as error:
                db.session.rollback()
                form.target.errors.append(message(error))
            else:
                db.session.commit()
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


@bp.post("/organisasjoner/<int:org_id>/mottak")
def mottak_add(org_id: int):
    org = _org(org_id)
    form = MottakAddForm()
    form.user.choices = [SelectChoice(u.id, u.name) for u in services.active_users_of(org)]
    if form.validate_on_submit():
        user = _user(form.user.data)
        try:
            services.set_mottak_member(current_user, user, True)
        except ServiceError as error:
            _flash_error(error)
        else:
            db.session.commit()
            flash(_("%(name)s er lagt til i mottaket.", name=user.name), "success")
        return redirect(url_for("admin.organisation", org_id=org.id))
    return _render_organisation(org, 422, mottak_form=form)


@bp.post("/organisasjoner/<int:org_id>/mottak/<int:user_id>/fjern")
def mottak_remove(org_id: int, user_id: int):
    org = _org(org_id)
    user = _user(user_id)
    _require(user.organisation_id == org.id)
    if ActionForm().validate_on_submit():
        try:
            services.set_mottak_member(current_user, user, False)
        except ServiceError as error:
            _flash_error(error)
        else:
            db.session.commit()
            flash(_("%(name)s er fjernet fra mottaket.", name=user.name), "success")
    return redirect(url_for("admin.organisation", org_id=org.id))


# --- Units -------------------------------------------------------------------------------------


def _parent_choices(org: Organisation, exclude: Unit | None = None) -> list[SelectChoice]:
    choices = [SelectChoice("", _("(øverste nivå)"))]
    for unit, _depth in services.unit_tree(org):
        if unit.active and unit is not exclude:
            choices.append(SelectChoice(unit.id, unit.path))
    return choices


@bp.route("/organisasjoner/<int:org_id>/enheter", methods=["GET", "POST"])
def units(org_id: int):
    org = _org(org_id)
    form = UnitForm()
    form.parent.choices = _parent_choices(org)
    if form.validate_on_submit():
        try:
            unit = services.create_unit(current_user, org, form.name.data, form.parent.data)
        except ServiceError as error:
            db.session.rollback()
            getattr(form, error.field).errors.append(message(error))
        else:
            db.session.commit()
            flash(_("Enheten %(name)s er opprettet.", name=unit.path), "success")
            return redirect(url_for("admin.units", org_id=org.id))
    return render_template(
        "admin/units.html", org=org, tree=services.unit_tree(org), form=form, action=ActionForm()
    ), (422 if form.errors else 200)


@bp.route("/enheter/<int:unit_id>", methods=["GET", "POST"])
def unit(unit_id: int):
    unit = _unit(unit_id)
    form = UnitForm(obj=unit) if request.method == "GET" else UnitForm()
    if request.method == "GET":
        form.parent.data = unit.parent_id
    form.parent.choices = _parent_choices(unit.organisation, exclude=unit)
    if form.validate_on_submit():
        try:
            services.update_unit(current_user, unit, form.name.data, form.parent.data)
        except ServiceError as error:
            db.session.rollback()
            getattr(form, error.field).errors.append(message(error))
        else:
            db.session.commit()
            flash(_("Endringene er lagret."), "success")
            return redirect(url_for("admin.units", org_id=unit.organisation_id))
    return render_template("admin/unit.html", unit=unit, form=form), (422 if form.errors else 200)


@bp.post("/enheter/<int:unit_id>/aktiv")
def unit_active(unit_id: int):
    unit = _unit(unit_id)
    form = ActionForm()
    if form.validate_on_submit():
        try:
            services.set_unit_active(current_user, unit, form.value.data == "1")
        except ServiceError as error:
            _flash_error(error)
        else:
            db.session.commit()
            flash(_("Endringene er lagret."), "success")
    return redirect(url_for("admin.units", org_id=unit.organisation_id))


# --- Categories and agreements -----------------------------------------------------------------

LISTS = {"kategorier": Category, "avtaler": Agreement}


def _list_model(kind: str) -> type[Category | Agreement]:
    _require(kind in LISTS and permissions.can_manage_lists(current_user))
    return LISTS[kind]


def _item(kind: str, item_id: int) -> Category | Agreement:
    item = db.session.get(_list_model(kind), item_id)
    _require(item is not None)
    return item  # type: ignore[return-value]


@bp.route("/<any(kategorier, avtaler):kind>", methods=["GET", "POST"])
def list_page(kind: str):
    model = _list_model(kind)
    form = ListItemForm()
    if form.validate_on_submit():
        try:
            item = services.create_item(current_user, model, form.name.data)
        except ServiceError as error:
            db.session.rollback()
            form.name.errors.append(message(error))
        else:
            db.session.commit()
            flash(_("%(name)s er lagt til.", name=item.name), "success")
            return redirect(url_for("admin.list_page", kind=kind))
    return render_template(
        "admin/list.html",
        kind=kind,
        items=services.list_items(model),
        usage=services.usage_counts(model),
        form=form,
        action=ActionForm(),
    ), (422 if form.errors else 200)


@bp.route("/<any(kategorier, avtaler):kind>/<int:item_id>", methods=["GET", "POST"])
def list_item(kind: str, item_id: int):
    item = _item(kind, item_id)
    form = ListItemForm(obj=item) if request.method == "GET" else ListItemForm()
    if form.validate_on_submit():
        try:
            services.rename_item(current_user, item, form.name.data)
        except ServiceError as error:
            db.session.rollback()
            form.name.errors.append(message(error))
        else:
            db.session.commit()
            flash(_("Endringene er lagret."), "success")
            return redirect(url_for("admin.list_page", kind=kind))
    return render_template("admin/list_item.html", kind=kind, item=item, form=form), (
        422 if form.errors else 200
    )


@bp.post("/<any(kategorier, avtaler):kind>/<int:item_id>/<any(flytt, aktiv, slett):what>")
def list_item_action(kind: str, item_id: int, what: str):
    item = _item(kind, item_id)
    form = ActionForm()
    if form.validate_on_submit():
        try:
            if what == "flytt":
                services.move_item(current_user, item, -1 if form.value.data == "opp" else 1)
            elif what == "aktiv":
                services.set_item_active(current_user, item, form.value.data == "1")
            else:
                name = item.name
                services.delete_item(current_user, item)
                flash(_("%(name)s er slettet.", name=name), "success")
        except ServiceError as error:
            _flash_error(error)
        else:
            db.session.commit()
    return redirect(url_for("admin.list_page", kind=kind) + f"#rad-{item_id}")


# --- Users -------------------------------------------------------------------------------------


def _roles(values: list[str] | None) -> set[Role]:
    known = {r.value for r in Role}
    return {Role(v) for v in values or [] if v in known}


def _role_choices() -> list[tuple[str, str]]:
    grantable = permissions.grantable_roles(current_user)
    return [(r.value, str(labels.ROLE[r])) for r in Role if r in grantable]


def _organisation_choices() -> list[SelectChoice]:
    return [SelectChoice(o.id, o.name) for o in services.list_organisations(current_user) if o.active]


def _unit_choices(organisations: list[Organisation]) -> list[SelectChoice]:
    choices = [SelectChoice("", _("Ingen bestemt enhet"))]
    for org in organisations:
        for unit, _depth in services.unit_tree(org):
            if unit.active:
                label = unit.path if len(organisations) == 1 else f"{org.name}: {unit.path}"
                choices.append(SelectChoice(unit.id, label))
    return choices


def _user_form_choices(form: UserForm | UserInviteForm) -> None:
    organisations = [o for o in services.list_organisations(current_user) if o.active]
    form.organisation.choices = [SelectChoice(o.id, o.name) for o in organisations]
    form.unit.choices = _unit_choices(organisations)
    form.roles.choices = _role_choices()


@bp.get("/brukere")
def users():
    org_filter = request.args.get("org", type=int)
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
        try:
            user = services.invite_user(
                current_user,
                form.email.data,
                form.name.data,
                form.organisation.data,
                form.unit.data,
                _roles(form.roles.data),
                form.language.data,
            )
        except ServiceError as error:
            db.session.rollback()
            getattr(form, error.field).errors.append(message(error))
        else:
            db.session.commit()
            flash(
                _(
                    "Invitasjonen er sendt til %(email)s. Lenken virker i %(hours)d timer.",
                    email=user.email,
                    hours=LINK_VALID_HOURS,
                ),
                "success",
            )
            return redirect(url_for("admin.user", user_id=user.id))
    return render_template("admin/invite.html", form=form), (422 if form.errors else 200)


@bp.route("/brukere/<int:user_id>", methods=["GET", "POST"])
def user(user_id: int):
    user = _user(user_id)
    if request.method == "GET":
        form = UserForm(formdata=None, obj=user)
        form.organisation.data = user.organisation_id
        form.unit.data = user.unit_id
        form.roles.data = [r.value for r in user.roles if r is not Role.MELDER]
    else:
        form = UserForm()
    _user_form_choices(form)
    if form.validate_on_submit():
        try:
            services.update_user(
                current_user,
                user,
                name=form.name.data,
                organisation_id=form.organisation.data,
                unit_id=form.unit.data,
                roles=_roles(form.roles.data),
            )
        except ServiceError as error:
            db.session.rollback()
            getattr(form, error.field).errors.append(message(error))
        else:
            db.session.commit()
            flash(_("Endringene er lagret."), "success")
            return redirect(url_for("admin.user", user_id=user.id))
    ungrantable = sorted(
        (r for r in user.roles if r is not Role.MELDER and r not in permissions.grantable_roles(current_user)),
        key=lambda r: r.value,
    )
    return render_template(
        "admin/user.html", user=user, form=form, action=ActionForm(), ungrantable=ungrantable
    ), (422 if form.errors else 200)


@bp.post("/brukere/<int:user_id>/aktiv")
def user_active(user_id: int):
    user = _user(user_id)
    form = ActionForm()
    if form.validate_on_submit():
        try:
            services.set_user_active(current_user, user, form.value.data == "1")
        except ServiceError as error:
            _flash_error(error)
        else:
            db.session.commit()
            flash(
                _("Kontoen er aktivert.") if user.active else _("Kontoen er deaktivert. Historikken er beholdt."),
                "success",
            )
    return redirect(url_for("admin.user", user_id=user.id))


@bp.post("/brukere/<int:user_id>/passordlenke")
def user_reset(user_id: int):
    user = _user(user_id)
    if ActionForm().validate_on_submit():
        try:
            services.send_password_reset(current_user, user)
        except ServiceError as error:
            _flash_error(error)
        else:
            db.session.commit()
            flash(_("En lenke for å velge passord er sendt til %(email)s.", email=user.email), "success")
    return redirect(url_for("admin.user", user_id=user.id))


# --- The log -----------------------------------------------------------------------------------


@bp.get("/logg")
def admin_log():
    _require(permissions.can_read_admin_log(current_user))
    before = request.args.get("for", type=int)
    entries = services.log_entries(current_user, limit=101, before_id=before)
    return render_template(
        "admin/log.html",
        entries=entries[:100],
        next_before=entries[99].id if len(entries) > 100 else None,
        actions=ACTION,
        fields=FIELD,
        links=LINK,
    )
