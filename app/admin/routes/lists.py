"""Pages for the shared lists (categories and agreements): add, rename, reorder,
(de)activate, delete."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.admin import services
from app.admin.forms import ActionForm, ListItemForm
from app.admin.routes.blueprint import bp, require
from app.common import permissions
from app.common.names import localized_name
from app.common.writing import writing
from app.extensions import db
from app.models import Agreement, Category

LISTS = {"kategorier": Category, "avtaler": Agreement}


def _list_model(kind: str) -> type[Category | Agreement]:
    require(kind in LISTS and permissions.can(current_user, "manage", permissions.LISTS))
    return LISTS[kind]


def _item(kind: str, item_id: int) -> Category | Agreement:
    item = db.session.get(_list_model(kind), item_id)
    require(item is not None)
    return item  # type: ignore[return-value]


@bp.route("/<any(kategorier, avtaler):kind>", methods=["GET", "POST"])
def list_page(kind: str):
    model = _list_model(kind)
    form = ListItemForm()
    if form.validate_on_submit():
        with writing(form=form) as added:
            added.value = services.create_item(
                current_user, model, form.name.data, form.name_en.data or ""
            )
        if added:
            flash(_("%(name)s er lagt til.", name=localized_name(added.value)), "success")
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
        new_name = form.name.data.strip()
        success = (
            _("«%(old)s» heter nå «%(new)s».", old=item.name, new=new_name)
            if new_name != item.name
            else _("«%(name)s» er endret.", name=item.name)
        )
        with writing(form=form, success=success) as saved:
            services.rename_item(current_user, item, form.name.data, form.name_en.data or "")
        if saved:
            return redirect(url_for("admin.list_page", kind=kind))
    return render_template("admin/list_item.html", kind=kind, item=item, form=form), (
        422 if form.errors else 200
    )


@bp.post("/<any(kategorier, avtaler):kind>/<int:item_id>/<any(flytt, aktiv, slett):what>")
def list_item_action(kind: str, item_id: int, what: str):
    item = _item(kind, item_id)
    form = ActionForm()
    if form.validate_on_submit():
        if what == "flytt":
            step = -1 if form.value.data == "opp" else 1
            with writing():
                services.move_item(current_user, item, step)
        elif what == "aktiv":
            active = form.value.data == "1"
            with writing():
                services.set_item_active(current_user, item, active)
        else:
            with writing(success=_("%(name)s er slettet.", name=localized_name(item))):
                services.delete_item(current_user, item)
    return redirect(url_for("admin.list_page", kind=kind) + f"#rad-{item_id}")
