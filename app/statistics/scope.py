"""Whose deviations the statistics count, and who may see them.

The improvement group and admins see every organisation's cases; a handler sees those their own
organisation sent or received. A ``Scope`` is that choice, and the SQL condition for it.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from app.common.errors import NoSuchObject, NotAllowed
from app.extensions import db
from app.models import Deviation, Organisation, Role, User
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


class unindexed(FunctionElement):
    """The column itself, written ``+column`` on SQLite: a term its planner will not drive the
    query from (https://sqlite.org/optoverview.html#disqualifying_where_clause_terms_using_unary_).
    Without statistics (no ANALYZE) SQLite otherwise picks an index on an open-ended range or on
    the scope's organisation and reads hundreds of thousands of table rows."""

    inherit_cache = True

    def __init__(self, column: ColumnElement[object]) -> None:
        super().__init__(column)
        self.type = column.type


@compiles(unindexed)
def _unindexed(element: unindexed, compiler: SQLCompiler, **kw: object) -> str:
    return compiler.process(element.clauses, **kw)


@compiles(unindexed, "sqlite")
def _unindexed_sqlite(element: unindexed, compiler: SQLCompiler, **kw: object) -> str:
    return "+" + compiler.process(element.clauses, **kw)


def can_view_statistics(user: User) -> bool:
    return bool(user.roles & {Role.FORBEDRINGSGRUPPE, Role.ADMIN, Role.SAKSBEHANDLER})


def scope_for(user: User) -> Scope:
    """The improvement group and admins see all; a handler sees their own organisation's cases."""
    if user.roles & {Role.FORBEDRINGSGRUPPE, Role.ADMIN}:
        return ALL
    if user.has_role(Role.SAKSBEHANDLER):
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
