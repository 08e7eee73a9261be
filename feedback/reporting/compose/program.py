"""One section per program: key figures and changes, trend, drivers, irritants with what clients
said, emerging themes, and "You said, we did"."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from feedback.programs.models import Program
from feedback.reporting.actions.models import ThemeAction
from feedback.reporting.actions.services import actions_for
from feedback.reporting.compose import keyfigures, rows
from feedback.reporting.compose.context import Context
from feedback.reporting.compose.numbers import NO_DATA, SUPPRESSED
from feedback.reporting.compose.overview import trend
from feedback.reporting.document import (
    Block,
    Bullets,
    Cell,
    Paragraph,
    Point,
    Quotes,
    Scatter,
    Section,
    Table,
)
from feedback.reporting.estimates.drivers import DRIVER_MIN_BASE, Driver
from feedback.reporting.facts.read import Scope
from feedback.reporting.themes.store import Emerging, ThemeSummary, digest
from feedback.reporting.themes.taxonomy import THEMES

#: How many irritants a program section shows, each with up to QUOTES comments.
TOP_IRRITANTS = 5
QUOTES = 3


@dataclass(frozen=True)
class Comments:
    """What clients wrote, as far as the report may show it."""

    irritants: list[ThemeSummary]  # not praise, mentioned by at least `minimum`, by frequency
    emerging: list[Emerging]


def comments(
    scope: Scope, languages: Sequence[str], minimum: int
) -> dict[tuple[str | None, str], Comments]:
    """Irritants and emerging themes of `scope` and of each of its programs (None: the whole
    scope), per language, read once; a theme with fewer than `minimum` comments is a small
    cell and is left out."""
    found = digest(scope, languages, limit=len(THEMES))
    return {
        key: Comments(
            [
                summary
                for summary in summaries
                if summary.count >= minimum and not THEMES[summary.code].praise
            ][:TOP_IRRITANTS],
            [item for item in found.emerging[key] if item.count >= minimum],
        )
        for key, summaries in found.summaries.items()
    }


def driver_shown(driver: Driver, minimum: int) -> bool:
    return driver.n >= minimum and driver.performance.n >= minimum


def _driver_row(context: Context, driver: Driver) -> tuple[Cell, ...]:
    label = rows.label(context.topic(driver.topic))
    if not driver_shown(driver, context.gathered.minimum):
        return (label, *(SUPPRESSED,) * 6)
    numbers = context.numbers
    return (
        label,
        numbers.ratio(driver.importance),
        numbers.correlation(driver.correlation),
        numbers.share(driver.performance),
        numbers.share_interval(driver.performance),
        numbers.count(driver.n),
        Cell(context.say("yes" if driver.small_base else "no"), int(driver.small_base)),
    )


def drivers_blocks(context: Context, program_id: str | None, slug: str) -> list[Block]:
    """The drivers table and the importance × performance scatter (or why there is none)."""
    found, r2 = context.gathered.drivers.get(program_id, ([], None))
    if not found:
        return [Paragraph(context.say("no_drivers"))]
    name = context.program_name(program_id)
    table = Table(
        id=f"{slug}_drivers",
        caption=context.say("drivers_caption", program=name),
        columns=tuple(
            context.say(key)
            for key in (
                "col_driver",
                "col_importance",
                "col_correlation",
                "col_performance",
                "col_interval",
                "col_n",
                "col_small_base",
            )
        ),
        rows=tuple(_driver_row(context, driver) for driver in found),
    )
    extra = [context.say("note_small_base", small=DRIVER_MIN_BASE)]
    if r2 is not None:
        extra.append(context.say("note_r2", r2=context.numbers.percent(r2)))
    table = replace(table, notes=rows.notes(context, table.rows, *extra))
    numbers = context.numbers
    points = tuple(
        Point(
            label=context.topic(driver.topic),
            x=100 * driver.importance,
            y=100 * driver.performance.value,
            flagged=driver.small_base,
        )
        for driver in found
        if driver_shown(driver, context.gathered.minimum)
        and driver.importance is not None
        and driver.performance.value is not None
    )
    words = "; ".join(
        context.say(
            "scatter_point",
            label=point.label,
            x=numbers.percent(point.x / 100),
            y=numbers.percent(point.y / 100),
        )
        for point in points
    )
    scatter = Scatter(
        id=f"{slug}_scatter",
        title=context.say("scatter_title", program=name),
        x_label=context.say("col_importance"),
        y_label=context.say("col_performance"),
        points=points,
        description=context.say("scatter_description", points=words or context.say("chart_empty")),
        table_id=table.id,
    )
    return [table, scatter]


def irritants_blocks(context: Context, found: Comments, program_id: str, slug: str) -> list[Block]:
    if not found.irritants:
        return [Paragraph(context.say("no_irritants"))]
    numbers = context.numbers
    body = tuple(
        (
            rows.label(THEMES[item.code].label(context.language)),
            numbers.count(item.count),
            Cell(numbers.percent(item.share), 100 * item.share),
            NO_DATA
            if item.dissatisfied_share is None
            else Cell(numbers.percent(item.dissatisfied_share), 100 * item.dissatisfied_share),
        )
        for item in found.irritants
    )
    table = Table(
        id=f"{slug}_irritants",
        caption=context.say("irritants_caption", program=context.program_name(program_id)),
        columns=tuple(
            context.say(key)
            for key in ("col_theme", "col_comments", "col_share_comments", "col_dissatisfied")
        ),
        rows=body,
        notes=rows.notes(
            context, body, context.say("note_themes_minimum", minimum=context.gathered.minimum)
        ),
    )
    blocks: list[Block] = [table]
    for item in found.irritants:
        if item.examples:
            blocks.append(Paragraph(THEMES[item.code].label(context.language)))
            blocks.append(Quotes(tuple(item.examples[:QUOTES])))
    return blocks


def emerging_blocks(context: Context, found: Comments) -> list[Block]:
    if not found.emerging:
        return [Paragraph(context.say("no_emerging"))]
    numbers = context.numbers
    lines = tuple(
        context.say(
            "emerging_line_estimated" if item.estimated else "emerging_line",
            count=numbers.integer(item.count),
            terms=", ".join(item.terms),
        )
        for item in found.emerging
    )
    examples = tuple(item.examples[0] for item in found.emerging if item.examples)
    return [Bullets(lines), *([Quotes(examples)] if examples else [])]


def _status(context: Context, action: ThemeAction) -> str:
    return context.say(f"status_{action.status.value}")


def actions_table(
    context: Context,
    irritants: Sequence[ThemeSummary],
    actions: Sequence[ThemeAction],
    program_id: str,
    slug: str,
) -> Table:
    """Each top irritant with what was done about it, its status and date."""
    body: list[tuple[Cell, ...]] = []
    for item in irritants:
        theme = THEMES[item.code].label(context.language)
        mine = [action for action in actions if action.theme == item.code]
        if not mine:
            body.append((rows.label(theme), rows.label(context.say("no_action")), NO_DATA, NO_DATA))
        for action in mine:
            body.append(
                (
                    rows.label(theme),
                    rows.label(action.text(context.language)),
                    rows.label(_status(context, action)),
                    rows.label(context.numbers.day(action.action_date)),
                )
            )
    return Table(
        id=f"{slug}_actions",
        caption=context.say("actions_caption", program=context.program_name(program_id)),
        columns=tuple(
            context.say(key) for key in ("col_theme", "col_action", "col_status", "col_date")
        ),
        rows=tuple(body),
    )


def program_section(
    context: Context, program: Program, found: Comments | None, actions: Sequence[ThemeAction]
) -> Section:
    """The program's section. A suppressed program (`found` None) shows its tables with every
    figure hidden, and neither drivers nor comments: their bases would bound its counts."""
    slug = context.slug(program)
    section_id = f"program-{slug}"

    def sub(name: str, title: str, blocks: Sequence[Block]) -> Section:
        return Section(id=f"{section_id}-{name}", title=title, blocks=tuple(blocks))

    notice: list[Block] = [
        Paragraph(context.say("program_suppressed", minimum=context.gathered.minimum))
    ]
    if found is None:
        drivers = irritants = fresh = you_said = notice
    else:
        drivers = drivers_blocks(context, program.id, slug)
        irritants = irritants_blocks(context, found, program.id, slug)
        fresh = emerging_blocks(context, found)
        you_said = (
            [actions_table(context, found.irritants, actions, program.id, slug)]
            if found.irritants
            else [Paragraph(context.say("no_irritants"))]
        )
    return Section(
        id=section_id,
        title=program.name(context.language),
        new_page=True,
        blocks=(
            *(notice if found is None else []),
            sub(
                "figures",
                context.say("key_figures"),
                [keyfigures.table(context, program.id, f"{slug}_figures")],
            ),
            sub(
                "trend",
                context.say("trend"),
                trend(context, program.id, f"{slug}_trend", f"{slug}_trend_chart"),
            ),
            sub("drivers", context.say("drivers"), drivers),
            sub("irritants", context.say("irritants"), irritants),
            sub("emerging", context.say("emerging"), fresh),
            sub("actions", context.say("you_said"), you_said),
        ),
    )


def program_actions(found: Mapping[str, Comments]) -> list[ThemeAction]:
    """The actions recorded against the irritants each program (by id) shows."""
    themes = {item.code for comments in found.values() for item in comments.irritants}
    if not themes:
        return []
    return [
        action
        for action in actions_for(list(found), themes)
        if any(item.code == action.theme for item in found[action.program_id].irritants)
    ]
