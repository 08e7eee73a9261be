"""Key figures of a program (or of every program) against the previous period and the same
period last year, tested, with Holm's correction over the comparisons of the table."""

from __future__ import annotations

from dataclasses import dataclass

from feedback.reporting.compose import rows
from feedback.reporting.compose.context import Context
from feedback.reporting.compose.gather import LAST_YEAR, OVERALL, PREVIOUS, PROGRAM
from feedback.reporting.compose.numbers import NO_DATA, SUPPRESSED
from feedback.reporting.disclosure import CellRef
from feedback.reporting.document import Cell, Table
from feedback.reporting.estimates.changes import Change, compare, correct
from feedback.reporting.estimates.figures import Figures
from feedback.reporting.estimates.intervals import Estimate

#: (prose key of its name, Figures field, measure), in the order of the table.
FIGURES: tuple[tuple[str, str, str], ...] = (
    ("figure_rate", "response_rate", "share"),
    ("figure_satisfaction", "satisfaction", "share"),
    ("figure_nps", "nps", "score"),
    ("figure_effort", "effort_mean", "mean"),
    ("figure_low_effort", "low_effort", "share"),
)
COMPARISONS = (PREVIOUS, LAST_YEAR)


@dataclass(frozen=True)
class KeyFigures:
    """The figures of one cell and its earlier periods, with the corrected changes."""

    current: Figures | None
    current_suppressed: bool
    earlier: dict[str, tuple[Figures | None, bool]]  # comparison -> (figures, suppressed)
    changes: dict[tuple[str, str], Change]  # (field, comparison) -> change, corrected

    @property
    def tested(self) -> int:
        return sum(1 for change in self.changes.values() if change.p_value is not None)

    def significant(self) -> list[tuple[str, str, Change]]:
        return [(f, c, change) for (f, c), change in self.changes.items() if change.significant]


def _refs(program_id: str | None) -> dict[str, CellRef]:
    if program_id is None:
        return {
            "current": (OVERALL, ()),
            **{c: (f"{c}:{OVERALL}", ()) for c in COMPARISONS},
        }
    return {
        "current": (PROGRAM, (program_id,)),
        **{c: (f"{c}:{PROGRAM}", (program_id,)) for c in COMPARISONS},
    }


def key_figures(context: Context, program_id: str | None) -> KeyFigures:
    gathered = context.gathered
    refs = _refs(program_id)

    def shown(ref: CellRef) -> tuple[Figures | None, bool]:
        return gathered.figures.get(ref), ref in gathered.suppressed

    current, current_suppressed = shown(refs["current"])
    earlier = {c: shown(refs[c]) for c in COMPARISONS}
    pending: list[tuple[tuple[str, str], Change]] = []
    if current is not None and not current_suppressed:
        for _, field, measure in FIGURES:
            for comparison, (figures, suppressed) in earlier.items():
                if figures is not None and not suppressed:
                    pending.append(
                        (
                            (field, comparison),
                            compare(getattr(current, field), getattr(figures, field), measure),
                        )
                    )
    corrected = correct([change for _, change in pending])
    changes = {key: change for (key, _), change in zip(pending, corrected, strict=True)}
    return KeyFigures(current, current_suppressed, earlier, changes)


def _value(
    context: Context, figures: Figures | None, suppressed: bool, field: str, measure: str
) -> Cell:
    if suppressed:
        return SUPPRESSED
    if figures is None:
        return NO_DATA
    return context.numbers.estimate(getattr(figures, field), measure)


def table(context: Context, program_id: str, table_id: str) -> Table:
    """Figure | this period | interval | n | previous | change | last year | change."""
    found = key_figures(context, program_id)
    numbers = context.numbers
    body = []
    for name, field, measure in FIGURES:
        estimate: Estimate | None = getattr(found.current, field) if found.current else None
        if found.current_suppressed:
            current = (SUPPRESSED, SUPPRESSED, SUPPRESSED)
        elif estimate is None:
            current = (NO_DATA, NO_DATA, NO_DATA)
        else:
            current = (
                numbers.estimate(estimate, measure),
                numbers.interval(estimate, measure),
                numbers.base(estimate),
            )
        compared = []
        for comparison in COMPARISONS:
            figures, suppressed = found.earlier[comparison]
            compared.append(_value(context, figures, suppressed, field, measure))
            if found.current_suppressed or suppressed:
                compared.append(SUPPRESSED)
            else:
                compared.append(numbers.change(found.changes.get((field, comparison)), measure))
        body.append((rows.label(context.say(name)), *current, *compared))
    if context.weighted:
        body.append(_weighted_row(context, program_id, found.current_suppressed))
    columns = (
        context.say("col_figure"),
        context.say("col_current"),
        context.say("col_interval"),
        context.say("col_n"),
        context.say("col_previous"),
        context.say("col_change_previous"),
        context.say("col_last_year"),
        context.say("col_change_last_year"),
    )
    periods = context.gathered.periods
    previous = context.range_words(*periods.previous)
    last_year = context.range_words(*periods.last_year)
    return Table(
        id=table_id,
        caption=context.say("key_figures_caption", program=context.program_name(program_id)),
        columns=columns,
        rows=tuple(body),
        notes=rows.notes(
            context,
            body,
            context.say("note_markers", count=numbers.integer(found.tested)),
            context.say("note_periods", previous=previous, last_year=last_year),
            *((context.say("note_weighted_row"),) if context.weighted else ()),
        ),
    )


def _weighted_row(context: Context, program_id: str, suppressed: bool) -> tuple[Cell, ...]:
    """Satisfaction weighted for non-response, with its effective sample size as base."""
    label = rows.label(context.say("col_weighted"))
    if suppressed:
        return (label, SUPPRESSED, SUPPRESSED, SUPPRESSED, *(NO_DATA,) * 4)
    figures = context.gathered.weighted.get((PROGRAM, (program_id,)))
    if figures is None:
        return (label, *(NO_DATA,) * 7)
    numbers = context.numbers
    estimate = figures.satisfaction
    return (
        label,
        numbers.share(estimate),
        numbers.share_interval(estimate),
        numbers.effective(estimate),
        *(NO_DATA,) * 4,
    )
