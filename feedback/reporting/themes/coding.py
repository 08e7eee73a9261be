"""Coding a (scrubbed) comment into the taxonomy's themes: several themes may apply."""

from __future__ import annotations

import re
import unicodedata

from feedback.reporting.themes.taxonomy import THEMES, Theme

#: A negation up to two words before a match, in the same clause: "not rude", "wasn't very
#: helpful", "n'était pas très aimable", "jamais impoli".
_NEGATED = re.compile(
    r"(?:\b(?:not|never|no|hardly|without|pas|jamais|aucunement|nullement|sans|ni|peu)|n't)"
    r"(?:\s+[\w']+){0,2}\s*$"
)
_CLAUSE_END = re.compile(r"[.!?;,:\n]")
LANGUAGES = ("en", "fr")


def normalise(text: str) -> str:
    """Lower case, accents removed, typographic apostrophes made plain, spaces collapsed."""
    text = unicodedata.normalize("NFKD", text.replace("’", "'").lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.split())


def _negated(text: str, start: int) -> bool:
    before = text[:start]
    clause_start = max((m.end() for m in _CLAUSE_END.finditer(before)), default=0)
    return bool(_NEGATED.search(before[clause_start:]))


def _matches(theme: Theme, text: str, language: str) -> bool:
    for pattern in theme.patterns.get(language, ()):
        for match in pattern.finditer(text):
            if not (theme.negation_guard and _negated(text, match.start())):
                return True
    return False


def code(text: str, language: str) -> list[str]:
    """The theme codes of a comment, in the taxonomy's order (may be empty).

    The patterns of the comment's language apply; when none matches, those of the other
    language are tried (a comment written in the other language, or a mislabelled one).
    """
    plain = normalise(text)
    for lang in (language, *(other for other in LANGUAGES if other != language)):
        themes = [theme.code for theme in THEMES.values() if _matches(theme, plain, lang)]
        if themes:
            return themes
    return []
