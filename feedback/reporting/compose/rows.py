"""Rows of figures for the breakdown tables: which columns, and a cell per column.

A suppressed cell loses every figure ("x" in each column); a cell with nothing in it shows "—".
The overview tables use the compact columns, the appendix the full ones (with standard
deviations and every base); weighted reports add the weighted satisfaction and its effective
sample size to both.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from feedback.reporting.compose.context import Context
from feedback.reporting.compose.numbers import NO_DATA, SUPPRESSED, Numbers
from feedback.reporting.disclosure import CellRef
from feedback.reporting.document import Cell, Table
from feedback.reporting.estimates.figures import Figures


@dataclass(frozen=True)
class Column:
    header: str  # a prose key
    cell: Callable[[Numbers, Figures], Cell]
    weighted: bool = False  # the cell is taken from the weighted figures


RATE = (
    Column("col_reached", lambda n, f: n.count(f.reached)),
    Column("col_responses", lambda n, f: n.count(f.responses)),
    Column("col_rate", lambda n, f: n.share(f.response_rate)),
)
SATISFACTION = (
    Column("col_satisfaction", lambda n, f: n.share(f.satisfaction)),
    Column("col_interval", lambda n, f: n.share_interval(f.satisfaction)),
    Column("col_n", lambda n, f: n.base(f.satisfaction)),
)
WEIGHTED = (
    Column("col_weighted", lambda n, f: n.share(f.satisfaction), weighted=True),
    Column("col_interval", lambda n, f: n.share_interval(f.satisfaction), weighted=True),
    Column("col_n_effective", lambda n, f: n.effective(f.satisfaction), weighted=True),
)
NPS = (
    Column("col_nps", lambda n, f: n.nps(f.nps)),
    Column("col_interval", lambda n, f: n.nps_interval(f.nps)),
    Column("col_n", lambda n, f: n.base(f.nps)),
)
EFFORT_COMPACT = (
    Column("col_effort", lambda n, f: n.mean(f.effort_mean)),
    Column("col_n", lambda n, f: n.base(f.effort_mean)),
)
EFFORT_FULL = (
    Column("col_effort", lambda n, f: n.mean(f.effort_mean)),
    Column("col_sd", lambda n, f: n.sd(f.effort_mean)),
    Column("col_low_effort", lambda n, f: n.share(f.low_effort)),
    Column("col_interval", lambda n, f: n.share_interval(f.low_effort)),
    Column("col_n", lambda n, f: n.base(f.effort_mean)),
)


def columns(context: Context, *, full: bool) -> tuple[Column, ...]:
    weighted = WEIGHTED if context.weighted else ()
    effort = EFFORT_FULL if full else EFFORT_COMPACT
    return (*RATE, *SATISFACTION, *weighted, *NPS, *effort)


def figure_cells(context: Context, ref: CellRef, spec: Sequence[Column]) -> tuple[Cell, ...]:
    """The cells of one row: every figure of the cell `ref`, or "x" in each when suppressed."""
    if ref in context.gathered.suppressed:
        return tuple(SUPPRESSED for _ in spec)
    figures = context.gathered.figures.get(ref)
    weighted = context.gathered.weighted.get(ref)
    numbers = context.numbers
    cells = []
    for column in spec:
        source = weighted if column.weighted else figures
        cells.append(NO_DATA if source is None else column.cell(numbers, source))
    return tuple(cells)


def label(text: str) -> Cell:
    return Cell(text=text)


def notes(context: Context, rows: Sequence[Sequence[Cell]], *extra: str) -> tuple[str, ...]:
    """The table's notes: the marks it uses, explained."""
    cells = [cell for row in rows for cell in row]
    found = []
    if any(cell.suppressed for cell in cells):
        found.append(context.say("note_suppressed", minimum=context.gathered.minimum))
    if any(cell.text == NO_DATA.text for cell in cells):
        found.append(context.say("note_no_data"))
    return (*extra, *found)


def figure_table(
    context: Context,
    table_id: str,
    caption: str,
    headers: Sequence[str],
    rows: Sequence[tuple[Sequence[Cell], CellRef]],
    spec: Sequence[Column],
    extra_notes: Sequence[str] = (),
) -> Table:
    """A table whose rows are labelled cells of the report, with the `spec` figures of each."""
    body = tuple((*labels, *figure_cells(context, ref, spec)) for labels, ref in rows)
    weighted = (context.say("note_weighted"),) if context.weighted else ()
    return Table(
        id=table_id,
        caption=caption,
        columns=(*headers, *(context.say(column.header) for column in spec)),
        rows=body,
        notes=notes(context, body, *extra_notes, *weighted),
    )
