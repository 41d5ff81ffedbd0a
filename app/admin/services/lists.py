"""The shared lists every form offers: categories and cooperation agreements.

Both are the same kind of list (name, position, active) and share every operation; an item
a deviation uses can be deactivated but not deleted, so old cases and reports keep it.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.admin.services.admin_log import log
from app.admin.services.names import (
    clean_english_name,
    clean_name,
    require_unique_names,
)
from app.common.errors import ServiceError
from app.extensions import db
from app.models import Agreement, Category, Deviation, User

ListModel = type[Category] | type[Agreement]

LIST_FIELD = {Category: Deviation.category_id, Agreement: Deviation.agreement_id}
LIST_NAME_MAX = {Category: 120, Agreement: 200}


def _item_state(item: Category | Agreement) -> dict[str, Any]:
    return {
        "name": item.name,
        "name_en": item.name_en,
        "position": item.position,
        "active": item.active,
    }


def list_items(model: ListModel) -> list[Category | Agreement]:
    return list(db.session.scalars(sa.select(model).order_by(model.position, model.name)))


def usage_counts(model: ListModel) -> dict[int, int]:
    column = LIST_FIELD[model]
    rows = db.session.execute(
        sa.select(column, sa.func.count()).where(column.is_not(None)).group_by(column)
    )
    return {item_id: count for item_id, count in rows}


def _renumber(items: list[Category | Agreement]) -> None:
    for position, item in enumerate(items):
        item.position = position


def _require_free_name(
    model: ListModel, name: str, name_en: str | None, exclude_id: int | None
) -> None:
    query = sa.select(model.name, model.name_en)
    if exclude_id is not None:
        query = query.where(model.id != exclude_id)
    require_unique_names(name, name_en, query)


def create_item(
    actor: User, model: ListModel, name: str, name_en: str | None = None
) -> Category | Agreement:
    """A new entry at the end of the list; ``name_en`` empty or None: no English name."""
    name = clean_name(name, limit=LIST_NAME_MAX[model])
    english = clean_english_name(name_en, limit=LIST_NAME_MAX[model])
    _require_free_name(model, name, english, None)
    items = list_items(model)
    item = model(name=name, name_en=english, position=len(items))
    db.session.add(item)
    db.session.flush()
    log(actor, f"{model.__tablename__}.create", item, None, None, _item_state(item))
    return item


def rename_item(
    actor: User, item: Category | Agreement, name: str, name_en: str | None = None
) -> Category | Agreement:
    """``name_en`` None leaves the English name as it is; "" removes it."""
    model = type(item)
    name = clean_name(name, limit=LIST_NAME_MAX[model])
    english = item.name_en if name_en is None else clean_english_name(name_en, LIST_NAME_MAX[model])
    _require_free_name(model, name, english, item.id)
    before = _item_state(item)
    item.name = name
    item.name_en = english
    db.session.flush()
    if _item_state(item) != before:
        log(actor, f"{model.__tablename__}.rename", item, None, before, _item_state(item))
    return item


def move_item(actor: User, item: Category | Agreement, step: int) -> Category | Agreement:
    """Move one place up (-1) or down (+1) in the list every form shows."""
    model = type(item)
    items = list_items(model)
    index = next(i for i, other in enumerate(items) if other.id == item.id)
    new_index = min(max(index + step, 0), len(items) - 1)
    if new_index == index:
        return item
    before = _item_state(item)
    items.insert(new_index, items.pop(index))
    _renumber(items)
    db.session.flush()
    log(actor, f"{model.__tablename__}.reorder", item, None, before, _item_state(item))
    return item


def set_item_active(actor: User, item: Category | Agreement, active: bool) -> Category | Agreement:
    before = _item_state(item)
    item.active = active
    db.session.flush()
    verb = "activate" if active else "deactivate"
    log(actor, f"{type(item).__tablename__}.{verb}", item, None, before, _item_state(item))
    return item


def delete_item(actor: User, item: Category | Agreement) -> None:
    """Only an item no deviation uses: a used one stays in old cases and reports."""
    model = type(item)
    used = db.session.scalar(
        sa.select(sa.func.count()).select_from(Deviation).where(LIST_FIELD[model] == item.id)
    )
    if used:
        raise ServiceError(
            _l("Brukes av meldte avvik og kan derfor ikke slettes, bare deaktiveres."),
            "delete",
            "in_use",
        )
    before = _item_state(item)
    log(actor, f"{model.__tablename__}.delete", item, None, before, None)
    db.session.delete(item)
    db.session.flush()
    _renumber(list_items(model))
    db.session.flush()
