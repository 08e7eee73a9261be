"""The neutral report document: sections, tables, charts and notes, with no formatting.

compose builds it (every figure already estimated and through disclosure control, every text
already in the document's language); the renderers in feedback.reporting.render lay it out as PDF,
HTML, CSV or XLSX. A renderer never computes a figure: it shows `Cell.text` (PDF, HTML) or writes
`Cell.number` (CSV, XLSX).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal, TypeAlias, Union


@dataclass(frozen=True)
class Cell:
    text: str  # as shown in the document's language ("72 %", "x", "—")
    number: float | int | None = None  # raw value for CSV/XLSX; None when suppressed / not a number
    suppressed: bool = False
    marker: str | None = None  # e.g. "▲"/"▼" significant change; explained in the table notes


@dataclass(frozen=True)
class Table:
    id: str  # stable id: CSV table name, XLSX sheet (≤ 31 chars), HTML id
    caption: str
    columns: tuple[str, ...]  # header labels; the first column holds row headers
    rows: tuple[tuple[Cell, ...], ...]
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for row in self.rows:
            if len(row) != len(self.columns):
                raise ValueError(
                    f"table {self.id!r}: a row has {len(row)} cells for {len(self.columns)} columns"
                )


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float | None, ...]  # None: suppressed / no data (a gap)
    low: tuple[float | None, ...] | None = None  # 95 % interval, when known
    high: tuple[float | None, ...] | None = None


@dataclass(frozen=True)
class Chart:
    id: str
    style: Literal["bar", "line"]
    title: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    unit: str  # "%", "" ...
    description: str  # the text equivalent (what the chart shows, in words)
    table_id: str | None = None  # the Table that holds the same figures
    y_min: float = 0
    y_max: float = 100


@dataclass(frozen=True)
class Point:
    label: str
    x: float
    y: float
    flagged: bool = False


@dataclass(frozen=True)
class Scatter:
    """Importance (x) against performance (y), one labelled point per driver."""

    id: str
    title: str
    x_label: str
    y_label: str
    points: tuple[Point, ...]
    description: str
    table_id: str | None = None


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]


@dataclass(frozen=True)
class Quotes:
    items: tuple[str, ...]  # scrubbed comments


Block: TypeAlias = Union[Paragraph, Bullets, Quotes, Table, Chart, Scatter, "Section"]  # noqa: UP007


@dataclass(frozen=True)
class Section:
    id: str  # anchor / bookmark key
    title: str
    blocks: tuple[Block, ...]
    new_page: bool = False  # PDF starts it on a new page

    def tables(self) -> Iterator[Table]:
        """Every Table of the section and its subsections, depth-first, in document order."""
        for block in self.blocks:
            if isinstance(block, Table):
                yield block
            elif isinstance(block, Section):
                yield from block.tables()


@dataclass(frozen=True)
class Document:
    language: str  # "en" | "fr"
    title: str
    subtitle: str  # the period, e.g. "1 July to 30 September 2026"
    generated: str  # formatted generation date
    sections: tuple[Section, ...]  # the cover is drawn by the renderer from the fields above

    def tables(self) -> Iterator[Table]:
        """Every Table, depth-first (CSV/XLSX)."""
        for section in self.sections:
            yield from section.tables()
