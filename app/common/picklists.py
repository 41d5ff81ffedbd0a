"""The pick lists of the forms: organisations, their units, categories and agreements.

Read on every form view, so what an admin adds or deactivates shows at once. Plain values, not
ORM objects: the lists are a few hundred rows and the forms need ids and names only. Names are
in the reader's language (app/common/names.py); the order is the admin's, the same in both.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from app.common.names import name_column
from app.extensions import db
from app.models import Agreement, Category, Organisation, OrgKind, Unit
from app.models.organisation import unit_paths


@dataclass(frozen=True)
class Choice:
    id: int
    name: str
    kind: str | None = None  # organisations: OrgKind value
    path: str = ""  # units: "Klinikk › Avdeling"


@dataclass(frozen=True)
class PickLists:
    organisations: list[Choice]
    units_by_org: dict[int, list[Choice]]
    categories: list[Choice]
    agreements: list[Choice]


def _active(model: type[Category | Agreement]) -> list[Choice]:
    rows = db.session.execute(
        sa.select(model.id, name_column(model))
        .where(model.active)
        .order_by(model.position, model.name)
    )
    return [Choice(id_, name) for id_, name in rows]


def active_categories() -> list[Choice]:
    return _active(Category)


def active_agreements() -> list[Choice]:
    return _active(Agreement)


def active_organisations() -> list[Choice]:
    """The hospital first, then the municipalities, then anyone else; by name within each."""
    kind_order = sa.case(
        (Organisation.kind == OrgKind.SYKEHUS, 0),
        (Organisation.kind == OrgKind.KOMMUNE, 1),
        else_=2,
    )
    rows = db.session.execute(
        sa.select(Organisation.id, Organisation.name, Organisation.kind)
        .where(Organisation.active)
        .order_by(kind_order, Organisation.name)
    )
    return [Choice(id_, name, OrgKind(kind).value) for id_, name, kind in rows]


def active_units_by_org(organisation_id: int | None = None) -> dict[int, list[Choice]]:
    """Every active unit with its path, per organisation, sorted by path; only the one
    organisation's when ``organisation_id`` is given (a unit's parent is always in its own
    organisation: app/admin/services/units.py)."""
    query = sa.select(
        Unit.id, Unit.organisation_id, Unit.parent_id, name_column(Unit).label("name"), Unit.active
    )
    if organisation_id is not None:
        query = query.where(Unit.organisation_id == organisation_id)
    rows = db.session.execute(query).all()
    # Paths through inactive parents too: a unit keeps its place when its parent is retired.
    paths = unit_paths((row.id, row.parent_id, row.name) for row in rows)
    units: dict[int, list[Choice]] = {}
    for row in rows:
        if row.active:
            units.setdefault(row.organisation_id, []).append(
                Choice(row.id, row.name, path=paths[row.id])
            )
    for org_units in units.values():
        org_units.sort(key=lambda unit: unit.path)
    return units


def active_units_of(organisation_id: int) -> list[Choice]:
    """One organisation's active units with their paths, sorted by path."""
    return active_units_by_org(organisation_id).get(organisation_id, [])


def filing_lists() -> PickLists:
    return PickLists(
        active_organisations(), active_units_by_org(), active_categories(), active_agreements()
    )
