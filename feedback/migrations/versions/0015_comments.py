"""comments: scrubbed and coded free-text answers.

Revision ID: 0015_comments
Revises: 0014_facts
Create Date: 2026-11-30 18:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015_comments'
down_revision = '0014_facts'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('coded_comments',
    sa.Column('answer_id', sa.String(length=36), nullable=False),
    sa.Column('response_id', sa.String(length=36), nullable=False),
    sa.Column('program_id', sa.String(length=36), nullable=False),
    sa.Column('questionnaire_version_id', sa.String(length=36), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('channel', sa.String(length=32), nullable=False),
    sa.Column('contact_type', sa.String(length=64), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('client_group', sa.String(length=400), nullable=False),
    sa.Column('scrubbed', sa.Text(), nullable=False),
    sa.Column('themes', sa.JSON(), nullable=False),
    sa.Column('overall', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['answer_id'], ['answers.id'], name=op.f('fk_coded_comments_answer_id_answers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_coded_comments_program_id_programs')),
    sa.PrimaryKeyConstraint('answer_id', name=op.f('pk_coded_comments'))
    )
    with op.batch_alter_table('coded_comments', schema=None) as batch_op:
        batch_op.create_index('ix_coded_comments_day_program', ['day', 'program_id'], unique=False)


def downgrade():
    with op.batch_alter_table('coded_comments', schema=None) as batch_op:
        batch_op.drop_index('ix_coded_comments_day_program')
    op.drop_table('coded_comments')
