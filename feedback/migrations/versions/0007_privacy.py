"""privacy: the days whose facts are final (fact_seals, the retention job); contact details (invitations.email, .phone) encrypted at rest with the app's
DATA_ENCRYPTION_KEYS (Fernet), so the columns become Text; existing values are encrypted.

Alembic runs inside the app context (Flask-Migrate), so the app's keys are at hand.

Revision ID: 0007_privacy
Revises: 0006_keys
Create Date: 2026-11-30 11:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_privacy'
down_revision = '0006_keys'
branch_labels = None
depends_on = None

_invitations = sa.table(
    'invitations',
    sa.column('id', sa.String),
    sa.column('email', sa.Text),
    sa.column('phone', sa.Text),
)


def _convert(change):
    """Apply change (encrypt or decrypt) to every contact detail still held."""
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(_invitations.c.id, _invitations.c.email, _invitations.c.phone).where(
            sa.or_(_invitations.c.email.is_not(None), _invitations.c.phone.is_not(None))
        )
    ).all()
    for row in rows:
        conn.execute(
            _invitations.update()
            .where(_invitations.c.id == row.id)
            .values(
                email=None if row.email is None else change(row.email),
                phone=None if row.phone is None else change(row.phone),
            )
        )


def upgrade():
    from feedback.db_types import data_cipher

    op.create_table('fact_seals',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('sealed_through', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fact_seals'))
    )
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.alter_column('email', existing_type=sa.String(length=320), type_=sa.Text())
        batch_op.alter_column('phone', existing_type=sa.String(length=32), type_=sa.Text())
    cipher = data_cipher()
    _convert(cipher.encrypt)


def downgrade():
    from feedback.db_types import data_cipher

    cipher = data_cipher()
    _convert(cipher.decrypt)
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.alter_column('email', existing_type=sa.Text(), type_=sa.String(length=320))
        batch_op.alter_column('phone', existing_type=sa.Text(), type_=sa.String(length=32))
    op.drop_table('fact_seals')
