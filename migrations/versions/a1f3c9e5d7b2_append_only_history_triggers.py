"""History tables are append-only in the database: triggers refuse UPDATE and DELETE.

Revision ID: a1f3c9e5d7b2
Revises: 8e3b5a6c2d14
Create Date: 2026-12-02

SQLite drops a table's triggers when batch mode rebuilds it: a later migration that alters one
of these tables in batch mode must create its triggers again (app.models.guards has them).
"""

from alembic import op

from app.models.guards import (
    APPEND_ONLY_TABLES,
    POSTGRESQL_FUNCTION,
    postgresql_trigger,
    sqlite_triggers,
)

revision = "a1f3c9e5d7b2"
down_revision = "8e3b5a6c2d14"
branch_labels = None
depends_on = None


def upgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(POSTGRESQL_FUNCTION)
    for table in APPEND_ONLY_TABLES:
        if dialect == "sqlite":
            for statement in sqlite_triggers(table):
                op.execute(statement)
        elif dialect == "postgresql":
            op.execute(postgresql_trigger(table))


def downgrade():
    dialect = op.get_bind().dialect.name
    for table in APPEND_ONLY_TABLES:
        if dialect == "sqlite":
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
        elif dialect == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    if dialect == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS refuse_history_change()")
