"""The executive summary: a few sentences generated from the figures of the report."""

from __future__ import annotations

from collections.abc import Sequence

from feedback.reporting.actions.models import ThemeAction
from feedback.reporting.compose import keyfigures
from feedback.reporting.compose.context import Context
from feedback.reporting.compose.gather import LAST_YEAR, OVERALL, PREVIOUS
from feedback.reporting.compose.program import Comments, driver_shown
from feedback.reporting.document import Block, Bullets, Paragraph, Section
from feedback.reporting.themes.taxonomy import THEMES

#: How many drivers and irritants the summary names.
TOP = 3


def _overall(context: Context) -> str:
    gathered = context.gathered
    figures = gathered.get(OVERALL, ())
    if figures is None or gathered.is_suppressed(OVERALL, ()) or figures.satisfaction.value is None:
        return context.say("summary_overall_suppressed")
    numbers = context.numbers
    satisfaction = figures.satisfaction
    return context.say(
        "summary_overall",
        share=numbers.percent(satisfaction.value),
        low=numbers.percent(satisfaction.low),
        high=numbers.percent(satisfaction.high),
        n=numbers.integer(satisfaction.n),
        responses=numbers.integer(figures.responses),
        rate=numbers.share(figures.response_rate).text,
    )


def _changes(context: Context) -> list[Block]:
    found = keyfigures.key_figures(context, None)
    significant = found.significant()
    if not significant:
        return [Paragraph(context.say("summary_no_changes"))]
    names = {field: (name, measure) for name, field, measure in keyfigures.FIGURES}
    numbers = context.numbers
    lines = []
    for field, comparison, change in significant:
        name, measure = names[field]
        lines.append(
            context.say(
                "summary_change",
                figure=context.say(name),
                current=numbers.estimate(change.current, measure).text,
                previous=numbers.estimate(change.previous, measure).text,
                direction=context.say("up" if change.difference > 0 else "down"),
                against=context.say(
                    {PREVIOUS: "against_previous", LAST_YEAR: "against_last_year"}[comparison]
                ),
            )
        )
    return [Paragraph(context.say("summary_changes")), Bullets(tuple(lines))]


def _drivers(context: Context) -> list[Block]:
    """The drivers that matter most and perform least: importance × (1 - performance)."""
    found, _ = context.gathered.drivers.get(None, ([], None))
    ranked = sorted(
        (
            driver
            for driver in found
            if driver_shown(driver, context.gathered.minimum)
            and driver.importance is not None
            and driver.performance.value is not None
        ),
        key=lambda d: d.importance * (1 - d.performance.value),
        reverse=True,
    )
    if not ranked:
        return []
    names = ", ".join(context.topic(driver.topic) for driver in ranked[:TOP])
    return [Paragraph(context.say("summary_drivers", names=names))]


def executive_summary(
    context: Context, overall: Comments, actions: Sequence[ThemeAction]
) -> Section:
    blocks: list[Block] = [Paragraph(_overall(context))]
    if not context.gathered.programs:
        blocks.append(Paragraph(context.say("no_program")))
    blocks += _changes(context)
    blocks += _drivers(context)
    if overall.irritants:
        names = ", ".join(
            THEMES[item.code].label(context.language) for item in overall.irritants[:TOP]
        )
        blocks.append(Paragraph(context.say("summary_irritants", names=names)))
        blocks.append(
            Paragraph(
                context.say("summary_actions", count=context.numbers.integer(len(actions)))
                if actions
                else context.say("summary_no_actions")
            )
        )
    if context.weighted:
        blocks.append(Paragraph(context.say("summary_weighted")))
    return Section(id="summary", title=context.say("summary"), blocks=tuple(blocks), new_page=True)
