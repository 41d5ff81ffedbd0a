"""Covering indexes for the tertial statistics: counts from index ranges, not table rows.

Revision ID: 5d1f0c3b7a92
Revises: 4c7e2a91d3f0
Create Date: 2026-11-23

Each figure of the tertial report is counted per group from an index range whose leading columns
are the group's key (see app/statistics/services.py). ix_deviation_registered_category served the
old six-tertial GROUP BY and goes; ix_deviation_closed gains the columns that handling time and
"open at the end" read; the history index replaces the plain one on deviation_event.deviation_id.
"""

from alembic import op

revision = "5d1f0c3b7a92"
down_revision = "4c7e2a91d3f0"
branch_labels = None
depends_on = None

SCOPE = ["reporter_org_id", "counterpart_org_id"]
NEW_INDEXES = {
    "ix_deviation_stats_kind": ["direction", "category_id", "harm", "registered_at", *SCOPE],
    "ix_deviation_stats_reporter_name": ["reporter_org_name", "registered_at", *SCOPE],
    "ix_deviation_stats_counterpart_name": ["counterpart_org_name", "registered_at", *SCOPE],
    "ix_deviation_stats_reporter_unit": ["reporter_unit_id", "direction", "registered_at", *SCOPE],
    "ix_deviation_stats_counterpart_unit": [
        "counterpart_unit_id", "direction", "registered_at", *SCOPE,
    ],  # fmt: skip
    "ix_deviation_stats_status": ["status", "registered_at", "closed_at", "imported", *SCOPE],
}
CLOSED_WIDE = ["closed_at", "registered_at", "status", "imported", "response_deadline", *SCOPE]


def upgrade() -> None:
    # Plain CREATE/DROP INDEX: batch mode would copy the million-row table on SQLite for nothing.
    op.drop_index("ix_deviation_registered_category", table_name="deviation")
    op.drop_index("ix_deviation_closed", table_name="deviation")
    op.create_index("ix_deviation_closed", "deviation", CLOSED_WIDE, unique=False)
    for name, columns in NEW_INDEXES.items():
        op.create_index(name, "deviation", columns, unique=False)
    op.drop_index("ix_deviation_event_deviation_id", table_name="deviation_event")
    op.create_index(
        "ix_deviation_event_history",
        "deviation_event",
        ["deviation_id", "at", "id", "to_status", "kind"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_deviation_event_history", table_name="deviation_event")
    op.create_index(
        "ix_deviation_event_deviation_id", "deviation_event", ["deviation_id"], unique=False
    )
    for name in reversed(NEW_INDEXES):
        op.drop_index(name, table_name="deviation")
    op.drop_index("ix_deviation_closed", table_name="deviation")
    op.create_index("ix_deviation_closed", "deviation", ["closed_at", "registered_at"], unique=False)
    op.create_index(
        "ix_deviation_registered_category", "deviation", ["registered_at", "category_id"], unique=False
    )
