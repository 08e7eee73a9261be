"""The neutral report document: tables found depth-first, ragged tables refused."""

from __future__ import annotations

import pytest

from feedback.reporting.document import Cell, Document, Paragraph, Section, Table
from tests.reporting.render.sample import sample


def _table(id_: str) -> Table:
    return Table(id_, id_, ("k", "n"), ((Cell("a"), Cell("1", 1)),))


def test_tables_are_listed_depth_first_in_document_order():
    document = Document(
        "en",
        "T",
        "P",
        "G",
        (
            Section("one", "One", (_table("a"), Section("inner", "Inner", (_table("b"),)))),
            Section("two", "Two", (Paragraph("text"), _table("c"))),
        ),
    )
    assert [table.id for table in document.tables()] == ["a", "b", "c"]
    assert [table.id for table in sample("en").tables()] == [
        "by_channel",
        "passport_trend",
        "passport_drivers",
    ]


def test_a_row_must_have_a_cell_per_column():
    with pytest.raises(ValueError, match="a row has 1 cells for 2 columns"):
        Table("t", "T", ("k", "n"), ((Cell("a"),),))
