"""History lines as codes: deviation_event.line (what the system says, app.models.HistoryLine)
and the organisations, unit and colleague it names, and analysis_event.detail (the same for an
analysis's history, as JSON), drawn in the reader's language.

Revision ID: c3f9a1d7e524
Revises: b7e2c41f9a06
Create Date: 2026-12-06

Rows written before keep their sentence in ``text`` as written (history is append-only); only
new rows get codes. SQLite rebuilds deviation_event in batch mode, which drops its triggers:
they are made again after, as b7c1e5d9a2f4 does; on PostgreSQL the guard function is replaced,
so the allowances compare the new columns too.
"""

import sqlalchemy as sa
from alembic import op

from app.models.guards import (
    EVENT_ALLOWANCES_BEFORE_LINES,
    EVENT_ALLOWANCES_WITH_LINES,
    guarded_postgresql,
    guarded_sqlite_triggers,
    sqlite_triggers,
)

revision = "c3f9a1d7e524"
down_revision = "b7e2c41f9a06"
branch_labels = None
depends_on = None

LINES = ("apnet", "videresendt", "sendt_videre", "reservemottak", "uten_saksbehandler")
# (column, referred table)
REFERENCES = (
    ("org_id", "organisation"),
    ("from_org_id", "organisation"),
    ("unit_id", "unit"),
    ("colleague_id", "user"),
)
LINE_CHECK = "line IN ({})".format(", ".join(repr(v) for v in LINES))


def _drop_sqlite_triggers() -> None:
    op.execute("DROP TRIGGER IF EXISTS deviation_event_no_update")
    op.execute("DROP TRIGGER IF EXISTS deviation_event_no_delete")


def upgrade():
    dialect = op.get_bind().dialect.name
    # Nullable and unconstrained: added in place on both databases, the triggers untouched.
    op.add_column("analysis_event", sa.Column("detail", sa.JSON(), nullable=True))
    if dialect == "sqlite":
        _drop_sqlite_triggers()
        with op.batch_alter_table("deviation_event", recreate="always") as batch_op:
            batch_op.add_column(sa.Column("line", sa.String(length=18), nullable=True))
            for column, _table in REFERENCES:
                batch_op.add_column(sa.Column(column, sa.Integer(), nullable=True))
            batch_op.create_check_constraint(op.f("ck_deviation_event_history_line"), LINE_CHECK)
            for column, table in REFERENCES:
                batch_op.create_foreign_key(
                    op.f(f"fk_deviation_event_{column}_{table}"), table, [column], ["id"]
                )
        for statement in guarded_sqlite_triggers("deviation_event", EVENT_ALLOWANCES_WITH_LINES):
            op.execute(statement)
        return
    op.add_column("deviation_event", sa.Column("line", sa.String(length=18), nullable=True))
    for column, _table in REFERENCES:
        op.add_column("deviation_event", sa.Column(column, sa.Integer(), nullable=True))
    op.create_check_constraint(
        op.f("ck_deviation_event_history_line"), "deviation_event", LINE_CHECK
    )
    for column, table in REFERENCES:
        op.create_foreign_key(
            op.f(f"fk_deviation_event_{column}_{table}"),
            "deviation_event",
            table,
            [column],
            ["id"],
        )
    # The function only: the trigger that calls it stays as it is.
    op.execute(guarded_postgresql("deviation_event", EVENT_ALLOWANCES_WITH_LINES)[0])


def downgrade():
    # The older schema has no codes: a row's line is lost, its typed text stays. Dropping
    # columns is no UPDATE of a row, so the guards need not be set aside.
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        # The rebuild drops analysis_event's plain refusals: made again after.
        op.execute("DROP TRIGGER IF EXISTS analysis_event_no_update")
        op.execute("DROP TRIGGER IF EXISTS analysis_event_no_delete")
        with op.batch_alter_table("analysis_event", recreate="always") as batch_op:
            batch_op.drop_column("detail")
        for statement in sqlite_triggers("analysis_event"):
            op.execute(statement)
    else:
        op.drop_column("analysis_event", "detail")
    if dialect == "sqlite":
        _drop_sqlite_triggers()
        with op.batch_alter_table("deviation_event", recreate="always") as batch_op:
            for column, table in REFERENCES:
                batch_op.drop_constraint(
                    op.f(f"fk_deviation_event_{column}_{table}"), type_="foreignkey"
                )
            batch_op.drop_constraint(op.f("ck_deviation_event_history_line"), type_="check")
            for column, _table in REFERENCES:
                batch_op.drop_column(column)
            batch_op.drop_column("line")
        for statement in guarded_sqlite_triggers("deviation_event", EVENT_ALLOWANCES_BEFORE_LINES):
            op.execute(statement)
        return
    # The guard names the columns about to go: the older schema's first.
    op.execute(guarded_postgresql("deviation_event", EVENT_ALLOWANCES_BEFORE_LINES)[0])
    for column, table in REFERENCES:
        op.drop_constraint(
            op.f(f"fk_deviation_event_{column}_{table}"), "deviation_event", type_="foreignkey"
        )
    op.drop_constraint(op.f("ck_deviation_event_history_line"), "deviation_event", type_="check")
    for column, _table in REFERENCES:
        op.drop_column("deviation_event", column)
    op.drop_column("deviation_event", "line")
