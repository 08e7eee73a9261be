"""facts: client groups, reached invitations, driver pairs and the update watermark; the fact
tables lose their foreign keys (derived rows: checking them took most of a rebuild's time).

Revision ID: 0014_facts
Revises: 0013_follow_ups
Create Date: 2026-11-30 18:10:00

"""
from alembic import op
import sqlalchemy as sa
import feedback.db_types


# revision identifiers, used by Alembic.
revision = '0014_facts'
down_revision = '0013_follow_ups'
branch_labels = None
depends_on = None


_ANSWER_FKS = {
    'fk_fact_answer_daily_program_id_programs': ('program_id', 'programs'),
    'fk_fact_answer_daily_question_id_questions': ('question_id', 'questions'),
    'fk_fact_answer_daily_questionnaire_version_id_questionnaire_versions': ('questionnaire_version_id', 'questionnaire_versions'),
}


def _client_group():
    return sa.Column('client_group', sa.String(length=400), server_default='{}', nullable=False)


def _fill_months():
    """The months of the daily answer facts already there (what the fact builder keeps)."""
    if op.get_bind().dialect.name == 'sqlite':
        month = "date(day, 'start of month')"
    else:
        month = "CAST(date_trunc('month', day) AS DATE)"
    columns = ('program_id, questionnaire_version_id, question_id, channel, contact_type, '
               'language, client_group, value_int, value_choice')
    op.execute(
        f'INSERT INTO fact_answer_monthly (month, {columns}, count) '
        f'SELECT {month}, {columns}, sum(count) FROM fact_answer_daily '
        f'GROUP BY {month}, {columns}'
    )


def upgrade():
    with op.batch_alter_table('programs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reportable_attributes', sa.JSON(), server_default='[]', nullable=False))

    with op.batch_alter_table('fact_invitation_daily', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('fk_fact_invitation_daily_program_id_programs'), type_='foreignkey')
        batch_op.add_column(_client_group())
        batch_op.add_column(sa.Column('reached', sa.Integer(), server_default='0', nullable=False))

    with op.batch_alter_table('fact_answer_daily', schema=None) as batch_op:
        for name in _ANSWER_FKS:
            batch_op.drop_constraint(op.f(name), type_='foreignkey')
        batch_op.add_column(_client_group())

    op.create_table('fact_answer_pair_daily',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('program_id', sa.String(length=36), nullable=False),
    sa.Column('questionnaire_version_id', sa.String(length=36), nullable=False),
    sa.Column('topic_a', sa.String(length=32), nullable=False),
    sa.Column('value_a', sa.Integer(), nullable=False),
    sa.Column('topic_b', sa.String(length=32), nullable=False),
    sa.Column('value_b', sa.Integer(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fact_answer_pair_daily'))
    )
    with op.batch_alter_table('fact_answer_pair_daily', schema=None) as batch_op:
        batch_op.create_index('ix_fact_answer_pair_daily_key', ['day', 'program_id'], unique=False)

    op.create_table('fact_answer_monthly',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('program_id', sa.String(length=36), nullable=False),
    sa.Column('questionnaire_version_id', sa.String(length=36), nullable=False),
    sa.Column('question_id', sa.String(length=36), nullable=False),
    sa.Column('channel', sa.String(length=32), nullable=False),
    sa.Column('contact_type', sa.String(length=64), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    _client_group(),
    sa.Column('value_int', sa.Integer(), nullable=True),
    sa.Column('value_choice', sa.String(length=64), nullable=True),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fact_answer_monthly'))
    )
    with op.batch_alter_table('fact_answer_monthly', schema=None) as batch_op:
        batch_op.create_index('ix_fact_answer_monthly_key', ['month', 'program_id'], unique=False)
    _fill_months()

    op.create_table('fact_watermarks',
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('through', feedback.db_types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_fact_watermarks'))
    )


def downgrade():
    op.drop_table('fact_watermarks')
    with op.batch_alter_table('fact_answer_monthly', schema=None) as batch_op:
        batch_op.drop_index('ix_fact_answer_monthly_key')
    op.drop_table('fact_answer_monthly')
    with op.batch_alter_table('fact_answer_pair_daily', schema=None) as batch_op:
        batch_op.drop_index('ix_fact_answer_pair_daily_key')
    op.drop_table('fact_answer_pair_daily')

    with op.batch_alter_table('fact_answer_daily', schema=None) as batch_op:
        batch_op.drop_column('client_group')
        for name in _ANSWER_FKS:
            column, table = _ANSWER_FKS[name]
            batch_op.create_foreign_key(op.f(name), table, [column], ['id'])

    with op.batch_alter_table('fact_invitation_daily', schema=None) as batch_op:
        batch_op.drop_column('reached')
        batch_op.drop_column('client_group')
        batch_op.create_foreign_key(op.f('fk_fact_invitation_daily_program_id_programs'), 'programs', ['program_id'], ['id'])

    with op.batch_alter_table('programs', schema=None) as batch_op:
        batch_op.drop_column('reportable_attributes')
