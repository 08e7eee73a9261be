"""CSV import of a large file: batch by batch, in constant memory, every line counted."""

from __future__ import annotations

import tracemalloc
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import func, select

from feedback.contacts.csv_import import import_csv
from feedback.contacts.models import ContactEvent
from feedback.invitations.models import Invitation
from tests.factories import make_setup

HEADER = (
    "source,external_id,program,contact_type,occurred_at,language,client_reference,client_email\n"
)


def _lines(n: int, start: int = 0) -> Iterator[str]:
    for i in range(start, start + n):
        if i % 1000 == 7:
            yield f"desk,L{i},passport,visit,not-a-date,fr,R{i},r{i}@example.org\n"
        else:
            yield f"desk,L{i},passport,visit,2026-11-20T10:00:00-05:00,fr,R{i},r{i}@example.org\n"


def _write(path: Path, n: int, start: int = 0) -> Path:
    with path.open("w", encoding="utf-8") as out:
        out.write(HEADER)
        out.writelines(_lines(n, start))
    return path


def test_a_20000_line_file_is_imported_batch_by_batch(app, db, tmp_path):
    make_setup()
    path = _write(tmp_path / "big.csv", 20_000)
    counts: Counter[str] = Counter()
    rejected_lines = []
    with path.open("rb") as stream:
        for line, result in import_csv(stream):
            counts[result.status] += 1
            if result.status == "rejected":
                rejected_lines.append(line)
    assert counts == {"created": 19_980, "rejected": 20}
    assert rejected_lines[:2] == [9, 1009]  # line numbers count the header
    stored = db.session.scalar(select(func.count()).select_from(ContactEvent))
    assert stored == db.session.scalar(select(func.count()).select_from(Invitation)) == 19_980


def _peak(path: Path) -> int:
    tracemalloc.start()
    try:
        with path.open("rb") as stream:
            for _ in import_csv(stream, chunk=200):
                pass
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_the_file(app, db, tmp_path):
    """The peak is that of one batch: three times the lines, about the same peak."""
    make_setup()
    small = _peak(_write(tmp_path / "small.csv", 600))
    large = _peak(_write(tmp_path / "large.csv", 1_800, start=10_000))
    assert large < small * 1.5, (small, large)
