"""Charts of satisfaction drawn from the same cells as their tables, with a text equivalent.

A suppressed or empty cell is a gap (None) in the series, and "x" or "—" in the description.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from feedback.reporting.compose.context import Context
from feedback.reporting.compose.numbers import NO_DATA, SUPPRESSED
from feedback.reporting.disclosure import CellRef
from feedback.reporting.document import Chart, Series
from feedback.reporting.estimates.intervals import Estimate


def _satisfaction(context: Context, ref: CellRef) -> Estimate | None:
    """The cell's satisfaction when it may be shown and has a value, else None."""
    if ref in context.gathered.suppressed:
        return None
    figures = context.gathered.figures.get(ref)
    if figures is None or figures.satisfaction.value is None:
        return None
    return figures.satisfaction


def _percent(value: float | None) -> float | None:
    return None if value is None else 100 * value


def _point_words(context: Context, label: str, ref: CellRef) -> str:
    estimate = _satisfaction(context, ref)
    if estimate is None:
        mark = SUPPRESSED.text if ref in context.gathered.suppressed else NO_DATA.text
        return context.say("chart_point", label=label, value=mark)
    numbers = context.numbers
    value = f"{numbers.share(estimate).text} ({numbers.share_interval(estimate).text})"
    return context.say("chart_point", label=label, value=value)


def satisfaction_chart(
    context: Context,
    chart_id: str,
    style: Literal["bar", "line"],
    title: str,
    points: Sequence[tuple[str, CellRef]],
    table_id: str,
) -> Chart:
    """Satisfaction (per cent, with its interval) at each labelled cell."""
    estimates = [_satisfaction(context, ref) for _, ref in points]
    words = "; ".join(_point_words(context, label, ref) for label, ref in points)
    description_key = "chart_bar_description" if style == "bar" else "chart_line_description"
    return Chart(
        id=chart_id,
        style=style,
        title=title,
        categories=tuple(label for label, _ in points),
        series=(
            Series(
                name=context.say("col_satisfaction"),
                values=tuple(_percent(e.value) if e else None for e in estimates),
                low=tuple(_percent(e.low) if e else None for e in estimates),
                high=tuple(_percent(e.high) if e else None for e in estimates),
            ),
        ),
        unit="%",
        description=context.say(
            description_key,
            points=words or context.say("chart_empty"),
            period=context.period_words(),
        ),
        table_id=table_id,
    )
