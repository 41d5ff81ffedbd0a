"""Issue 21, sign-in: the half-finished login and the authenticator secret being set up kept
server-side, SSO accounts bound to the provider's issuer and subject, and failed logins that
decay.

Revision ID: e21a7c4b9f05
Revises: e7b4d2a9c611
Create Date: 2026-12-06 03:40:00.000000

"""
from alembic import op
import sqlalchemy as sa

import app.models.base


# revision identifiers, used by Alembic.
revision = 'e21a7c4b9f05'
down_revision = 'e7b4d2a9c611'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('pending_login',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', app.models.base.UTCDateTime(), nullable=False),
    sa.Column('next_url', sa.String(length=2000), server_default='', nullable=False),
    sa.Column('language', sa.String(length=5), server_default='', nullable=False),
    sa.Column('totp_setup_secret', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_pending_login_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pending_login')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_pending_login_token_hash'))
    )
    with op.batch_alter_table('pending_login', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pending_login_user_id'), ['user_id'], unique=False)

    op.create_table('sso_identity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('issuer', sa.String(length=255), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('created_at', app.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_sso_identity_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sso_identity')),
    sa.UniqueConstraint('issuer', 'subject', name=op.f('uq_sso_identity_issuer'))
    )
    with op.batch_alter_table('sso_identity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sso_identity_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('login_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('totp_setup_secret', sa.String(length=32), nullable=True))

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_failed_login_at', app.models.base.UTCDateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('last_failed_login_at')

    with op.batch_alter_table('login_session', schema=None) as batch_op:
        batch_op.drop_column('totp_setup_secret')

    with op.batch_alter_table('sso_identity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sso_identity_user_id'))
    op.drop_table('sso_identity')

    with op.batch_alter_table('pending_login', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pending_login_user_id'))
    op.drop_table('pending_login')
