"""History is append-only, in the database itself and, with a clearer error, in the ORM.

The database refuses an UPDATE or DELETE of a history row by trigger, whoever sends it (the
app, a script, a console). The ORM events below refuse the same earlier, inside a flush, so
code that tries it fails with AppendOnlyError instead of a driver error.

Two tables allow exactly one named change each, and only while a `history_permit` row for the
case and that purpose exists (written and deleted inside the transaction making the change,
see `history_permit` below) and only when the case itself is in the state the change belongs
to. Every other column must stay as it was: the triggers compare them one by one.

- the retention run (app/deviations/retention.py) empties the text of a case's history rows
  and drops their actor, and deletes the case's messages, once the case is anonymised;
- rectification (app/privacy/rectification.py) replaces a passage of a history row's text or a
  message's body with the redaction mark, on a case not anonymised.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from app.models.access_log import AccessLogEntry
from app.models.admin_log import AdminLogEntry
from app.models.analysis import AnalysisEvent
from app.models.deviation import DeviationEvent, DeviationMessage
from app.models.history_permit import REDACTION_MARK_START, HistoryPermit, PermitPurpose

APPEND_ONLY_TABLES = ("deviation_event", "deviation_message", "analysis_event", "admin_log_entry")
# Never changed, but deleted when their retention period ends (app.maintenance).
NO_UPDATE_TABLES = ("access_log_entry",)


class AppendOnlyError(RuntimeError):
    pass


def sqlite_triggers(table: str, verbs: tuple[str, ...] = ("UPDATE", "DELETE")) -> list[str]:
    # The plain refusal, without allowances: what the migrations before the allowances built,
    # so those migrations keep building exactly that. New code wants guarded_sqlite_triggers.
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


@dataclass(frozen=True)
class Allowance:
    """One change a history table lets through: the verb, the purpose a permit must name, what
    the case must be (SQL on its row ``d``), and for an UPDATE the columns that must stay and
    the columns that must become empty text or NULL. Any other column is refused."""

    verb: str
    purpose: PermitPurpose
    case_condition: str
    unchanged: tuple[str, ...] = ()
    emptied: tuple[str, ...] = ()
    nulled: tuple[str, ...] = ()
    marked: tuple[str, ...] = ()  # changed, and must now carry the redaction mark


# A history row's columns that no allowance changes; the line's codes (HistoryLine) name no
# patient, so rectification leaves them, and retention drops only the unit and the colleague.
_KEPT = ("id", "deviation_id", "at", "kind", "from_status", "to_status")
_LINE = ("line", "org_id", "from_org_id", "unit_id", "colleague_id")

# deviation_event's allowances before its history-line columns (migration c3f9a1d7e524): what
# the migrations before it build, and what its downgrade puts back.
EVENT_ALLOWANCES_BEFORE_LINES = (
    Allowance(
        "UPDATE",
        PermitPurpose.RETENTION,
        "d.anonymised_at IS NOT NULL",
        unchanged=_KEPT,
        emptied=("text",),
        nulled=("actor_id",),
    ),
    Allowance(
        "UPDATE",
        PermitPurpose.RECTIFICATION,
        "d.anonymised_at IS NULL",
        unchanged=(*_KEPT, "actor_id"),
        marked=("text",),
    ),
)

# deviation_event's allowances since its history-line columns (migration c3f9a1d7e524, which
# builds exactly these: a later change to the rules comes with a migration of its own).
EVENT_ALLOWANCES_WITH_LINES = (
    Allowance(
        "UPDATE",
        PermitPurpose.RETENTION,
        "d.anonymised_at IS NOT NULL",
        unchanged=(*_KEPT, "line", "org_id", "from_org_id"),
        emptied=("text",),
        nulled=("actor_id", "unit_id", "colleague_id"),
    ),
    Allowance(
        "UPDATE",
        PermitPurpose.RECTIFICATION,
        "d.anonymised_at IS NULL",
        unchanged=(*_KEPT, "actor_id", *_LINE),
        marked=("text",),
    ),
)

ALLOWANCES: dict[str, tuple[Allowance, ...]] = {
    "deviation_event": EVENT_ALLOWANCES_WITH_LINES,
    "deviation_message": (
        Allowance("DELETE", PermitPurpose.RETENTION, "d.anonymised_at IS NOT NULL"),
        Allowance(
            "UPDATE",
            PermitPurpose.RECTIFICATION,
            "d.anonymised_at IS NULL",
            unchanged=("id", "deviation_id", "at", "author_id", "author_org_id", "internal"),
            marked=("body",),
        ),
    ),
}


def _condition(allowance: Allowance, dialect: str) -> str:
    same = "IS" if dialect == "sqlite" else "IS NOT DISTINCT FROM"
    parts = [
        (
            "EXISTS (SELECT 1 FROM history_permit p JOIN deviation d ON d.id = p.deviation_id"
            f" WHERE p.deviation_id = OLD.deviation_id AND p.purpose = '{allowance.purpose.value}'"
            f" AND {allowance.case_condition})"
        )
    ]
    parts += [f"NEW.{column} {same} OLD.{column}" for column in allowance.unchanged]
    parts += [f"NEW.{column} = ''" for column in allowance.emptied]
    parts += [f"NEW.{column} IS NULL" for column in allowance.nulled]
    # LIKE gives '[' no meaning in SQLite or PostgreSQL; '%' and '_' are not in the mark.
    parts += [
        f"NEW.{column} LIKE '%{REDACTION_MARK_START}%' AND NEW.{column} <> OLD.{column}"
        for column in allowance.marked
    ]
    return " AND ".join(f"({part})" for part in parts)


def guarded_sqlite_triggers(
    table: str, allowances: tuple[Allowance, ...] | None = None
) -> list[str]:
    """The append-only triggers of ``table`` with its allowances (the current schema's, unless
    a migration names those of an older one)."""
    if allowances is None:
        allowances = ALLOWANCES.get(table, ())
    statements = []
    for verb in ("UPDATE", "DELETE"):
        allowed = [a for a in allowances if a.verb == verb]
        when = ""
        if allowed:
            when = "WHEN NOT (" + " OR ".join(_condition(a, "sqlite") for a in allowed) + ") "
        statements.append(
            f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} FOR EACH ROW "
            f"{when}BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
        )
    return statements


def guarded_postgresql(table: str, allowances: tuple[Allowance, ...] | None = None) -> list[str]:
    """The function and trigger of ``table`` with its allowances (the current schema's, unless
    a migration names those of an older one)."""
    if allowances is None:
        if table not in ALLOWANCES:
            return [POSTGRESQL_FUNCTION, postgresql_trigger(table)]
        allowances = ALLOWANCES[table]
    branches = []
    for verb, returned in (("UPDATE", "NEW"), ("DELETE", "OLD")):
        allowed = [a for a in allowances if a.verb == verb]
        if allowed:
            condition = " OR ".join(_condition(a, "postgresql") for a in allowed)
            branches.append(
                f"    IF TG_OP = '{verb}' THEN\n"
                f"        IF {condition} THEN RETURN {returned}; END IF;\n"
                "    END IF;\n"
            )
    function = (
        f"CREATE OR REPLACE FUNCTION {table}_guard() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        "BEGIN\n" + "".join(branches) + "    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;\n"
        "END\n$$"
    )
    trigger = (
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {table}_guard()"
    )
    return [function, trigger]


@contextmanager
def history_permit(
    session: Session, deviation_ids: Iterable[int], purpose: PermitPurpose
) -> Iterator[None]:
    """Inside the block the triggers let ``purpose``'s change through for these cases; the
    permits are gone when it ends (an exception rolls the whole transaction back anyway)."""
    ids = sorted(set(deviation_ids))
    session.execute(
        sa.insert(HistoryPermit), [{"deviation_id": i, "purpose": purpose} for i in ids]
    )
    yield
    session.execute(
        sa.delete(HistoryPermit).where(
            HistoryPermit.deviation_id.in_(ids), HistoryPermit.purpose == purpose
        )
    )


def _attach_triggers(table: sa.Table, verbs: tuple[str, ...] = ("UPDATE", "DELETE")) -> None:
    """So that create_all (tests, a new database) builds them as the migration does."""
    guarded = table.name in ALLOWANCES
    sqlite = guarded_sqlite_triggers(table.name) if guarded else sqlite_triggers(table.name, verbs)
    for statement in sqlite:
        ddl = sa.DDL(statement.replace("%", "%%"))  # DDL() substitutes %(table)s: see below
        event.listen(table, "after_create", ddl.execute_if(dialect="sqlite"))
    postgresql = (
        guarded_postgresql(table.name)
        if guarded
        else [POSTGRESQL_FUNCTION, postgresql_trigger(table.name, verbs)]
    )
    for statement in postgresql:
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
    # A statement marked with a permit's purpose goes on to the triggers, which decide.
    if state.bind_mapper is None or state.execution_options.get("history_permit"):
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
