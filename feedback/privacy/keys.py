"""Rotation of the keys that encrypt contact details (DATA_ENCRYPTION_KEYS).

Put a new key first, run `feedback privacy rotate-keys` (every stored value re-encrypted with
it: MultiFernet.rotate), then remove the old key.
"""

from __future__ import annotations

from sqlalchemy import String, Text, bindparam, column, or_, select, table

from feedback.db_types import data_cipher
from feedback.extensions import db

# The stored ciphertext, without the model's decrypting type.
_stored = table("invitations", column("id", String), column("email", Text), column("phone", Text))


def rotate(batch_size: int = 1000) -> int:
    """Re-encrypt every contact detail still held with the first key; returns the rows."""
    cipher = data_cipher()

    def again(value: str | None) -> str | None:
        return None if value is None else cipher.rotate(value.encode()).decode()

    rows = db.session.execute(
        select(_stored.c.id, _stored.c.email, _stored.c.phone).where(
            or_(_stored.c.email.is_not(None), _stored.c.phone.is_not(None))
        )
    ).all()
    statement = (
        _stored.update()
        .where(_stored.c.id == bindparam("row_id"))
        .values(email=bindparam("new_email"), phone=bindparam("new_phone"))
    )
    for start in range(0, len(rows), batch_size):
        db.session.execute(
            statement,
            [
                {"row_id": r.id, "new_email": again(r.email), "new_phone": again(r.phone)}
                for r in rows[start : start + batch_size]
            ],
        )
    db.session.expire_all()
    return len(rows)
