"""Issue 24: the open API's clients, and their events in the security log.

Revision ID: 960c29c8dc74
Revises: c5e7a9b1d3f2
Create Date: 2026-12-06

api_client: one token per client (stored as sha256), per organisation, acting through a system
user of the organisation. security_log_entry.event gains four values (the CHECK constraint is
replaced; SQLite rebuilds the small table).
"""
from alembic import op
import sqlalchemy as sa

import app.models.base


# revision identifiers, used by Alembic.
revision = '960c29c8dc74'
down_revision = 'c5e7a9b1d3f2'
branch_labels = None
depends_on = None

OLD_EVENTS = ("login", "login_failed", "locked", "logout", "password_changed",
              "second_factor_enrolled", "second_factor_reset", "session_ended")  # fmt: skip
NEW_EVENTS = (*OLD_EVENTS, "api_token_used", "api_token_refused", "api_client_created",
              "api_client_revoked")  # fmt: skip


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


def upgrade():
    op.create_table('api_client',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('scopes', sa.String(length=200), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('token_prefix', sa.String(length=16), nullable=False),
    sa.Column('created_at', app.models.base.UTCDateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('expires_at', app.models.base.UTCDateTime(), nullable=False),
    sa.Column('revoked_at', app.models.base.UTCDateTime(), nullable=True),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.Column('last_used_at', app.models.base.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_api_client_created_by_id_user')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_api_client_organisation_id_organisation')),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['user.id'], name=op.f('fk_api_client_revoked_by_id_user')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_api_client_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_client')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_client_token_hash')),
    sa.UniqueConstraint('user_id', name=op.f('uq_api_client_user_id'))
    )
    op.create_index('ix_api_client_org', 'api_client', ['organisation_id', 'id'], unique=False)
    _replace_check("security_log_entry", "ck_security_log_entry_security_event",
                   _in("event", NEW_EVENTS))


def downgrade():
    op.execute("DELETE FROM security_log_entry WHERE event LIKE 'api_%'")
    _replace_check("security_log_entry", "ck_security_log_entry_security_event",
                   _in("event", OLD_EVENTS))
    op.drop_index('ix_api_client_org', table_name='api_client')
    op.drop_table('api_client')
