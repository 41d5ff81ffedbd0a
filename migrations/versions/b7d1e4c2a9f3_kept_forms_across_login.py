"""kept_form: a form posted after the session ended, kept (encrypted) until the login.

Revision ID: b7d1e4c2a9f3
Revises: b7f3c2d1e8a4
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

import app.models.base

revision = "b7d1e4c2a9f3"
down_revision = "b7f3c2d1e8a4"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "kept_form",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", app.models.base.UTCDateTime(), nullable=False),
        sa.Column("page", sa.String(length=2000), nullable=False),
        sa.Column("action", sa.String(length=2000), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_kept_form_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kept_form")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_kept_form_token_hash")),
    )
    with op.batch_alter_table("kept_form", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_kept_form_user_id"), ["user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_kept_form_created_at"), ["created_at"], unique=False)


def downgrade():
    with op.batch_alter_table("kept_form", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kept_form_created_at"))
        batch_op.drop_index(batch_op.f("ix_kept_form_user_id"))
    op.drop_table("kept_form")
