"""follow-ups: closed loop with unhappy clients who agreed to be contacted.

follow_up_policies (when a rule's responses open a follow-up), follow_ups (one item per
response, the client's contact details encrypted while open) and follow_up_notes (append-only).

Revision ID: 0013_follow_ups
Revises: 0012_walk_in
Create Date: 2026-11-30 14:15:00

"""
from alembic import op
import sqlalchemy as sa
import feedback.db_types


# revision identifiers, used by Alembic.
revision = '0013_follow_ups'
down_revision = '0012_walk_in'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('follow_up_policies',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('rule_id', sa.String(length=36), nullable=False),
    sa.Column('program_id', sa.String(length=36), nullable=False),
    sa.Column('score_question', sa.String(length=64), nullable=False),
    sa.Column('threshold', sa.Integer(), nullable=False),
    sa.Column('consent_question', sa.String(length=64), nullable=False),
    sa.Column('due_days', sa.Integer(), server_default='5', nullable=False),
    sa.Column('enabled', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('updated_at', feedback.db_types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_follow_up_policies_program_id_programs')),
    sa.ForeignKeyConstraint(['rule_id'], ['distribution_rules.id'], name=op.f('fk_follow_up_policies_rule_id_distribution_rules')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_up_policies')),
    sa.UniqueConstraint('rule_id', name=op.f('uq_follow_up_policies_rule_id'))
    )
    with op.batch_alter_table('follow_up_policies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_follow_up_policies_program_id'), ['program_id'], unique=False)

    op.create_table('follow_ups',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('program_id', sa.String(length=36), nullable=False),
    sa.Column('rule_id', sa.String(length=36), nullable=True),
    sa.Column('response_id', sa.String(length=36), nullable=True),
    sa.Column('client_hash', sa.String(length=64), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('question_code', sa.String(length=64), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('open', 'in_progress', 'closed', name='followupstatus', native_enum=False, length=16), nullable=False),
    sa.Column('owner_id', sa.String(length=36), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('email', feedback.db_types.EncryptedText(), nullable=True),
    sa.Column('phone', feedback.db_types.EncryptedText(), nullable=True),
    sa.Column('created_at', feedback.db_types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', feedback.db_types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('closed_at', feedback.db_types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('notified_at', feedback.db_types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_follow_ups_owner_id_users')),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_follow_ups_program_id_programs')),
    sa.ForeignKeyConstraint(['response_id'], ['responses.id'], name=op.f('fk_follow_ups_response_id_responses'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['rule_id'], ['distribution_rules.id'], name=op.f('fk_follow_ups_rule_id_distribution_rules')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_ups')),
    sa.UniqueConstraint('response_id', name=op.f('uq_follow_ups_response_id'))
    )
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_follow_ups_client_hash'), ['client_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_follow_ups_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_follow_ups_due_on'), ['due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_follow_ups_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_follow_ups_program_id'), ['program_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_follow_ups_status'), ['status'], unique=False)

    op.create_table('follow_up_notes',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('follow_up_id', sa.String(length=36), nullable=False),
    sa.Column('author_id', sa.String(length=36), nullable=True),
    sa.Column('author', sa.String(length=320), nullable=False),
    sa.Column('at', feedback.db_types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_follow_up_notes_author_id_users')),
    sa.ForeignKeyConstraint(['follow_up_id'], ['follow_ups.id'], name=op.f('fk_follow_up_notes_follow_up_id_follow_ups')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_up_notes'))
    )
    with op.batch_alter_table('follow_up_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_follow_up_notes_follow_up_id'), ['follow_up_id'], unique=False)


def downgrade():
    op.drop_table('follow_up_notes')
    op.drop_table('follow_ups')
    op.drop_table('follow_up_policies')
