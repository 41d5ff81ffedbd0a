"""Issue 13, hardening and privacy: the access log, the identity's keyed hash, the personvern
role, and the history kind for an identity erased because its case stayed open too long.

Revision ID: 6c25ee6e264a
Revises: c12e5a7b9d31
Create Date: 2026-12-02

Identities stored before this revision have no hash until `flask rotate-patient-key` has run
once (it fills in every missing hash): run it after the upgrade.

Two enum CHECK constraints gain a value. PostgreSQL swaps the constraint; SQLite rebuilds the
table in batch mode, which drops its triggers: deviation_event's append-only triggers are made
again (see a1f3c9e5d7b2).
"""

import sqlalchemy as sa
from alembic import op

import app.models.base
from app.models.guards import postgresql_trigger, sqlite_triggers

revision = "6c25ee6e264a"
down_revision = "c12e5a7b9d31"
branch_labels = None
depends_on = None

OLD_ROLES = ("melder", "saksbehandler", "analytiker", "forbedringsgruppe", "admin", "lokal_admin")
NEW_ROLES = (*OLD_ROLES, "personvern")
OLD_KINDS = ("opprettet", "importert", "statusendring", "pasient_vist", "pasient_slettet")
NEW_KINDS = (*OLD_KINDS, "pasient_utlopt")
ACCESS_ACTIONS = ("avvik_vist", "pasient_vist", "analyse_vist", "analyse_pdf", "personvern_sok",
                  "personvern_treff")  # fmt: skip


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _replace_check(table: str, name: str, condition: str) -> None:
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table(table, recreate="always") as batch_op:
            batch_op.drop_constraint(op.f(name), type_="check")
            batch_op.create_check_constraint(op.f(name), condition)
    else:
        op.drop_constraint(op.f(name), table, type_="check")
        op.create_check_constraint(op.f(name), table, condition)


def _without_history_triggers(change) -> None:
    """Run ``change`` on deviation_event with its append-only triggers lifted, then put them
    back (on SQLite a batch rebuild has dropped them anyway)."""
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS deviation_event_no_update")
        op.execute("DROP TRIGGER IF EXISTS deviation_event_no_delete")
    else:
        op.execute("DROP TRIGGER IF EXISTS deviation_event_append_only ON deviation_event")
    change()
    if dialect == "sqlite":
        for statement in sqlite_triggers("deviation_event"):
            op.execute(statement)
    else:
        op.execute(postgresql_trigger("deviation_event"))


def upgrade():
    dialect = op.get_bind().dialect.name
    op.create_table(
        "access_log_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", app.models.base.UTCDateTime(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.Enum(*ACCESS_ACTIONS, name="access_action", native_enum=False,
                                    create_constraint=True), nullable=False),  # fmt: skip
        sa.Column("deviation_id", sa.Integer(), nullable=True),
        sa.Column("analysis_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["analysis_id"], ["analysis.id"],
                                name=op.f("fk_access_log_entry_analysis_id_analysis")),
        sa.ForeignKeyConstraint(["deviation_id"], ["deviation.id"],
                                name=op.f("fk_access_log_entry_deviation_id_deviation")),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"],
                                name=op.f("fk_access_log_entry_organisation_id_organisation")),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"],
                                name=op.f("fk_access_log_entry_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_log_entry")),
    )  # fmt: skip
    op.create_index("ix_access_log_entry_analysis", "access_log_entry", ["analysis_id", "at"])
    op.create_index(op.f("ix_access_log_entry_at"), "access_log_entry", ["at"])
    op.create_index("ix_access_log_entry_deviation", "access_log_entry", ["deviation_id", "at"])
    op.create_index("ix_access_log_entry_org", "access_log_entry", ["organisation_id", "at", "id"])
    # Deleted by retention, never changed.
    if dialect == "sqlite":
        for statement in sqlite_triggers("access_log_entry", ("UPDATE",)):
            op.execute(statement)
    else:
        op.execute(postgresql_trigger("access_log_entry", ("UPDATE",)))

    # A plain ADD COLUMN on SQLite too: no rebuild of the biggest table.
    op.add_column("deviation", sa.Column("patient_id_hash", sa.String(length=64), nullable=True))
    op.create_index(
        "ix_deviation_patient_id_hash",
        "deviation",
        ["patient_id_hash"],
        sqlite_where=sa.text("patient_id_hash IS NOT NULL"),
        postgresql_where=sa.text("patient_id_hash IS NOT NULL"),
    )

    _replace_check("user_role", "ck_user_role_role", _in("role", NEW_ROLES))
    _without_history_triggers(
        lambda: _replace_check(
            "deviation_event", "ck_deviation_event_event_kind", _in("kind", NEW_KINDS)
        )
    )


def downgrade():
    def back_to_old_kinds() -> None:
        # The older schema has no such kind: the nearest it knows is a plain erasure.
        op.execute(
            "UPDATE deviation_event SET kind = 'pasient_slettet' WHERE kind = 'pasient_utlopt'"
        )
        _replace_check("deviation_event", "ck_deviation_event_event_kind", _in("kind", OLD_KINDS))

    _without_history_triggers(back_to_old_kinds)
    op.execute("DELETE FROM user_role WHERE role = 'personvern'")
    _replace_check("user_role", "ck_user_role_role", _in("role", OLD_ROLES))

    op.drop_index("ix_deviation_patient_id_hash", table_name="deviation")
    with op.batch_alter_table("deviation") as batch_op:
        batch_op.drop_column("patient_id_hash")

    op.drop_table("access_log_entry")
