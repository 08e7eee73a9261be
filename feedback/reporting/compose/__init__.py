"""Compose the client-perspective report: facts → estimates → disclosure control → themes →
actions, into the neutral :class:`~feedback.reporting.document.Document` the renderers lay out.

Every number is estimated, protected and formatted here (in the document's language); nothing
downstream computes. The dashboard is the overview part of the same composition, so that it shows
the same figures through the same disclosure control.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from flask import current_app

from feedback.db_types import utcnow
from feedback.i18n import SUPPORTED
from feedback.reporting.compose.appendix import appendix
from feedback.reporting.compose.context import Context
from feedback.reporting.compose.gather import GATHERED, PROGRAM, gather
from feedback.reporting.compose.methodology import methodology
from feedback.reporting.compose.overview import overview
from feedback.reporting.compose.program import (
    Comments,
    comments,
    program_actions,
    program_section,
)
from feedback.reporting.compose.prose import say
from feedback.reporting.compose.summary import executive_summary
from feedback.reporting.document import Document, Section
from feedback.reporting.facts.read import Scope

__all__ = ["ReportOptions", "build", "build_all"]

Part = Literal["full", "dashboard"]


@dataclass(frozen=True)
class ReportOptions:
    date_from: date
    date_to: date  # inclusive UTC days
    programs: frozenset[str] | None = None  # scope (program ids); None = all
    weighted: bool = False
    minimum: int | None = None  # default current_app.config["REPORT_MIN_CELL"]
    channels: frozenset[str] | None = None
    languages: frozenset[str] | None = None
    contact_types: frozenset[str] | None = None
    groups: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def scope(self) -> Scope:
        return Scope(
            date_from=self.date_from,
            date_to=self.date_to,
            programs=self.programs,
            channels=self.channels,
            languages=self.languages,
            contact_types=self.contact_types,
            groups=dict(self.groups),
        )


def _check(options: ReportOptions, languages: Sequence[str], part: str) -> int:
    """The minimum cell size; ValueError on options no report can have."""
    if options.date_from > options.date_to:
        raise ValueError("the report period ends before it starts")
    for language in languages:
        if language not in SUPPORTED:
            raise ValueError(
                f"no report in language {language!r} (languages: {', '.join(SUPPORTED)})"
            )
    if part not in ("full", "dashboard"):
        raise ValueError(f"no report part {part!r} (parts: full, dashboard)")
    minimum = (
        options.minimum
        if options.minimum is not None
        else int(current_app.config["REPORT_MIN_CELL"])
    )
    if minimum < 1:
        raise ValueError("the minimum cell size must be at least 1")
    return minimum


def _compose(
    context: Context,
    options: ReportOptions,
    part: Part,
    said: Mapping[tuple[str | None, str], Comments],
) -> Document:
    """The document of one language from the gathered figures and comments (`said`: by
    program id, None for the whole scope, and language)."""
    language = context.language
    gathered = context.gathered
    subtitle = context.range_words(options.date_from, options.date_to)
    if part == "dashboard":
        sections: tuple[Section, ...] = (overview(context),)
    else:
        nothing = Comments([], [])
        found = {
            program.id: said.get((program.id, language), nothing)
            for program in gathered.programs
            if not gathered.is_suppressed(PROGRAM, (program.id,))
        }
        actions = program_actions(found)
        sections = (
            executive_summary(context, said.get((None, language), nothing), actions),
            methodology(context),
            overview(context),
            *(
                program_section(
                    context,
                    program,
                    found.get(program.id),
                    [a for a in actions if a.program_id == program.id],
                )
                for program in gathered.programs
            ),
            appendix(context),
        )
    return Document(
        language=language,
        title=say("title", language),
        subtitle=subtitle[:1].upper() + subtitle[1:],
        generated=context.numbers.day(utcnow().date()),
        sections=sections,
    )


def build_all(
    options: ReportOptions,
    languages: Sequence[str] = SUPPORTED,
    *,
    part: Part = "full",
    progress: Callable[[int], None] | None = None,
) -> dict[str, Document]:
    """The report in each of `languages`, from one reading of the facts and one disclosure
    control (what a job producing both PDFs, the HTML pages and the tables calls)."""
    minimum = _check(options, languages, part)
    report = progress or (lambda _: None)
    report(0)
    gathered = gather(
        options.scope(),
        minimum,
        weighted=options.weighted,
        full=part == "full",
        progress=report,
    )
    said = comments(options.scope(), languages, minimum) if part == "full" else {}
    documents = {}
    for done, language in enumerate(languages, start=1):
        context = Context(language=language, gathered=gathered, weighted=options.weighted)
        documents[language] = _compose(context, options, part, said)
        report(GATHERED + (100 - GATHERED) * done // len(languages))
    return documents


def build(
    options: ReportOptions,
    language: str,
    *,
    part: Part = "full",
    progress: Callable[[int], None] | None = None,
) -> Document:
    """The report (or its dashboard part: the overview) for `options`, in `language`.

    `progress` is called with 0..100 as the stages finish. Needs an application context.
    """
    return build_all(options, (language,), part=part, progress=progress)[language]
