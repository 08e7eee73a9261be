"""report jobs: formats, languages, options and progress.

Revision ID: 0017_report_jobs
Revises: 0016_actions
Create Date: 2026-11-30 18:10:00

"""
from alembic import op
import sqlalchemy as sa
import feedback.db_types


# revision identifiers, used by Alembic.
revision = '0017_report_jobs'
down_revision = '0016_actions'
branch_labels = None
depends_on = None


def upgrade():
    # One report now yields every format (pdf-en, pdf-fr, html-en, html-fr, csv, xlsx) in a
    # folder of its own; `period_key` keeps scheduled reports unique per kind and period.
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.Enum('on_demand', 'monthly', 'quarterly', name='reportkind', native_enum=False, length=16), server_default='on_demand', nullable=False))
        batch_op.add_column(sa.Column('period_key', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('formats', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('progress', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_unique_constraint(batch_op.f('uq_reports_period_key'), ['period_key'])
        batch_op.drop_column('format')
    # Reports of the old layout (one PDF beside the others) have no file in the new one.
    op.execute("UPDATE reports SET formats = '[]'")
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.alter_column('formats', existing_type=sa.JSON(), nullable=False)


def downgrade():
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('format', sa.String(length=8), server_default='pdf', nullable=False))
        batch_op.drop_constraint(batch_op.f('uq_reports_period_key'), type_='unique')
        batch_op.drop_column('progress')
        batch_op.drop_column('formats')
        batch_op.drop_column('period_key')
        batch_op.drop_column('kind')
