"""rules: quotas, exclusions, reminders, active dates, attribute filters, latest version.

Revision ID: 0011_rules
Revises: 0010_programs
Create Date: 2026-11-30 14:15:00

"""
from alembic import op
import sqlalchemy as sa
import feedback.db_types


# revision identifiers, used by Alembic.
revision = '0011_rules'
down_revision = '0010_programs'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
