"""Index for the inbox's open and overdue counts.

Revision ID: 8e3b5a6c2d14
Revises: 4fd543a8e1de
Create Date: 2026-11-23

The inbox shows how many cases are open and how many are over the deadline. Counting the overdue
ones read every open case's row (ix_deviation_inbox_status lacks response_deadline): 60-90 ms per
inbox view at 1M rows. With (counterpart_org_id, status, response_deadline) both counts are index
ranges.
"""

from alembic import op

revision = "8e3b5a6c2d14"
down_revision = "4fd543a8e1de"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain CREATE INDEX: batch mode would copy the million-row table on SQLite for nothing.
    op.create_index(
        "ix_deviation_open_deadline",
        "deviation",
        ["counterpart_org_id", "status", "response_deadline"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_deviation_open_deadline", table_name="deviation")
