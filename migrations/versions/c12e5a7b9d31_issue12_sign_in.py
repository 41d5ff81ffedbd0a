"""Issue 12, sign-in: server-side sessions, the second factor, per-account throttling, the
security log, and an organisation's number and SSO-only flag.

Revision ID: c12e5a7b9d31
Revises: a1f3c9e5d7b2
Create Date: 2026-12-02 05:01:17.964732

"""
from alembic import op
import sqlalchemy as sa

import app.models.base


# revision identifiers, used by Alembic.
revision = 'c12e5a7b9d31'
down_revision = 'a1f3c9e5d7b2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('login_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', app.models.base.UTCDateTime(), nullable=False),
    sa.Column('last_seen_at', app.models.base.UTCDateTime(), nullable=False),
    sa.Column('ip_address', sa.String(length=45), server_default='', nullable=False),
    sa.Column('user_agent', sa.String(length=255), server_default='', nullable=False),
    sa.Column('provider', sa.String(length=40), nullable=True),
    sa.Column('id_token', sa.Text(), nullable=True),
    sa.Column('second_factor', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_login_session_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_session')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_login_session_token_hash'))
    )
    with op.batch_alter_table('login_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_session_user_id'), ['user_id'], unique=False)

    op.create_table('recovery_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', app.models.base.UTCDateTime(), nullable=False),
    sa.Column('used_at', app.models.base.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_recovery_code_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_code')),
    sa.UniqueConstraint('user_id', 'code_hash', name=op.f('uq_recovery_code_user_id'))
    )
    with op.batch_alter_table('recovery_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recovery_code_user_id'), ['user_id'], unique=False)

    op.create_table('security_log_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', app.models.base.UTCDateTime(), nullable=False),
    sa.Column('event', sa.Enum('login', 'login_failed', 'locked', 'logout', 'password_changed', 'second_factor_enrolled', 'second_factor_reset', 'session_ended', name='security_event', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('email', sa.String(length=254), server_default='', nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('ip_address', sa.String(length=45), server_default='', nullable=False),
    sa.Column('user_agent', sa.String(length=255), server_default='', nullable=False),
    sa.Column('detail', sa.String(length=60), server_default='', nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user.id'], name=op.f('fk_security_log_entry_actor_id_user')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_security_log_entry_organisation_id_organisation')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_security_log_entry_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_security_log_entry'))
    )
    with op.batch_alter_table('security_log_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_security_log_entry_at'), ['at'], unique=False)
        batch_op.create_index('ix_security_log_entry_org_id', ['organisation_id', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_security_log_entry_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('org_number', sa.String(length=9), nullable=True))
        batch_op.add_column(sa.Column('sso_only', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_unique_constraint(batch_op.f('uq_organisation_org_number'), ['org_number'])

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('totp_secret', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('totp_enabled_at', app.models.base.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('totp_last_counter', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('failed_logins', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('locked_until', app.models.base.UTCDateTime(), nullable=True))



def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('locked_until')
        batch_op.drop_column('failed_logins')
        batch_op.drop_column('totp_last_counter')
        batch_op.drop_column('totp_enabled_at')
        batch_op.drop_column('totp_secret')

    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_organisation_org_number'), type_='unique')
        batch_op.drop_column('sso_only')
        batch_op.drop_column('org_number')

    with op.batch_alter_table('security_log_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_security_log_entry_user_id'))
        batch_op.drop_index('ix_security_log_entry_org_id')
        batch_op.drop_index(batch_op.f('ix_security_log_entry_at'))

    op.drop_table('security_log_entry')
    with op.batch_alter_table('recovery_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recovery_code_user_id'))

    op.drop_table('recovery_code')
    with op.batch_alter_table('login_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_session_user_id'))

    op.drop_table('login_session')
