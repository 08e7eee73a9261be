"""Ready-made questionnaires in the file format of :mod:`feedback.questionnaires.transfer`, for
a program to start from (the demo and the tests start from them too).

Each file also says, under ``"library"``, the template's title and what it is for, in both
languages, for the builder's list (:func:`templates`); the questionnaire itself
(:func:`template`) leaves that out.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.resources import files
from typing import Any


@dataclass(frozen=True)
class Template:
    """A template as the builder lists it: its name, title and description by language."""

    name: str
    title: Mapping[str, str]
    description: Mapping[str, str]
    questions: int

    def title_in(self, language: str) -> str:
        return self.title[language]

    def description_in(self, language: str) -> str:
        return self.description[language]


def names() -> list[str]:
    return sorted(
        entry.name.removesuffix(".json")
        for entry in files(__name__).iterdir()
        if entry.name.endswith(".json")
    )


def _read(name: str) -> dict[str, Any]:
    if name not in names():
        raise KeyError(f"no questionnaire template {name!r} (templates: {', '.join(names())})")
    return json.loads(files(__name__).joinpath(f"{name}.json").read_text(encoding="utf-8"))


def template(name: str) -> dict[str, Any]:
    """The template `name` as a document (its "program" is a placeholder: set it)."""
    document = _read(name)
    document.pop("library", None)
    return document


def templates() -> list[Template]:
    """Every template, by name, with its title and description."""
    found = []
    for name in names():
        document = _read(name)
        found.append(
            Template(
                name=name,
                title=document["library"]["title"],
                description=document["library"]["description"],
                questions=len(document["questions"]),
            )
        )
    return found
