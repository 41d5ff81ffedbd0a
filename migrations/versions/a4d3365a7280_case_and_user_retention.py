"""Retention of whole cases and of departed users, rectification, and the unusual-access
list: the marks, the permit table, history triggers that let exactly the retention run's and
rectification's changes through, and access_alert.

Revision ID: a4d3365a7280
Revises: e21a7c4b9f05
Create Date: 2026-12-06

deviation_event and deviation_message were refused every UPDATE and DELETE; they now allow the
change named in app/models/guards.py:ALLOWANCES, only while a history_permit row for the case
names it and only on an anonymised case, column by column. SQLite rebuilds deviation_event in
batch mode for its new event kind, which drops its triggers: they are made again after.

Accounts already deactivated get deactivated_at = the upgrade's time: their retention counts
from the upgrade, since when they were deactivated is not stored anywhere before it.
"""

import sqlalchemy as sa
from alembic import op

import app.models.base
from app.models.guards import (
    EVENT_ALLOWANCES_BEFORE_LINES,
    guarded_postgresql,
    guarded_sqlite_triggers,
    postgresql_trigger,
    sqlite_triggers,
)

revision = "a4d3365a7280"
down_revision = "e21a7c4b9f05"
branch_labels = None
depends_on = None

GUARDED = ("deviation_event", "deviation_message")
# The allowances as this revision built them: later columns are compared from c3f9a1d7e524 on.
AS_BUILT = {"deviation_event": EVENT_ALLOWANCES_BEFORE_LINES}
OLD_KINDS = ("opprettet", "importert", "statusendring", "pasient_vist", "pasient_slettet",
             "pasient_utlopt")  # fmt: skip
NEW_KINDS = (*OLD_KINDS, "sak_anonymisert", "pasient_rettet", "tekst_fjernet")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _drop_triggers(dialect: str) -> None:
    for table in GUARDED:
        if dialect == "sqlite":
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")


def _replace_kind_check(dialect: str, kinds: tuple[str, ...]) -> None:
    name = op.f("ck_deviation_event_event_kind")
    if dialect == "sqlite":
        with op.batch_alter_table("deviation_event", recreate="always") as batch_op:
            batch_op.drop_constraint(name, type_="check")
            batch_op.create_check_constraint(name, _in("kind", kinds))
    else:
        op.drop_constraint(name, "deviation_event", type_="check")
        op.create_check_constraint(name, "deviation_event", _in("kind", kinds))


def upgrade():
    dialect = op.get_bind().dialect.name
    op.create_table(
        "history_permit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deviation_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.Enum("oppbevaring", "rettelse", name="permit_purpose", native_enum=False,
                                     create_constraint=True, length=11), nullable=False),
        sa.ForeignKeyConstraint(["deviation_id"], ["deviation.id"],
                                name=op.f("fk_history_permit_deviation_id_deviation")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_history_permit")),
    )  # fmt: skip
    op.create_index(op.f("ix_history_permit_deviation_id"), "history_permit", ["deviation_id"])
    # Plain ADD COLUMN on SQLite: no rebuild of the two tables.
    op.add_column("deviation", sa.Column("anonymised_at", app.models.base.UTCDateTime()))
    op.add_column("user", sa.Column("deactivated_at", app.models.base.UTCDateTime()))
    op.add_column("user", sa.Column("anonymised_at", app.models.base.UTCDateTime()))
    user = sa.table("user", sa.column("active", sa.Boolean),
                    sa.column("deactivated_at", app.models.base.UTCDateTime()))  # fmt: skip
    op.execute(
        user.update()
        .where(user.c.active.is_(False))
        .values(deactivated_at=app.models.base.utcnow())
    )

    op.create_table(
        "access_alert",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Enum("mange_saker", "samme_pasient", name="alert_kind",
                                  native_enum=False, create_constraint=True, length=13),
                  nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("found_at", app.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"],
                                name=op.f("fk_access_alert_organisation_id_organisation")),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_access_alert_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_alert")),
        sa.UniqueConstraint("day", "user_id", "kind", name=op.f("uq_access_alert_day")),
    )  # fmt: skip
    op.create_index("ix_access_alert_org", "access_alert", ["organisation_id", "day"])

    _drop_triggers(dialect)
    _replace_kind_check(dialect, NEW_KINDS)
    for table in GUARDED:
        if dialect == "sqlite":
            for statement in guarded_sqlite_triggers(table, AS_BUILT.get(table)):
                op.execute(statement)
        else:
            for statement in guarded_postgresql(table, AS_BUILT.get(table)):
                op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    _drop_triggers(dialect)
    # The older schema has no such kinds: the nearest it knows.
    op.execute(
        "UPDATE deviation_event SET kind = 'pasient_slettet' WHERE kind = 'sak_anonymisert'"
    )
    op.execute(
        "UPDATE deviation_event SET kind = 'statusendring'"
        " WHERE kind IN ('pasient_rettet', 'tekst_fjernet')"
    )
    _replace_kind_check(dialect, OLD_KINDS)
    for table in GUARDED:
        if dialect == "sqlite":
            for statement in sqlite_triggers(table):
                op.execute(statement)
        else:
            op.execute(f"DROP FUNCTION IF EXISTS {table}_guard()")
            op.execute(postgresql_trigger(table))
    with op.batch_alter_table("user") as batch_op:
        batch_op.drop_column("anonymised_at")
        batch_op.drop_column("deactivated_at")
    with op.batch_alter_table("deviation") as batch_op:
        batch_op.drop_column("anonymised_at")
    op.drop_index("ix_access_alert_org", table_name="access_alert")
    op.drop_table("access_alert")
    op.drop_index(op.f("ix_history_permit_deviation_id"), table_name="history_permit")
    op.drop_table("history_permit")
