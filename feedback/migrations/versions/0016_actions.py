"""actions: you said, we did.

theme_actions: what a program did (or plans) against an irritant theme, in both languages.

Revision ID: 0016_actions
Revises: 0015_comments
Create Date: 2026-11-30 18:10:00

"""
from alembic import op
import sqlalchemy as sa
import feedback.db_types


# revision identifiers, used by Alembic.
revision = '0016_actions'
down_revision = '0015_comments'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('theme_actions',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('program_id', sa.String(length=36), nullable=False),
    sa.Column('theme', sa.String(length=64), nullable=False),
    sa.Column('text_en', sa.String(length=500), nullable=False),
    sa.Column('text_fr', sa.String(length=500), nullable=False),
    sa.Column('status', sa.Enum('planned', 'in_progress', 'done', name='actionstatus', native_enum=False, length=16), nullable=False),
    sa.Column('action_date', sa.Date(), nullable=False),
    sa.Column('owner_id', sa.String(length=36), nullable=True),
    sa.Column('created_at', feedback.db_types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', feedback.db_types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_theme_actions_owner_id_users')),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_theme_actions_program_id_programs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_theme_actions'))
    )
    with op.batch_alter_table('theme_actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_theme_actions_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_theme_actions_program_id'), ['program_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_theme_actions_theme'), ['theme'], unique=False)


def downgrade():
    with op.batch_alter_table('theme_actions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_theme_actions_theme'))
        batch_op.drop_index(batch_op.f('ix_theme_actions_program_id'))
        batch_op.drop_index(batch_op.f('ix_theme_actions_owner_id'))

    op.drop_table('theme_actions')
