"""programs: contact types managed with their program.

Revision ID: 0010_programs
Revises: 0009_builder
Create Date: 2026-11-30 14:15:00

"""
from alembic import op
import sqlalchemy as sa
import feedback.db_types


# revision identifiers, used by Alembic.
revision = '0010_programs'
down_revision = '0009_builder'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('programs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contact_types', sa.JSON(), server_default='[]', nullable=False))


def downgrade():
    with op.batch_alter_table('programs', schema=None) as batch_op:
        batch_op.drop_column('contact_types')
