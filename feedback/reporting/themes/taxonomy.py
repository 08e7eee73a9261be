"""The bilingual taxonomy of irritants (and praise), maintained in taxonomy.json.

Each theme has a code (stable: stored with coded comments and actions), English and French
labels, and patterns per language: regular expressions matched against the comment in lower
case without accents (see :func:`feedback.reporting.themes.coding.normalise`). A theme with
"negation_guard" ignores a match that follows a negation ("not rude", "pas très aimable").
Editing the file and running `recode_all()` re-codes every stored comment.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from types import MappingProxyType


@dataclass(frozen=True)
class Theme:
    code: str
    en: str
    fr: str
    praise: bool = False
    negation_guard: bool = False
    patterns: Mapping[str, tuple[re.Pattern[str], ...]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def label(self, language: str) -> str:
        return self.fr if language == "fr" else self.en


def _load() -> Mapping[str, Theme]:
    document = json.loads(resources.files(__package__).joinpath("taxonomy.json").read_text("utf-8"))
    themes = {}
    for entry in document["themes"]:
        themes[entry["code"]] = Theme(
            code=entry["code"],
            en=entry["en"],
            fr=entry["fr"],
            praise=entry.get("praise", False),
            negation_guard=entry.get("negation_guard", False),
            patterns=MappingProxyType(
                {
                    language: tuple(re.compile(pattern) for pattern in patterns)
                    for language, patterns in entry["patterns"].items()
                }
            ),
        )
    return MappingProxyType(themes)


#: Every theme by code, in the taxonomy's order (read once, at import).
THEMES: Mapping[str, Theme] = _load()
