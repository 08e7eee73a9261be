"""follow-ups: closed loop with unhappy clients who agreed to be contacted.

Revision ID: 0013_follow_ups
Revises: 0012_walk_in
Create Date: 2026-11-30 14:15:00

"""
from alembic import op
import sqlalchemy as sa
import feedback.db_types


# revision identifiers, used by Alembic.
revision = '0013_follow_ups'
down_revision = '0012_walk_in'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
