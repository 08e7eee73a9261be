"""The methodology section: who was surveyed and how every figure is computed and protected."""

from __future__ import annotations

from feedback.questionnaires import kinds
from feedback.questionnaires.kinds.base import Scale
from feedback.reporting import disclosure
from feedback.reporting.compose.context import Context
from feedback.reporting.compose.gather import OVERALL
from feedback.reporting.compose.numbers import NO_DATA, SUPPRESSED
from feedback.reporting.document import Bullets, Paragraph, Section
from feedback.reporting.estimates.drivers import DRIVER_MIN_BASE
from feedback.reporting.themes.store import SAMPLE

#: The channels every report explains, in this order, besides any other found in the data.
KNOWN_CHANNELS = ("email", "sms", "voice", "walk_in")


def _scale(figure: str) -> Scale:
    return next(kind.scale for kind in kinds.feeding(figure) if kind.scale is not None)


def _overall_counts(context: Context) -> tuple[str, str]:
    gathered = context.gathered
    if gathered.is_suppressed(OVERALL, ()):
        return SUPPRESSED.text, SUPPRESSED.text
    figures = gathered.get(OVERALL, ())
    if figures is None:
        return NO_DATA.text, NO_DATA.text
    numbers = context.numbers
    return numbers.integer(figures.reached), numbers.integer(figures.responses)


def _weighting(context: Context) -> list[Paragraph]:
    """The weighting method, and what it could not weight when cells had to be merged."""
    found = [Paragraph(context.say("method_weighting"))]
    weights = context.gathered.weights
    if weights is not None and weights.collapsed:
        found.append(Paragraph(context.say("method_weighting_collapsed")))
    return found


def methodology(context: Context) -> Section:
    gathered = context.gathered
    periods = gathered.periods
    numbers = context.numbers
    reached, responses = _overall_counts(context)
    names = (
        ", ".join(p.name(context.language) for p in gathered.programs) or context.say("all").lower()
    )
    channels = [
        *KNOWN_CHANNELS,
        *(c for c in gathered.dimensions.get("channel", ()) if c not in KNOWN_CHANNELS),
    ]
    satisfaction, nps, effort = _scale("satisfaction"), _scale("nps"), _scale("effort")

    def sub(name: str, *blocks: Paragraph | Bullets) -> Section:
        return Section(
            id=f"methodology-{name}", title=context.say(f"method_{name}_title"), blocks=blocks
        )

    parts = [
        sub(
            "who",
            Paragraph(
                context.say(
                    "method_who",
                    programs=names,
                    start=numbers.day(periods.current[0]),
                    end=numbers.day(periods.current[1]),
                    reached=reached,
                    responses=responses,
                )
            ),
        ),
        sub(
            "rate",
            Paragraph(context.say("method_rate")),
            Bullets(
                tuple(
                    context.say(
                        "method_rate_channel",
                        channel=context.channel(channel),
                        denominator=context.denominator(channel),
                    )
                    for channel in channels
                )
            ),
        ),
        sub(
            "figures",
            Paragraph(
                context.say(
                    "method_satisfaction",
                    low=satisfaction.low,
                    high=satisfaction.high,
                    top=satisfaction.top_from,
                )
            ),
            Paragraph(
                context.say(
                    "method_nps",
                    low=nps.low,
                    high=nps.high,
                    promoters=nps.top_from,
                    detractors=nps.bottom_to,
                )
            ),
            Paragraph(
                context.say("method_effort", low=effort.low, high=effort.high, top=effort.top_from)
            ),
            Paragraph(context.say("method_bases")),
        ),
        sub(
            "changes",
            Paragraph(
                context.say(
                    "method_changes",
                    previous=context.range_words(*periods.previous),
                    last_year=context.range_words(*periods.last_year),
                )
            ),
        ),
        sub("drivers", Paragraph(context.say("method_drivers", small=DRIVER_MIN_BASE))),
    ]
    if context.weighted:
        parts.append(sub("weighting", *_weighting(context)))
    parts += [
        sub(
            "disclosure",
            Paragraph(disclosure.METHOD[context.language].format(minimum=gathered.minimum)),
            Paragraph(context.say("method_disclosure_report")),
        ),
        sub(
            "comments",
            Paragraph(
                context.say(
                    "method_comments",
                    minimum=gathered.minimum,
                    sample=context.numbers.integer(SAMPLE),
                    low=satisfaction.low,
                    bottom=satisfaction.top_from - 1,
                )
            ),
        ),
    ]
    return Section(
        id="methodology", title=context.say("methodology"), blocks=tuple(parts), new_page=True
    )
