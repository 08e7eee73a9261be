"""rules: quotas, exclusions, reminders, active dates, attribute filters, latest version.

A rule may follow its questionnaire's latest published version (questionnaire_id set,
questionnaire_version_id empty); existing rules keep their version and learn its questionnaire.
rule_quota_usage counts each rule's invitations per period; invitations.reminded_at marks the
one reminder.

Revision ID: 0011_rules
Revises: 0010_programs
Create Date: 2026-11-30 14:15:00

"""
from alembic import op
import sqlalchemy as sa
import feedback.db_types


# revision identifiers, used by Alembic.
revision = '0011_rules'
down_revision = '0010_programs'
branch_labels = None
depends_on = None

_rules = sa.table(
    'distribution_rules',
    sa.column('questionnaire_id', sa.String),
    sa.column('questionnaire_version_id', sa.String),
)
_versions = sa.table(
    'questionnaire_versions',
    sa.column('id', sa.String),
    sa.column('questionnaire_id', sa.String),
    sa.column('number', sa.Integer),
    sa.column('published_at', sa.DateTime),
)


def upgrade():
    with op.batch_alter_table('distribution_rules', schema=None) as batch_op:
        batch_op.add_column(sa.Column('questionnaire_id', sa.String(length=36), nullable=True))
        batch_op.alter_column(
            'questionnaire_version_id', existing_type=sa.String(length=36), nullable=True
        )
        batch_op.add_column(
            sa.Column('attribute_filters', sa.JSON(), nullable=False, server_default='{}')
        )
        batch_op.add_column(
            sa.Column('excluded_contact_types', sa.JSON(), nullable=False, server_default='[]')
        )
        batch_op.add_column(
            sa.Column('excluded_attributes', sa.JSON(), nullable=False, server_default='{}')
        )
        batch_op.add_column(sa.Column('quota_limit', sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column('quota_period', sa.String(length=8), nullable=False, server_default='day')
        )
        batch_op.add_column(sa.Column('reminder_after_days', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('active_from', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('active_until', sa.Date(), nullable=True))
        batch_op.create_foreign_key(
            op.f('fk_distribution_rules_questionnaire_id_questionnaires'),
            'questionnaires',
            ['questionnaire_id'],
            ['id'],
        )
    op.execute(
        _rules.update().values(
            questionnaire_id=sa.select(_versions.c.questionnaire_id)
            .where(_versions.c.id == _rules.c.questionnaire_version_id)
            .scalar_subquery()
        )
    )
    op.create_table(
        'rule_quota_usage',
        sa.Column('rule_id', sa.String(length=36), nullable=False),
        sa.Column('period', sa.String(length=10), nullable=False),
        sa.Column('used', sa.Integer(), nullable=False, server_default='0'),
        sa.ForeignKeyConstraint(
            ['rule_id'],
            ['distribution_rules.id'],
            name=op.f('fk_rule_quota_usage_rule_id_distribution_rules'),
        ),
        sa.PrimaryKeyConstraint('rule_id', 'period', name=op.f('pk_rule_quota_usage')),
    )
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('reminded_at', feedback.db_types.UTCDateTime(), nullable=True)
        )


def downgrade():
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_column('reminded_at')
    op.drop_table('rule_quota_usage')
    # A rule that followed the latest version gets pinned to it (the column is required again).
    latest = (
        sa.select(_versions.c.id)
        .where(
            _versions.c.questionnaire_id == _rules.c.questionnaire_id,
            _versions.c.published_at.is_not(None),
        )
        .order_by(_versions.c.number.desc())
        .limit(1)
        .scalar_subquery()
    )
    op.execute(
        _rules.update()
        .where(_rules.c.questionnaire_version_id.is_(None))
        .values(questionnaire_version_id=latest)
    )
    with op.batch_alter_table('distribution_rules', schema=None) as batch_op:
        batch_op.drop_constraint(
            op.f('fk_distribution_rules_questionnaire_id_questionnaires'), type_='foreignkey'
        )
        batch_op.drop_column('active_until')
        batch_op.drop_column('active_from')
        batch_op.drop_column('reminder_after_days')
        batch_op.drop_column('quota_period')
        batch_op.drop_column('quota_limit')
        batch_op.drop_column('excluded_attributes')
        batch_op.drop_column('excluded_contact_types')
        batch_op.drop_column('attribute_filters')
        batch_op.alter_column(
            'questionnaire_version_id', existing_type=sa.String(length=36), nullable=False
        )
        batch_op.drop_column('questionnaire_id')
