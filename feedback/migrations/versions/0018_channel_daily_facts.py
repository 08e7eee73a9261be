"""fact_answer_channel_daily: the daily answer facts by program and channel only (for trends by
week), filled from the daily answer facts already there.

Revision ID: 0018_channel_daily_facts
Revises: 0017_report_jobs
Create Date: 2026-11-30 21:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018_channel_daily_facts'
down_revision = '0017_report_jobs'
branch_labels = None
depends_on = None

_COLUMNS = 'day, program_id, questionnaire_version_id, channel, question_id, value_int, value_choice'


def upgrade():
    op.create_table('fact_answer_channel_daily',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('program_id', sa.String(length=36), nullable=False),
    sa.Column('questionnaire_version_id', sa.String(length=36), nullable=False),
    sa.Column('channel', sa.String(length=32), nullable=False),
    sa.Column('question_id', sa.String(length=36), nullable=False),
    sa.Column('value_int', sa.Integer(), nullable=True),
    sa.Column('value_choice', sa.String(length=64), nullable=True),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fact_answer_channel_daily'))
    )
    with op.batch_alter_table('fact_answer_channel_daily', schema=None) as batch_op:
        batch_op.create_index('ix_fact_answer_channel_daily_key', ['day', 'program_id'], unique=False)
    op.execute(
        f'INSERT INTO fact_answer_channel_daily ({_COLUMNS}, count) '
        f'SELECT {_COLUMNS}, sum(count) FROM fact_answer_daily GROUP BY {_COLUMNS}'
    )


def downgrade():
    with op.batch_alter_table('fact_answer_channel_daily', schema=None) as batch_op:
        batch_op.drop_index('ix_fact_answer_channel_daily_key')
    op.drop_table('fact_answer_channel_daily')
