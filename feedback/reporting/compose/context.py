"""What every section builder needs: the language, its number formats, the gathered figures,
and the names of things (programs, channels, contact types, languages, groups, periods)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from feedback.channels.registry import channel_title
from feedback.programs.models import Program
from feedback.questionnaires.topics import TOPICS
from feedback.reporting.compose.gather import Gathered
from feedback.reporting.compose.numbers import Numbers
from feedback.reporting.compose.prose import PROSE, say

#: Table and chart ids hold at most this many characters of a program's code (XLSX sheet names
#: are at most 31 characters long).
SLUG_LENGTH = 14


@dataclass(frozen=True)
class Context:
    language: str
    gathered: Gathered
    weighted: bool

    @property
    def numbers(self) -> Numbers:
        return Numbers(self.language)

    def say(self, key: str, **values: object) -> str:
        return say(key, self.language, **values)

    # --- names ----------------------------------------------------------------------------------
    def program_name(self, program_id: str | None) -> str:
        if program_id is None:
            return self.say("all")
        program = self.program(program_id)
        return program.name(self.language) if program else program_id

    def program(self, program_id: str) -> Program | None:
        return next((p for p in self.gathered.programs if p.id == program_id), None)

    def slug(self, program: Program) -> str:
        """A short id for the program's tables and charts, unique within the report."""
        programs = self.gathered.programs
        cut = program.code[:SLUG_LENGTH]
        if sum(1 for p in programs if p.code[:SLUG_LENGTH] == cut) == 1:
            return cut
        return f"{program.code[: SLUG_LENGTH - 3]}_{programs.index(program):02d}"

    def channel(self, name: str | None) -> str:
        if name is None:
            return self.say("not_stated")
        key = f"channel_{name}"
        return self.say(key) if key in PROSE else channel_title(name, self.language)

    def denominator(self, channel: str | None) -> str:
        key = f"denominator_{channel}"
        return self.say(key if key in PROSE else "denominator_other")

    def contact_type(self, code: str | None) -> str:
        if code is None:
            return self.say("not_stated")
        for program in self.gathered.programs:
            label = program.contact_type_label(code, self.language)
            if label != code:
                return label
        return code

    def client_language(self, code: str | None) -> str:
        key = f"language_{code}"
        return self.say(key) if key in PROSE else self.say("not_stated") if code is None else code

    def group_value(self, value: str | None) -> str:
        return self.say("not_stated") if value is None else str(value)

    def period(self, iso: str | None) -> str:
        if iso is None:
            return self.say("not_stated")
        start = date.fromisoformat(iso)
        if self.gathered.periods.trend == "week":
            return self.say("week_of", day=self.numbers.day(start))
        return self.numbers.month(start)

    def topic(self, code: str) -> str:
        topic = TOPICS.get(code)
        return topic.text(self.language) if topic else code

    def value_label(self, dimension: str, value: str | None) -> str:
        """The name of a breakdown's value, whatever the breakdown."""
        if dimension == "channel":
            return self.channel(value)
        if dimension == "contact_type":
            return self.contact_type(value)
        if dimension == "language":
            return self.client_language(value)
        if dimension.startswith("period:"):
            return self.period(value)
        return self.group_value(value)

    def dimension_label(self, dimension: str) -> str:
        """The heading of a breakdown's column."""
        if dimension.startswith("group:"):
            name = dimension.removeprefix("group:")
            key = f"attribute_{name}"
            return self.say(key) if key in PROSE else name.replace("_", " ").capitalize()
        if dimension.startswith("period:"):
            return self.say("col_period")
        return self.say(f"col_{dimension}")

    def period_words(self) -> str:
        return self.say(f"period_{self.gathered.periods.trend}")

    def range_words(self, day_from: date, day_to: date) -> str:
        return self.say("period", start=self.numbers.day(day_from), end=self.numbers.day(day_to))
