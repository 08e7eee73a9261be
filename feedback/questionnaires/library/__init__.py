"""Ready-made questionnaires in the file format of :mod:`feedback.questionnaires.transfer`, for
a program to start from (the demo and the tests start from them too)."""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any


def names() -> list[str]:
    return sorted(
        entry.name.removesuffix(".json")
        for entry in files(__name__).iterdir()
        if entry.name.endswith(".json")
    )


def template(name: str) -> dict[str, Any]:
    """The template `name` as a document (its "program" is a placeholder: set it)."""
    if name not in names():
        raise KeyError(f"no questionnaire template {name!r} (templates: {', '.join(names())})")
    return json.loads(files(__name__).joinpath(f"{name}.json").read_text(encoding="utf-8"))
