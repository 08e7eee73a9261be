"""Appendix: every figure of each program broken down by channel, contact type, language and
client group, with its base and interval (the full columns)."""

from __future__ import annotations

from feedback.reporting.compose import rows
from feedback.reporting.compose.context import Context
from feedback.reporting.compose.gather import PROGRAM, cross
from feedback.reporting.document import Paragraph, Section, Table


def table_id(context: Context, dimension: str) -> str:
    if dimension.startswith("group:"):
        return f"appx_group{context.gathered.groups.index(dimension) + 1}"
    return f"appx_{dimension}"


def cross_table(context: Context, dimension: str) -> Table:
    """Program × dimension, each program's rows followed by its total."""
    gathered = context.gathered
    spec = rows.columns(context, full=True)
    lines = []
    for program in gathered.programs:
        name = rows.label(program.name(context.language))
        for value in gathered.dimensions[dimension]:
            ref = (cross(dimension), (program.id, value))
            if ref in gathered.figures:
                lines.append(([name, rows.label(context.value_label(dimension, value))], ref))
        lines.append(([name, rows.label(context.say("total"))], (PROGRAM, (program.id,))))
    label = context.dimension_label(dimension)
    return rows.figure_table(
        context,
        table_id(context, dimension),
        context.say("appendix_caption", dimension=label.lower()),
        [context.say("col_program"), label],
        lines,
        spec,
    )


def appendix(context: Context) -> Section:
    tables = [
        cross_table(context, dimension)
        for dimension in context.gathered.dimensions
        if not dimension.startswith("period:")
    ]
    return Section(
        id="appendix",
        title=context.say("appendix"),
        blocks=(Paragraph(context.say("appendix_intro")), *tables),
        new_page=True,
    )
