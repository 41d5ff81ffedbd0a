"""Serious events: the mottak's telephone, the record of the notice to Statens helsetilsyn,
its two history kinds, and the inbox's index by harm.

Revision ID: b7c1e5d9a2f4
Revises: b7d1e4c2a9f3
Create Date: 2026-12-06

SQLite rebuilds deviation_event in batch mode for the new event kinds, which drops its
triggers: they are made again after, as a4d3365a7280 does.
"""

import sqlalchemy as sa
from alembic import op

import app.models.base
from app.models.guards import (
    EVENT_ALLOWANCES_BEFORE_LINES,
    guarded_postgresql,
    guarded_sqlite_triggers,
)

revision = "b7c1e5d9a2f4"
down_revision = "b7d1e4c2a9f3"
branch_labels = None
depends_on = None

OLD_KINDS = ("opprettet", "importert", "statusendring", "pasient_vist", "pasient_slettet",
             "pasient_utlopt", "sak_anonymisert", "pasient_rettet", "tekst_fjernet")  # fmt: skip
NEW_KINDS = (*OLD_KINDS, "tilsyn_varslet", "ikke_pliktig")
GUARDED = ("deviation_event",)
# The allowances as this revision built them: later columns are compared from c3f9a1d7e524 on.
AS_BUILT = {"deviation_event": EVENT_ALLOWANCES_BEFORE_LINES}


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _replace_kind_check(dialect: str, kinds: tuple[str, ...]) -> None:
    name = op.f("ck_deviation_event_event_kind")
    if dialect == "sqlite":
        for table in GUARDED:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
        with op.batch_alter_table("deviation_event", recreate="always") as batch_op:
            batch_op.drop_constraint(name, type_="check")
            batch_op.create_check_constraint(name, _in("kind", kinds))
        for table in GUARDED:
            for statement in guarded_sqlite_triggers(table, AS_BUILT.get(table)):
                op.execute(statement)
    else:
        op.drop_constraint(name, "deviation_event", type_="check")
        op.create_check_constraint(name, "deviation_event", _in("kind", kinds))


def upgrade():
    dialect = op.get_bind().dialect.name
    op.add_column("organisation", sa.Column("mottak_phone", sa.String(length=20)))
    op.create_table(
        "serious_notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deviation_id", sa.Integer(), nullable=False),
        sa.Column("notifiable", sa.Boolean(), nullable=False),
        sa.Column("notified_on", sa.Date(), nullable=True),
        sa.Column("notified_by", sa.String(length=120), server_default="", nullable=False),
        sa.Column("reference", sa.String(length=60), server_default="", nullable=False),
        sa.Column("reason", sa.Text(), server_default="", nullable=False),
        sa.Column("recorded_at", app.models.base.UTCDateTime(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(notifiable AND notified_on IS NOT NULL AND notified_by <> '' AND reason = '')"
            " OR (NOT notifiable AND notified_on IS NULL AND reason <> '')",
            name=op.f("ck_serious_notice_notified_or_reason"),
        ),
        sa.ForeignKeyConstraint(["deviation_id"], ["deviation.id"],
                                name=op.f("fk_serious_notice_deviation_id_deviation")),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["user.id"],
                                name=op.f("fk_serious_notice_recorded_by_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_serious_notice")),
        sa.UniqueConstraint("deviation_id", name=op.f("uq_serious_notice_deviation_id")),
    )  # fmt: skip
    op.create_index(
        "ix_deviation_inbox_harm",
        "deviation",
        ["counterpart_org_id", "harm", "status", "response_deadline", "id"],
    )
    _replace_kind_check(dialect, NEW_KINDS)


def downgrade():
    dialect = op.get_bind().dialect.name
    # The older schema has no such kinds: a status change is the nearest it knows. History
    # refuses every UPDATE, so its guard is set aside for this one statement.
    if dialect == "sqlite":
        for table in GUARDED:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
    else:
        op.execute("ALTER TABLE deviation_event DISABLE TRIGGER USER")
    op.execute(
        "UPDATE deviation_event SET kind = 'statusendring'"
        " WHERE kind IN ('tilsyn_varslet', 'ikke_pliktig')"
    )
    if dialect != "sqlite":
        op.execute("ALTER TABLE deviation_event ENABLE TRIGGER USER")
    _replace_kind_check(dialect, OLD_KINDS)
    op.drop_index("ix_deviation_inbox_harm", table_name="deviation")
    op.drop_table("serious_notice")
    with op.batch_alter_table("organisation") as batch_op:
        batch_op.drop_column("mottak_phone")
