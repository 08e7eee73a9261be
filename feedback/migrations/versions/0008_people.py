"""people: users can be deactivated (users.active) and show their last sign-in; failed sign-ins
by keyed hash of the email address (sign_in_throttles, the lockout); the audit log (audit_events).

Revision ID: 0008_people
Revises: 0007_privacy
Create Date: 2026-11-30 11:20:00

"""
from alembic import op
import sqlalchemy as sa
import feedback.db_types


# revision identifiers, used by Alembic.
revision = '0008_people'
down_revision = '0007_privacy'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column('last_sign_in_at', feedback.db_types.UTCDateTime(timezone=True), nullable=True))

    op.create_table('sign_in_throttles',
    sa.Column('email_hash', sa.String(length=64), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('last_failure_at', feedback.db_types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('locked_until', feedback.db_types.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('email_hash', name=op.f('pk_sign_in_throttles'))
    )
    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('at', feedback.db_types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_user_id', sa.String(length=36), nullable=True),
    sa.Column('actor', sa.String(length=320), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('object_type', sa.String(length=32), nullable=False),
    sa.Column('object_id', sa.String(length=64), nullable=False),
    sa.Column('program_id', sa.String(length=36), nullable=True),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index('ix_audit_events_object', ['object_type', 'object_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_actor_user_id'), ['actor_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_program_id'), ['program_id'], unique=False)


def downgrade():
    op.drop_table('audit_events')
    op.drop_table('sign_in_throttles')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('last_sign_in_at')
        batch_op.drop_column('active')
