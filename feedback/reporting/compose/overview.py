"""The overview: results by program, channel, contact type, language and client group, the
satisfaction by program as a bar chart and its trend as a line chart. It is also the dashboard."""

from __future__ import annotations

from feedback.reporting.compose import rows
from feedback.reporting.compose.charts import satisfaction_chart
from feedback.reporting.compose.context import Context
from feedback.reporting.compose.gather import OVERALL, PROGRAM, cross
from feedback.reporting.disclosure import CellRef
from feedback.reporting.document import Block, Section, Table


def table_id(context: Context, dimension: str) -> str:
    """by_program, by_channel, ..., by_group1 (client groups by their order), trend."""
    if dimension.startswith("group:"):
        return f"by_group{context.gathered.groups.index(dimension) + 1}"
    if dimension.startswith("period:"):
        return "trend"
    return f"by_{dimension}"


def _caption(context: Context, dimension: str) -> str:
    if dimension.startswith("group:"):
        return context.say("by_group", attribute=context.dimension_label(dimension).lower())
    if dimension.startswith("period:"):
        return context.say("by_period", period=context.period_words())
    return context.say(f"by_{dimension}")


def by_program(context: Context) -> Table:
    gathered = context.gathered
    lines = [
        ([rows.label(program.name(context.language))], (PROGRAM, (program.id,)))
        for program in gathered.programs
    ]
    lines.append(([rows.label(context.say("all"))], (OVERALL, ())))
    return rows.figure_table(
        context,
        "by_program",
        context.say("by_program"),
        [context.say("col_program")],
        lines,
        rows.columns(context, full=False),
    )


def by_dimension(context: Context, dimension: str) -> Table:
    """One breakdown across programs, with the total; channels name their rate's denominator."""
    gathered = context.gathered
    channel = dimension == "channel"
    lines = []
    for value in gathered.dimensions[dimension]:
        labels = [rows.label(context.value_label(dimension, value))]
        if channel:
            labels.append(rows.label(context.denominator(value)))
        lines.append((labels, (dimension, (value,))))
    total = [rows.label(context.say("all"))] + ([rows.label("")] if channel else [])
    lines.append((total, (OVERALL, ())))
    headers = [context.dimension_label(dimension)]
    if channel:
        headers.append(context.say("col_denominator"))
    return rows.figure_table(
        context,
        table_id(context, dimension),
        _caption(context, dimension),
        headers,
        lines,
        rows.columns(context, full=False),
        extra_notes=(context.say("note_channel_denominator"),) if channel else (),
    )


def trend_points(context: Context, program_id: str | None) -> list[tuple[str, CellRef]]:
    """(label, cell) of each week or month, of one program or of all (program_id None)."""
    dimension = context.gathered.periods.trend_dimension
    return [
        (
            context.period(value),
            (dimension, (value,))
            if program_id is None
            else (cross(dimension), (program_id, value)),
        )
        for value in context.gathered.dimensions[dimension]
    ]


def trend(
    context: Context, program_id: str | None, table_name: str, chart_name: str
) -> list[Block]:
    """The trend of satisfaction as a line chart and the table of its figures."""
    points = trend_points(context, program_id)
    caption = (
        context.say("by_period", period=context.period_words())
        if program_id is None
        else context.say(
            "trend_caption", program=context.program_name(program_id), period=context.period_words()
        )
    )
    table = rows.figure_table(
        context,
        table_name,
        caption,
        [context.say("col_period")],
        [([rows.label(label)], ref) for label, ref in points],
        rows.SATISFACTION,
    )
    title = context.say("chart_trend", period=context.period_words())
    chart = satisfaction_chart(context, chart_name, "line", title, points, table.id)
    return [chart, table]


def overview(context: Context) -> Section:
    gathered = context.gathered
    programs = by_program(context)
    chart = satisfaction_chart(
        context,
        "chart_programs",
        "bar",
        context.say("chart_by_program"),
        [(p.name(context.language), (PROGRAM, (p.id,))) for p in gathered.programs],
        programs.id,
    )
    breakdowns = [
        by_dimension(context, dimension)
        for dimension in gathered.dimensions
        if not dimension.startswith("period:")
    ]
    blocks: list[Block] = [
        programs,
        chart,
        *breakdowns,
        *trend(context, None, "trend", "chart_trend"),
    ]
    return Section(
        id="overview", title=context.say("overview"), blocks=tuple(blocks), new_page=True
    )
