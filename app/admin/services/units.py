"""Units: the tree inside an organisation — create, rename, move, (de)activate."""

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
from app.models import Organisation, Unit, User


def _unit_state(unit: Unit) -> dict[str, Any]:
    return {
        "name": unit.name,
        "name_en": unit.name_en,
        "parent_id": unit.parent_id,
        "path": unit.path,
        "active": unit.active,
    }


def _require_free_name(
    org_id: int, parent_id: int | None, name: str, name_en: str | None, exclude_id: int | None
) -> None:
    """Siblings need different names, in either language; the same name may appear under
    another parent."""
    query = sa.select(Unit.name, Unit.name_en).where(
        Unit.organisation_id == org_id,
        Unit.parent_id.is_(None) if parent_id is None else Unit.parent_id == parent_id,
    )
    if exclude_id is not None:
        query = query.where(Unit.id != exclude_id)
    require_unique_names(name, name_en, query)


def _parent_in(org: Organisation, parent_id: int | None) -> Unit | None:
    if parent_id is None:
        return None
    parent = db.session.get(Unit, parent_id)
    if parent is None or parent.organisation_id != org.id:
        raise ServiceError(_l("Valget finnes ikke lenger. Velg på nytt."), "parent", "unknown")
    return parent


def unit_tree(org: Organisation) -> list[tuple[Unit, int]]:
    """Every unit of the organisation in tree order, with its depth (0 for a top-level unit)."""
    units = list(db.session.scalars(sa.select(Unit).where(Unit.organisation_id == org.id)))
    children: dict[int | None, list[Unit]] = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit)
    ordered: list[tuple[Unit, int]] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for unit in sorted(children.get(parent_id, []), key=lambda u: u.name.lower()):
            ordered.append((unit, depth))
            walk(unit.id, depth + 1)

    walk(None, 0)
    return ordered


def create_unit(
    actor: User, org: Organisation, name: str, parent_id: int | None, name_en: str | None = None
) -> Unit:
    """``name_en`` empty or None: no English name."""
    name = clean_name(name)
    english = clean_english_name(name_en)
    parent = _parent_in(org, parent_id)
    if parent is not None and not parent.active:
        raise ServiceError(_l("Velg en aktiv organisasjon."), "parent", "inactive")
    _require_free_name(org.id, parent_id, name, english, None)
    unit = Unit(
        organisation_id=org.id,
        parent_id=parent.id if parent else None,
        name=name,
        name_en=english,
    )
    db.session.add(unit)
    db.session.flush()
    log(actor, "unit.create", unit, org.id, None, _unit_state(unit), label=unit.path)
    return unit


def update_unit(
    actor: User, unit: Unit, name: str, parent_id: int | None, name_en: str | None = None
) -> Unit:
    """Rename and/or move under another parent of the same organisation; never into itself.
    ``name_en`` None leaves the English name as it is; "" removes it."""
    org = unit.organisation
    name = clean_name(name)
    english = unit.name_en if name_en is None else clean_english_name(name_en)
    parent = _parent_in(org, parent_id)
    ancestor = parent
    while ancestor is not None:
        if ancestor.id == unit.id:
            raise ServiceError(
                _l("En enhet kan ikke ligge under seg selv eller en av sine underenheter."),
                "parent",
                "cycle",
            )
        ancestor = ancestor.parent
    _require_free_name(org.id, parent_id, name, english, unit.id)
    before = _unit_state(unit)
    unit.name = name
    unit.name_en = english
    unit.parent = parent
    db.session.flush()
    after = _unit_state(unit)
    if after != before:
        action = "unit.move" if before["parent_id"] != after["parent_id"] else "unit.rename"
        log(actor, action, unit, org.id, before, after, label=unit.path)
    return unit


def set_unit_active(actor: User, unit: Unit, active: bool) -> Unit:
    if not active:
        has_active_children = db.session.scalar(
            sa.select(Unit.id).where(Unit.parent_id == unit.id, Unit.active).limit(1)
        )
        if has_active_children:
            raise ServiceError(_l("Deaktiver underenhetene først."), "active", "active_children")
    elif unit.parent is not None and not unit.parent.active:
        raise ServiceError(
            _l("Aktiver enheten den ligger under først."), "active", "parent_inactive"
        )
    before = _unit_state(unit)
    unit.active = active
    db.session.flush()
    log(actor, "unit.activate" if active else "unit.deactivate", unit, unit.organisation_id,
        before, _unit_state(unit), label=unit.path)  # fmt: skip
    return unit
