"""builder: conditions and reporting tags on questions.

Revision ID: 0009_builder
Revises: 0008_people
Create Date: 2026-11-30 14:15:00

"""
from alembic import op
import sqlalchemy as sa
import feedback.db_types


# revision identifiers, used by Alembic.
revision = '0009_builder'
down_revision = '0008_people'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
