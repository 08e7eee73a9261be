"""dispatch: the random salt of an invitation's survey token (the same link on every attempt),
and when an invitation was last handed to a send task (queued_at), so that the
sweep neither queues it twice nor loses it when a task is lost with its worker or broker; the
invitation stays scheduled until a worker starts sending it.

Revision ID: 0005_dispatch
Revises: 0004_reshape
Create Date: 2026-11-30 09:00:00

"""
from alembic import op
import sqlalchemy as sa

import feedback.db_types


# revision identifiers, used by Alembic.
revision = '0005_dispatch'
down_revision = '0004_reshape'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('queued_at', feedback.db_types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('token_salt', sa.String(length=32), nullable=True))


def downgrade():
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_column('token_salt')
        batch_op.drop_column('queued_at')
