"""reshape: titles on questionnaire versions (a published version's title never changes with
a later draft's), program scopes of staff users, a rule's channel options (validated by the channel's
plugin; the voice rule option `voice_recording` becomes the option `record_answers`), and
answers with several items (a multiple-choice answer is one row per option chosen).

Question kinds, roles and statuses are VARCHAR without a CHECK constraint: the new kinds
(effort, multiple_choice) and the program manager role need no DDL.

Revision ID: 0004_reshape
Revises: 0003_voice
Create Date: 2026-11-30 08:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004_reshape'
down_revision = '0003_voice'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('questionnaire_versions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('title_en', sa.String(length=200), server_default='', nullable=False))
        batch_op.add_column(sa.Column('title_fr', sa.String(length=200), server_default='', nullable=False))
    op.execute(
        'UPDATE questionnaire_versions SET '
        'title_en = (SELECT title_en FROM questionnaires WHERE questionnaires.id = questionnaire_versions.questionnaire_id), '
        'title_fr = (SELECT title_fr FROM questionnaires WHERE questionnaires.id = questionnaire_versions.questionnaire_id)'
    )

    op.create_table('user_programs',
    sa.Column('user_id', sa.String(length=36), nullable=False),
    sa.Column('program_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_user_programs_program_id_programs')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_programs_user_id_users')),
    sa.PrimaryKeyConstraint('user_id', 'program_id', name=op.f('pk_user_programs'))
    )

    with op.batch_alter_table('distribution_rules', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel_options', sa.JSON(), nullable=True))
    rules = sa.table(
        'distribution_rules',
        sa.column('channel_options', sa.JSON()),
        sa.column('voice_recording', sa.Boolean()),
    )
    op.execute(rules.update().where(rules.c.voice_recording.is_(True)).values(channel_options={'record_answers': True}))
    op.execute(rules.update().where(rules.c.channel_options.is_(None)).values(channel_options={}))
    with op.batch_alter_table('distribution_rules', schema=None) as batch_op:
        batch_op.alter_column('channel_options', existing_type=sa.JSON(), nullable=False)
        batch_op.drop_column('voice_recording')

    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('item', sa.Integer(), server_default='0', nullable=False))
        batch_op.drop_constraint('uq_answers_response_id_question_id', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_answers_response_id_question_id_item'), ['response_id', 'question_id', 'item'])


def downgrade():
    answers = sa.table('answers', sa.column('item', sa.Integer()))
    op.execute(answers.delete().where(answers.c.item > 0))
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_answers_response_id_question_id_item'), type_='unique')
        batch_op.create_unique_constraint('uq_answers_response_id_question_id', ['response_id', 'question_id'])
        batch_op.drop_column('item')

    with op.batch_alter_table('distribution_rules', schema=None) as batch_op:
        batch_op.add_column(sa.Column('voice_recording', sa.Boolean(), server_default=sa.false(), nullable=False))
    rules = sa.table(
        'distribution_rules',
        sa.column('channel_options', sa.JSON()),
        sa.column('voice_recording', sa.Boolean()),
    )
    connection = op.get_bind()
    for row_id, options in connection.execute(sa.text('SELECT id, channel_options FROM distribution_rules')):
        if isinstance(options, str):
            import json
            options = json.loads(options)
        if (options or {}).get('record_answers'):
            connection.execute(sa.text('UPDATE distribution_rules SET voice_recording = :t WHERE id = :id'), {'t': True, 'id': row_id})
    with op.batch_alter_table('distribution_rules', schema=None) as batch_op:
        batch_op.drop_column('channel_options')

    op.drop_table('user_programs')

    with op.batch_alter_table('questionnaire_versions', schema=None) as batch_op:
        batch_op.drop_column('title_fr')
        batch_op.drop_column('title_en')
