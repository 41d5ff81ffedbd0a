"""The pieces the permission tables are made of: who the user is (``Actor``), what a user can
be to an object (``Relation``: a Python test and the same as SQL), the organisation lineage
mergers make, and the relations a role alone gives."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from app.models import (
    Organisation,
    Role,
    User,
)


def org_lineage(org_id: int) -> set[int]:
    """The organisation and every organisation merged into it, however many steps back.

    A merger moves open cases to the successor; closed ones stay with the organisation that
    existed then, and the successor's handlers still see (and may reopen) them.
    """
    from flask import g, has_request_context

    from app.extensions import db

    # A deviation page asks a dozen can() questions; walk the merger chain once per request.
    cache: dict[int, set[int]] | None = None
    if has_request_context():
        cache = g.setdefault("org_lineage", {})
        if org_id in cache:
            return cache[org_id]
    lineage = {org_id}
    frontier = {org_id}
    while frontier:
        frontier = (
            set(
                db.session.scalars(
                    sa.select(Organisation.id).where(Organisation.merged_into_id.in_(frontier))
                )
            )
            - lineage
        )
        lineage |= frontier
    if cache is not None:
        cache[org_id] = lineage
    return lineage


class Actor:
    """What the rules need of the user, read once per question."""

    def __init__(self, user: User) -> None:
        self.user = user
        self.signed_in = bool(user.is_authenticated)
        self.id = user.id if self.signed_in else None
        self.organisation_id = user.organisation_id if self.signed_in else None
        self.roles = frozenset(user.roles) if self.signed_in else frozenset()

    def holds(self, role: Role) -> bool:
        return role in self.roles

    @cached_property
    def lineage(self) -> set[int]:
        return org_lineage(self.organisation_id) if self.organisation_id is not None else set()


Test = Callable[[Actor, Any], bool]
Clause = Callable[[Actor, Any], ColumnElement[bool]]
# A condition on the object's state that an action needs besides a relation.
Guard = Callable[[Actor, Any], bool]


@dataclass(frozen=True)
class Relation:
    """What a user is to an object: the test on a loaded object and the same as SQL."""

    name: str
    test: Test = field(compare=False)
    clause: Clause = field(compare=False)

    def __repr__(self) -> str:
        return self.name


def _false(actor: Actor, model: Any) -> ColumnElement[bool]:
    return sa.false()


def role_relation(name: str, role: Role) -> Relation:
    """A relation held by a role alone, whatever the object."""
    return Relation(
        name,
        lambda actor, obj: actor.holds(role),
        lambda actor, model: sa.true() if actor.holds(role) else sa.false(),
    )


def handler_of(name: str, column: str) -> Relation:
    """A saksbehandler of the organisation (or a predecessor merged into it) in ``column``."""
    return Relation(
        name,
        lambda actor, obj: (
            actor.holds(Role.SAKSBEHANDLER) and getattr(obj, column) in actor.lineage
        ),
        lambda actor, model: (
            getattr(model, column).in_(actor.lineage)
            if actor.holds(Role.SAKSBEHANDLER)
            else sa.false()
        ),
    )


IMPROVEMENT_GROUP = role_relation("forbedringsgruppe", Role.FORBEDRINGSGRUPPE)
HANDLER = role_relation("saksbehandler", Role.SAKSBEHANDLER)
ADMIN = role_relation("administrator", Role.ADMIN)
LOCAL_ADMIN = role_relation("lokal_admin", Role.LOKAL_ADMIN)
PRIVACY_OFFICER = role_relation("personvernombud", Role.PERSONVERN)
