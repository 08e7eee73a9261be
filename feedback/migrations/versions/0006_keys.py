"""keys: the programs an API key may send events for (none: every program).

API key hashes change from argon2 to HMAC-SHA256 ("hmac-sha256$<hex>") without a schema change:
an argon2 hash still verifies and is replaced by the keyed hash on the key's first use.

Revision ID: 0006_keys
Revises: 0005_dispatch
Create Date: 2026-11-30 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_keys'
down_revision = '0005_dispatch'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('api_key_programs',
    sa.Column('api_key_id', sa.String(length=36), nullable=False),
    sa.Column('program_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['api_key_id'], ['api_keys.id'], name=op.f('fk_api_key_programs_api_key_id_api_keys'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_api_key_programs_program_id_programs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('api_key_id', 'program_id', name=op.f('pk_api_key_programs'))
    )


def downgrade():
    op.drop_table('api_key_programs')
