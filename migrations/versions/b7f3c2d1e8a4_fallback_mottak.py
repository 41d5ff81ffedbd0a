"""The helsefellesskap's fallback mottak: a flag on organisation, at most one set.

Revision ID: b7f3c2d1e8a4
Revises: a4d3365a7280
Create Date: 2026-12-06

A case filed to an organisation whose mottak nobody staffs goes to the organisation flagged
here (app/handling/fallback.py). A partial unique index keeps the flag on one row at most.
"""

import sqlalchemy as sa
from alembic import op

revision = "b7f3c2d1e8a4"
down_revision = "a4d3365a7280"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("organisation") as batch:
        batch.add_column(
            sa.Column("fallback_mottak", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    op.create_index(
        "uq_organisation_fallback_mottak",
        "organisation",
        ["fallback_mottak"],
        unique=True,
        sqlite_where=sa.text("fallback_mottak"),
        postgresql_where=sa.text("fallback_mottak"),
    )


def downgrade() -> None:
    op.drop_index("uq_organisation_fallback_mottak", table_name="organisation")
    with op.batch_alter_table("organisation") as batch:
        batch.drop_column("fallback_mottak")
