"""Administration: organisations, units, the shared lists, users — each change logged.

Every operation takes the acting user, checks the rule it enforces, writes one
AdminLogEntry (before/after as JSON) and flushes; the route commits once. Permission to act
on an organisation or a user is the route's check (app.common.permissions); what an operation
may *change* for a lokal_admin (no admin role, no other organisation) is enforced here too,
so a forged form cannot get round it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from app.auth.services import create_user, find_user, revoke_tokens, send_link
from app.common import permissions
from app.extensions import db
from app.models import (
    OPEN_STATUSES,
    AdminLogEntry,
    Agreement,
    Category,
    Deviation,
    Organisation,
    OrgKind,
    Role,
    TokenPurpose,
    Unit,
    User,
    utcnow,
)

NAME_MAX = 120
RESPONSE_DAYS_MAX = 365

ListModel = type[Category] | type[Agreement]


class AdminError(ValueError):
    """A rule the input breaks; ``field`` names the form field to show it beside."""

    def __init__(self, field: str, code: str) -> None:
        super().__init__(code)
        self.field = field
        self.code = code


# --- The log -----------------------------------------------------------------------------------


def log(
    actor: User,
    action: str,
    target: Any,
    organisation_id: int | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    label: str | None = None,
    now: datetime | None = None,
) -> AdminLogEntry:
    entry = AdminLogEntry(
        at=now or utcnow(),
        actor_id=actor.id,
        organisation_id=organisation_id,
        action=action,
        target_type=type(target).__tablename__,
        target_id=target.id,
        target_label=(label if label is not None else getattr(target, "name", ""))[:254],
        before=before,
        after=after,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def log_entries(viewer: User, limit: int = 100, before_id: int | None = None) -> list[AdminLogEntry]:
    """Newest first. A lokal_admin reads their own organisation's entries only."""
    query = sa.select(AdminLogEntry).order_by(AdminLogEntry.id.desc()).limit(limit)
    if not permissions.is_central_admin(viewer):
        query = query.where(AdminLogEntry.organisation_id == viewer.organisation_id)
    if before_id is not None:
        query = query.where(AdminLogEntry.id < before_id)
    return list(db.session.scalars(query))


# --- Organisations -----------------------------------------------------------------------------


def _org_state(org: Organisation) -> dict[str, Any]:
    return {
        "name": org.name,
        "kind": org.kind.value,
        "active": org.active,
        "response_days": org.response_days,
        "merged_into_id": org.merged_into_id,
    }


def _clean_name(value: str, field_name: str = "name", limit: int = NAME_MAX) -> str:
    name = " ".join((value or "").split())
    if not name:
        raise AdminError(field_name, "required")
    if len(name) > limit:
        raise AdminError(field_name, "too_long")
    return name


def _name_in(name: str, query: sa.Select) -> bool:
    # Compared in Python: SQLite's lower() leaves Æ, Ø and Å as they are.
    wanted = name.casefold()
    return any(other.casefold() == wanted for other in db.session.scalars(query))


def _org_name_taken(name: str, exclude_id: int | None = None) -> bool:
    query = sa.select(Organisation.name)
    if exclude_id is not None:
        query = query.where(Organisation.id != exclude_id)
    return _name_in(name, query)


def _check_response_days(days: int) -> int:
    if days is None or not 1 <= days <= RESPONSE_DAYS_MAX:
        raise AdminError("response_days", "days_range")
    return days


def list_organisations(viewer: User) -> list[Organisation]:
    query = sa.select(Organisation).order_by(Organisation.active.desc(), Organisation.name)
    if not permissions.is_central_admin(viewer):
        query = query.where(Organisation.id == viewer.organisation_id)
    return list(db.session.scalars(query))


def create_organisation(actor: User, name: str, kind: OrgKind, response_days: int) -> Organisation:
    name = _clean_name(name)
    if _org_name_taken(name):
        raise AdminError("name", "taken")
    org = Organisation(name=name, kind=kind, response_days=_check_response_days(response_days))
    db.session.add(org)
    db.session.flush()
    log(actor, "organisation.create", org, org.id, None, _org_state(org))
    return org


def update_organisation(
    actor: User, org: Organisation, *, name: str | None = None, response_days: int | None = None
) -> Organisation:
    """Rename (central admin) and/or set the response deadline (admin or its lokal_admin).

    A rename changes only what new filings and screens show: every deviation keeps the
    organisation's name as it was when filed (Deviation.reporter_org_name/counterpart_org_name).
    """
    before = _org_state(org)
    if name is not None:
        name = _clean_name(name)
        if name != org.name:
            if not permissions.can_manage_organisations(actor):
                raise AdminError("name", "forbidden")
            if _org_name_taken(name, exclude_id=org.id):
                raise AdminError("name", "taken")
            org.name = name
    if response_days is not None:
        org.response_days = _check_response_days(response_days)
    after = _org_state(org)
    if after != before:
        db.session.flush()
        log(actor, "organisation.update", org, org.id, before, after)
    return org


def set_organisation_active(actor: User, org: Organisation, active: bool) -> Organisation:
    if org.merged_into_id is not None and active:
        raise AdminError("active", "merged")
    if org.id == actor.organisation_id and not active:
        raise AdminError("active", "own_org")
    before = _org_state(org)
    org.active = active
    db.session.flush()
    log(actor, "organisation.activate" if active else "organisation.deactivate", org, org.id,
        before, _org_state(org))  # fmt: skip
    return org


@dataclass
class MergeResult:
    users: int = 0
    units: int = 0
    open_moved: int = 0
    left_between: list[str] = field(default_factory=list)


def merge_organisation(
    actor: User, source: Organisation, target: Organisation, now: datetime | None = None
) -> MergeResult:
    """Merge ``source`` into ``target`` (e.g. Leksvik into Indre Fosen).

    The rule:
    - ``source`` becomes inactive with ``merged_into_id = target``; its name stays as it was.
    - Its users move to ``target`` and keep their units (which move with them).
    - Its unit tree moves to ``target`` under a new top-level unit named after ``source``, so
      "Leksvik › Helse og omsorg › Hjemmetjenesten" never collides with the target's own units.
    - Its *open* deviations move: received ones into the target's mottak, sent ones to the
      target as reporting organisation. Closed ones stay with the organisation that handled
      them; the target's handlers still see them (permissions.org_lineage).
    - Open deviations between the two cannot move (an organisation does not report to
      itself); they stay as they are, listed in the result and the log.
    - No deviation's name snapshot changes: history and past tertials keep "Leksvik".
    """
    now = now or utcnow()
    if source.id == target.id:
        raise AdminError("target", "same")
    if not source.active or source.merged_into_id is not None:
        raise AdminError("target", "source_inactive")
    if not target.active:
        raise AdminError("target", "inactive")
    before = _org_state(source)
    result = MergeResult()

    # The units: one wrapper at the top of the target's tree, the source's roots under it.
    wrapper_name = source.name
    taken = {u.name for u in target.units if u.parent_id is None}
    suffix = 2
    while wrapper_name in taken:
        wrapper_name = f"{source.name} ({suffix})"
        suffix += 1
    source_units = list(source.units)
    wrapper = Unit(organisation_id=target.id, name=wrapper_name[:NAME_MAX])
    db.session.add(wrapper)
    db.session.flush()
    for unit in source_units:
        if unit.parent_id is None:
            unit.parent_id = wrapper.id
    # Through the ORM, not a bulk UPDATE, so loaded objects (the actor too) see the move.
    for unit in source_units:
        unit.organisation = target
    result.units = len(source_units)
    users = list(db.session.scalars(sa.select(User).where(User.organisation_id == source.id)))
    for user in users:
        user.organisation = target
    result.users = len(users)

    open_received = list(
        db.session.scalars(
            sa.select(Deviation).where(
                Deviation.counterpart_org_id == source.id, Deviation.status.in_(OPEN_STATUSES)
            )
        )
    )
    open_sent = list(
        db.session.scalars(
            sa.select(Deviation).where(
                Deviation.reporter_org_id == source.id, Deviation.status.in_(OPEN_STATUSES)
            )
        )
    )
    moved: list[str] = []
    for deviation in open_received:
        if deviation.reporter_org_id == target.id:
            result.left_between.append(deviation.reference)
            continue
        deviation.counterpart_org_id = target.id
        moved.append(deviation.reference)
    for deviation in open_sent:
        if deviation.counterpart_org_id == target.id:
            result.left_between.append(deviation.reference)
            continue
        deviation.reporter_org_id = target.id
        moved.append(deviation.reference)
    result.open_moved = len(moved)

    source.active = False
    source.merged_into_id = target.id
    db.session.flush()
    details = {
        "merged_into": target.name,
        "users_moved": result.users,
        "units_moved": result.units,
        "open_deviations_moved": sorted(moved),
        "open_deviations_left_between": sorted(result.left_between),
    }
    log(actor, "organisation.merge", source, source.id, before,
        {**_org_state(source), **details}, now=now)  # fmt: skip
    log(actor, "organisation.merge_in", target, target.id, None,
        {"merged_from": source.name, **details}, now=now)  # fmt: skip
    return result


def mottak_staff(org: Organisation) -> list[User]:
    """Who staffs the mottak: the organisation's active saksbehandlere."""
    return [u for u in active_users_of(org) if u.has_role(Role.SAKSBEHANDLER)]


def active_users_of(org: Organisation) -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User).where(User.organisation_id == org.id, User.active).order_by(User.name)
        )
    )


def set_mottak_member(actor: User, user: User, member: bool) -> User:
    roles = set(user.roles) - {Role.MELDER}
    roles = roles | {Role.SAKSBEHANDLER} if member else roles - {Role.SAKSBEHANDLER}
    return update_user(actor, user, roles=roles)


# --- Units -------------------------------------------------------------------------------------


def _unit_state(unit: Unit) -> dict[str, Any]:
    return {"name": unit.name, "parent_id": unit.parent_id, "path": unit.path, "active": unit.active}


def _sibling_taken(org_id: int, parent_id: int | None, name: str, exclude_id: int | None) -> bool:
    query = sa.select(Unit.name).where(
        Unit.organisation_id == org_id,
        Unit.parent_id.is_(None) if parent_id is None else Unit.parent_id == parent_id,
    )
    if exclude_id is not None:
        query = query.where(Unit.id != exclude_id)
    return _name_in(name, query)


def _parent_in(org: Organisation, parent_id: int | None) -> Unit | None:
    if parent_id is None:
        return None
    parent = db.session.get(Unit, parent_id)
    if parent is None or parent.organisation_id != org.id:
        raise AdminError("parent", "unknown")
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


def create_unit(actor: User, org: Organisation, name: str, parent_id: int | None) -> Unit:
    name = _clean_name(name)
    parent = _parent_in(org, parent_id)
    if parent is not None and not parent.active:
        raise AdminError("parent", "inactive")
    if _sibling_taken(org.id, parent_id, name, None):
        raise AdminError("name", "taken")
    unit = Unit(organisation_id=org.id, parent_id=parent.id if parent else None, name=name)
    db.session.add(unit)
    db.session.flush()
    log(actor, "unit.create", unit, org.id, None, _unit_state(unit), label=unit.path)
    return unit


def update_unit(actor: User, unit: Unit, name: str, parent_id: int | None) -> Unit:
    """Rename and/or move under another parent of the same organisation; never into itself."""
    org = unit.organisation
    name = _clean_name(name)
    parent = _parent_in(org, parent_id)
    ancestor = parent
    while ancestor is not None:
        if ancestor.id == unit.id:
            raise AdminError("parent", "cycle")
        ancestor = ancestor.parent
    if _sibling_taken(org.id, parent_id, name, unit.id):
        raise AdminError("name", "taken")
    before = _unit_state(unit)
    unit.name = name
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
            raise AdminError("active", "active_children")
    elif unit.parent is not None and not unit.parent.active:
        raise AdminError("active", "parent_inactive")
    before = _unit_state(unit)
    unit.active = active
    db.session.flush()
    log(actor, "unit.activate" if active else "unit.deactivate", unit, unit.organisation_id,
        before, _unit_state(unit), label=unit.path)  # fmt: skip
    return unit


# --- Categories and agreements -----------------------------------------------------------------

LIST_FIELD = {Category: Deviation.category_id, Agreement: Deviation.agreement_id}
LIST_NAME_MAX = {Category: 120, Agreement: 200}


def _item_state(item: Category | Agreement) -> dict[str, Any]:
    return {"name": item.name, "position": item.position, "active": item.active}


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


def _list_name_taken(model: ListModel, name: str, exclude_id: int | None) -> bool:
    query = sa.select(model.name)
    if exclude_id is not None:
        query = query.where(model.id != exclude_id)
    return _name_in(name, query)


def create_item(actor: User, model: ListModel, name: str) -> Category | Agreement:
    name = _clean_name(name, limit=LIST_NAME_MAX[model])
    if _list_name_taken(model, name, None):
        raise AdminError("name", "taken")
    items = list_items(model)
    item = model(name=name, position=len(items))
    db.session.add(item)
    db.session.flush()
    log(actor, f"{model.__tablename__}.create", item, None, None, _item_state(item))
    return item


def rename_item(actor: User, item: Category | Agreement, name: str) -> Category | Agreement:
    model = type(item)
    name = _clean_name(name, limit=LIST_NAME_MAX[model])
    if _list_name_taken(model, name, item.id):
        raise AdminError("name", "taken")
    before = _item_state(item)
    item.name = name
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
        raise AdminError("delete", "in_use")
    before = _item_state(item)
    log(actor, f"{model.__tablename__}.delete", item, None, before, None)
    db.session.delete(item)
    db.session.flush()
    _renumber(list_items(model))
    db.session.flush()


# --- Users -------------------------------------------------------------------------------------


def _user_state(user: User) -> dict[str, Any]:
    return {
        "email": user.email,
        "name": user.name,
        "organisation": user.organisation.name if user.organisation else None,
        "unit": user.unit.path if user.unit else None,
        "roles": sorted(r.value for r in user.roles - {Role.MELDER}),
        "active": user.active,
        "language": user.language,
    }


def list_users(viewer: User, organisation_id: int | None = None, query: str = "") -> list[User]:
    statement = sa.select(User).order_by(User.active.desc(), User.name).limit(500)
    if not permissions.is_central_admin(viewer):
        organisation_id = viewer.organisation_id
    if organisation_id is not None:
        statement = statement.where(User.organisation_id == organisation_id)
    query = query.strip().lower()
    if query:
        pattern = f"%{query}%"
        statement = statement.where(
            sa.or_(sa.func.lower(User.name).like(pattern), sa.func.lower(User.email).like(pattern))
        )
    return list(db.session.scalars(statement))


def _check_org_and_unit(
    actor: User, organisation_id: int, unit_id: int | None
) -> tuple[Organisation, Unit | None]:
    org = db.session.get(Organisation, organisation_id)
    if org is None or not org.active or not permissions.can_administer_org(actor, org):
        raise AdminError("organisation", "unknown")
    unit = None
    if unit_id is not None:
        unit = db.session.get(Unit, unit_id)
        if unit is None or unit.organisation_id != org.id:
            raise AdminError("unit", "wrong_org")
        if not unit.active:
            raise AdminError("unit", "inactive")
    return org, unit


def _check_roles(actor: User, target: User | None, roles: set[Role]) -> set[Role]:
    """Roles the actor may not grant are neither given nor taken: they stay as they were."""
    grantable = permissions.grantable_roles(actor)
    current = (set(target.roles) if target else set()) - {Role.MELDER}
    wanted = set(roles) - {Role.MELDER}
    if wanted - grantable - current:
        raise AdminError("roles", "forbidden")
    return (wanted & grantable) | (current - grantable)


def invite_user(
    actor: User,
    email: str,
    name: str,
    organisation_id: int,
    unit_id: int | None,
    roles: set[Role],
    language: str = "nb",
    now: datetime | None = None,
) -> User:
    """Create the account without a password and mail a 72-hour link to choose one."""
    email = (email or "").strip().lower()
    if find_user(email) is not None:
        raise AdminError("email", "taken")
    name = _clean_name(name)
    org, unit = _check_org_and_unit(actor, organisation_id, unit_id)
    roles = _check_roles(actor, None, roles)
    user = create_user(email, name, org, None, roles, unit)
    user.language = language
    db.session.flush()
    send_link(user, TokenPurpose.INVITATION, now)
    log(actor, "user.invite", user, org.id, None, _user_state(user), label=user.email, now=now)
    return user


def update_user(
    actor: User,
    user: User,
    *,
    name: str | None = None,
    organisation_id: int | None = None,
    unit_id: Any = ...,  # ... leaves the unit as it is; None removes it
    roles: set[Role] | None = None,
) -> User:
    before = _user_state(user)
    old_org_id = user.organisation_id
    if name is not None:
        user.name = _clean_name(name)
    if organisation_id is not None or unit_id is not ...:
        org_id = organisation_id if organisation_id is not None else user.organisation_id
        new_unit_id = user.unit_id if unit_id is ... else unit_id
        if org_id != user.organisation_id and new_unit_id == user.unit_id:
            new_unit_id = None  # the old unit belongs to the old organisation
        org, unit = _check_org_and_unit(actor, org_id, new_unit_id)  # type: ignore[arg-type]
        if org.id != user.organisation_id and not permissions.is_central_admin(actor):
            raise AdminError("organisation", "unknown")
        user.organisation = org
        user.unit = unit
    if roles is not None:
        if user.id == actor.id and Role.ADMIN in user.roles and Role.ADMIN not in roles:
            raise AdminError("roles", "own_admin")
        user.set_roles(_check_roles(actor, user, roles))
    db.session.flush()
    after = _user_state(user)
    if after != before:
        log(actor, "user.update", user, user.organisation_id, before, after, label=user.email)
        if old_org_id != user.organisation_id:
            # The old organisation's lokal_admin sees that someone left.
            log(actor, "user.leave", user, old_org_id, before, after, label=user.email)
    return user


def set_user_active(actor: User, user: User, active: bool, now: datetime | None = None) -> User:
    """A deactivated user cannot log in and no old link works; their history stays."""
    if user.id == actor.id and not active:
        raise AdminError("active", "self")
    before = _user_state(user)
    user.active = active
    if not active:
        revoke_tokens(user, now)
    db.session.flush()
    log(actor, "user.activate" if active else "user.deactivate", user, user.organisation_id,
        before, _user_state(user), label=user.email, now=now)  # fmt: skip
    return user


def send_password_reset(actor: User, user: User, now: datetime | None = None) -> None:
    if not user.active:
        raise AdminError("active", "inactive_user")
    # Someone who never set a password gets a fresh invitation instead.
    purpose = TokenPurpose.RESET if user.password_hash else TokenPurpose.INVITATION
    send_link(user, purpose, now)
    log(actor, f"user.send_{purpose.value}", user, user.organisation_id, None,
        {"link": purpose.value}, label=user.email, now=now)  # fmt: skip
