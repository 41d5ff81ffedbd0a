"""Whose deviations the statistics count.

Who may see statistics, and whether every organisation's or only their own, is the permission
table's (``STATISTICS`` in app.common.permissions): the improvement group and admins see every
organisation's cases; a handler sees those their own organisation sent or received. A ``Scope``
is that choice, and the SQL condition for it.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from app.common import permissions
from app.common.errors import NoSuchObject, NotAllowed
from app.common.sql import unindexed
from app.extensions import db
from app.models import Deviation, Organisation, User
from reports import labels as report_labels


@dataclass(frozen=True)
class Scope:
    """Whose deviations: everyone's (organisation_id None) or those one organisation sent or got."""

    organisation_id: int | None
    name: str

    def clause(self) -> ColumnElement[bool]:
        if self.organisation_id is None:
            return sa.true()
        return sa.or_(
            Deviation.reporter_org_id == self.organisation_id,
            Deviation.counterpart_org_id == self.organisation_id,
        )

    def filter(self) -> ColumnElement[bool]:
        """The same condition, checked on the index entries the statistics read anyway (their
        indexes end with both organisation ids) rather than choosing which index to read."""
        if self.organisation_id is None:
            return sa.true()
        return sa.or_(
            unindexed(Deviation.reporter_org_id) == self.organisation_id,
            unindexed(Deviation.counterpart_org_id) == self.organisation_id,
        )


def scope_for(user: User) -> Scope:
    """Whom the permission table lets see every organisation's figures get all; the others who
    may see statistics (handlers) their own organisation's cases."""
    if permissions.can(user, "view_all", permissions.STATISTICS):
        return ALL
    if permissions.can(user, "view", permissions.STATISTICS):
        return Scope(user.organisation_id, user.organisation.name)
    raise NotAllowed("no statistics for this user")


ALL = Scope(None, report_labels.ALL_ORGANISATIONS)


def scope_for_organisation(name: str | None) -> Scope:
    if not name:
        return ALL
    org = db.session.scalar(sa.select(Organisation).where(Organisation.name == name))
    if org is None:
        raise NoSuchObject(name)
    return Scope(org.id, org.name)
