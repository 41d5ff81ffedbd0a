"""Unit pages: an organisation's tree, one unit's name and place, (de)activation."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from app.admin import services
from app.admin.forms import ActionForm, UnitForm
from app.admin.routes.blueprint import bp, organisation_or_404, unit_or_404
from app.common.names import unit_path
from app.common.writing import writing
from app.models import Organisation, Unit


def _parent_choices(org: Organisation, exclude: Unit | None = None) -> list[SelectChoice]:
    choices = [SelectChoice("", _("(øverste nivå)"))]
    for unit, _depth in services.unit_tree(org):
        if unit.active and unit is not exclude:
            choices.append(SelectChoice(unit.id, unit_path(unit)))
    return choices


@bp.route("/organisasjoner/<int:org_id>/enheter", methods=["GET", "POST"])
def units(org_id: int):
    org = organisation_or_404(org_id)
    form = UnitForm()
    form.parent.choices = _parent_choices(org)
    if form.validate_on_submit():
        with writing(form=form) as created:
            created.value = services.create_unit(
                current_user, org, form.name.data, form.parent.data, form.name_en.data or ""
            )
        if created:
            flash(_("Enheten %(name)s er opprettet.", name=unit_path(created.value)), "success")
            return redirect(url_for("admin.units", org_id=org.id))
    return render_template(
        "admin/units.html", org=org, tree=services.unit_tree(org), form=form, action=ActionForm()
    ), (422 if form.errors else 200)


@bp.route("/enheter/<int:unit_id>", methods=["GET", "POST"])
def unit(unit_id: int):
    unit = unit_or_404(unit_id)
    form = UnitForm(obj=unit) if request.method == "GET" else UnitForm()
    if request.method == "GET":
        form.parent.data = unit.parent_id
    form.parent.choices = _parent_choices(unit.organisation, exclude=unit)
    if form.validate_on_submit():
        success = _("Enheten %(name)s er endret.", name=form.name.data)
        with writing(form=form, success=success) as saved:
            services.update_unit(
                current_user, unit, form.name.data, form.parent.data, form.name_en.data or ""
            )
        if saved:
            return redirect(url_for("admin.units", org_id=unit.organisation_id))
    return render_template("admin/unit.html", unit=unit, form=form), (422 if form.errors else 200)


@bp.post("/enheter/<int:unit_id>/aktiv")
def unit_active(unit_id: int):
    unit = unit_or_404(unit_id)
    form = ActionForm()
    if form.validate_on_submit():
        active = form.value.data == "1"
        success = (
            _("Enheten %(name)s er tatt i bruk igjen.", name=unit.path)
            if active
            else _("Enheten %(name)s er tatt ut av bruk.", name=unit.path)
        )
        with writing(success=success):
            services.set_unit_active(current_user, unit, active)
    return redirect(url_for("admin.units", org_id=unit.organisation_id))
