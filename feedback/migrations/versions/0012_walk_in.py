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
    op.create_table('walk_in_points',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('program_id', sa.String(length=36), nullable=False),
    sa.Column('office_code', sa.String(length=64), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('name_fr', sa.String(length=200), nullable=False),
    sa.Column('contact_type', sa.String(length=64), server_default='walk_in', nullable=False),
    sa.Column('token', sa.String(length=32), nullable=False),
    sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('created_at', feedback.db_types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('deactivated_at', feedback.db_types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_walk_in_points_program_id_programs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_walk_in_points')),
    sa.UniqueConstraint('token', name=op.f('uq_walk_in_points_token'))
    )
    with op.batch_alter_table('walk_in_points', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_walk_in_points_program_id'), ['program_id'], unique=False)

    op.create_table('walk_in_hours',
    sa.Column('point_id', sa.String(length=36), nullable=False),
    sa.Column('hour', feedback.db_types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('visits', sa.Integer(), server_default='0', nullable=False),
    sa.Column('resumed', sa.Integer(), server_default='0', nullable=False),
    sa.Column('refused', sa.Integer(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['point_id'], ['walk_in_points.id'], name=op.f('fk_walk_in_hours_point_id_walk_in_points')),
    sa.PrimaryKeyConstraint('point_id', 'hour', name=op.f('pk_walk_in_hours'))
    )


def downgrade():
    op.drop_table('walk_in_hours')
    with op.batch_alter_table('walk_in_points', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_walk_in_points_program_id'))
    op.drop_table('walk_in_points')
