"""History is append-only, in the database itself and, with a clearer error, in the ORM.

The database refuses an UPDATE or DELETE of a history row by trigger, whoever sends it (the
app, a script, a console). The ORM events below refuse the same earlier, inside a flush, so
code that tries it fails with AppendOnlyError instead of a driver error.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from app.models.access_log import AccessLogEntry
from app.models.admin_log import AdminLogEntry
from app.models.analysis import AnalysisEvent
from app.models.deviation import DeviationEvent, DeviationMessage

APPEND_ONLY_TABLES = ("deviation_event", "deviation_message", "analysis_event", "admin_log_entry")
# Never changed, but deleted when their retention period ends (app.maintenance).
NO_UPDATE_TABLES = ("access_log_entry",)


class AppendOnlyError(RuntimeError):
    pass


def sqlite_triggers(table: str, verbs: tuple[str, ...] = ("UPDATE", "DELETE")) -> list[str]:
    return [
        f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
        for verb in verbs
    ]


POSTGRESQL_FUNCTION = """
CREATE OR REPLACE FUNCTION refuse_history_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END
$$
"""


def postgresql_trigger(table: str, verbs: tuple[str, ...] = ("UPDATE", "DELETE")) -> str:
    return (
        f"CREATE TRIGGER {table}_append_only BEFORE {' OR '.join(verbs)} ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION refuse_history_change()"
    )


def _attach_triggers(table: sa.Table, verbs: tuple[str, ...] = ("UPDATE", "DELETE")) -> None:
    """So that create_all (tests, a new database) builds them as the migration does."""
    for statement in sqlite_triggers(table.name, verbs):
        event.listen(table, "after_create", sa.DDL(statement).execute_if(dialect="sqlite"))
    for statement in (POSTGRESQL_FUNCTION, postgresql_trigger(table.name, verbs)):
        # DDL() substitutes %(table)s and the like: the function's own % is doubled.
        ddl = sa.DDL(statement.replace("%", "%%"))
        event.listen(table, "after_create", ddl.execute_if(dialect="postgresql"))


for _model in (DeviationEvent, DeviationMessage, AnalysisEvent, AdminLogEntry):
    _attach_triggers(_model.__table__)
_attach_triggers(AccessLogEntry.__table__, ("UPDATE",))


@event.listens_for(DeviationEvent, "before_update")
@event.listens_for(AccessLogEntry, "before_update")
@event.listens_for(AdminLogEntry, "before_update")
@event.listens_for(DeviationMessage, "before_update")
@event.listens_for(AnalysisEvent, "before_update")
def _refuse_update(mapper, connection, target) -> None:
    raise AppendOnlyError(f"{mapper.class_.__tablename__} is append-only")


@event.listens_for(DeviationEvent, "before_delete")
@event.listens_for(DeviationMessage, "before_delete")
@event.listens_for(AnalysisEvent, "before_delete")
@event.listens_for(AdminLogEntry, "before_delete")
def _refuse_delete(mapper, connection, target) -> None:
    raise AppendOnlyError(f"{mapper.class_.__tablename__} is append-only")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_change(state: ORMExecuteState) -> None:
    # sa.update()/sa.delete() skip the per-row events above: refuse them for the logs too.
    if state.bind_mapper is None:
        return
    model = state.bind_mapper.class_
    if (state.is_update or state.is_delete) and model in (
        DeviationEvent,
        DeviationMessage,
        AnalysisEvent,
        AdminLogEntry,
    ):
        raise AppendOnlyError(f"{model.__tablename__} is append-only")
    if state.is_update and model is AccessLogEntry:
        raise AppendOnlyError(f"{model.__tablename__} is append-only")
