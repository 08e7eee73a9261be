"""Column helpers shared by every area's models."""

from __future__ import annotations

import uuid

from feedback.db_types import new_id


def test_new_ids_are_uuid4_text():
    ids = [new_id() for _ in range(2000)]
    assert len(set(ids)) == len(ids)
    for value in ids:
        parsed = uuid.UUID(value)
        assert (parsed.version, parsed.variant, str(parsed)) == (4, uuid.RFC_4122, value)
