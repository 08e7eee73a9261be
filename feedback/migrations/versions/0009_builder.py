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
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('show_if', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('topic', sa.String(length=32), nullable=True))


def downgrade():
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.drop_column('topic')
        batch_op.drop_column('show_if')
