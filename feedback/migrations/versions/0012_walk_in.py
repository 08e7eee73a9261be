"""walk-in: open survey links and posters per office.

Revision ID: 0012_walk_in
Revises: 0011_rules
Create Date: 2026-11-30 14:15:00

"""
from alembic import op
import sqlalchemy as sa
import feedback.db_types


# revision identifiers, used by Alembic.
revision = '0012_walk_in'
down_revision = '0011_rules'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
