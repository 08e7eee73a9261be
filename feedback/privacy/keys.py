"""Rotation of the keys that encrypt contact details (DATA_ENCRYPTION_KEYS).

Put a new key first, run `feedback privacy rotate-keys` (every stored value, in invitations and
in follow-ups, re-encrypted with it, whatever key or format wrote it: see
:mod:`feedback.data_keys`), then remove the old key.
"""

from __future__ import annotations

from sqlalchemy import String, Text, bindparam, column, or_, select, table
from sqlalchemy.sql.expression import TableClause

from feedback.db_types import data_cipher
from feedback.extensions import db

#: The tables holding contact details, read without the models' decrypting type.
_TABLES = [
    table(name, column("id", String), column("email", Text), column("phone", Text))
    for name in ("invitations", "follow_ups")
]


def rotate(batch_size: int = 1000) -> dict[str, int]:
    """Re-encrypt every contact detail still held with the first key; the rows, by table."""
    return {stored.name: _rotate(stored, batch_size) for stored in _TABLES}


def _rotate(stored: TableClause, batch_size: int) -> int:
    """One table's rows, a page at a time by id (a page read, then one executemany)."""
    cipher = data_cipher()

    def again(value: str | None) -> str | None:
        return None if value is None else cipher.rotate(value)

    statement = (
        stored.update()
        .where(stored.c.id == bindparam("row_id"))
        .values(email=bindparam("new_email"), phone=bindparam("new_phone"))
    )
    held = or_(stored.c.email.is_not(None), stored.c.phone.is_not(None))
    count, after = 0, ""
    while rows := db.session.execute(
        select(stored.c.id, stored.c.email, stored.c.phone)
        .where(held, stored.c.id > after)
        .order_by(stored.c.id)
        .limit(batch_size)
    ).all():
        db.session.execute(
            statement,
            [
                {"row_id": r.id, "new_email": again(r.email), "new_phone": again(r.phone)}
                for r in rows
            ],
        )
        count += len(rows)
        after = rows[-1].id
    db.session.expire_all()
    return count
