"""Indexes for the tertial statistics.

Revision ID: 4c7e2a91d3f0
Revises: 77e8c1f4f54e
Create Date: 2026-11-23

(registered_at, category_id) lets the six-tertial trend count from the index alone;
(closed_at, registered_at) serves "answered in the tertial" and "open at its end".
"""

from alembic import op

revision = "4c7e2a91d3f0"
down_revision = "77e8c1f4f54e"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("deviation", schema=None) as batch_op:
        batch_op.create_index("ix_deviation_closed", ["closed_at", "registered_at"], unique=False)
        batch_op.create_index(
            "ix_deviation_registered_category", ["registered_at", "category_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("deviation", schema=None) as batch_op:
        batch_op.drop_index("ix_deviation_registered_category")
        batch_op.drop_index("ix_deviation_closed")
