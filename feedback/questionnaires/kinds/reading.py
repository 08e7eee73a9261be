"""Reading a client's typed or keyed reply as a value: shared by the kinds of questions.

Everything is compared after folding: case and accents are ignored ("OUI", "Oui" and "oui" are
one word), and so is the punctuation around words.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any


class Invalid(Exception):
    """The reply does not answer the question."""


YES = frozenset({"yes", "y", "yeah", "yep", "yup", "oui", "ouais", "ouin"})
NO = frozenset({"no", "n", "nope", "nah", "non", "nan"})
WORD = re.compile(r"[a-z0-9]+")
# One number, optionally "out of" the top of the scale: "4", "4/5", "I'd say 8 sur 10".
_NUMBER = re.compile(r"^\D*?(\d{1,3})(?:\s*(?:/|sur|out of)\s*(\d{1,3}))?\D*$")


def fold(text: str) -> str:
    """Lower case, without accents, with runs of whitespace made single spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


def words(text: str) -> str:
    """The folded words of `text`, punctuation dropped: "Par téléphone!" -> "par telephone"."""
    return " ".join(WORD.findall(fold(text)))


def number(text: str, low: int, high: int) -> int:
    """One number from `low` to `high` ("4", "4/5", "8 sur 10"); Invalid otherwise."""
    match = _NUMBER.match(fold(text))
    if match is None:
        raise Invalid
    value = int(match.group(1))
    if match.group(2) is not None and int(match.group(2)) != high:
        raise Invalid
    if not low <= value <= high:
        raise Invalid
    return value


def yes_no(text: str) -> bool:
    found = set(WORD.findall(fold(text)))
    yes, no = bool(found & YES), bool(found & NO)
    if yes == no:  # neither, or both ("yes and no")
        raise Invalid
    return yes


def option_by_label(text: str, options: Sequence[Mapping[str, Any]]) -> str | None:
    """The value of the option whose value or label (in either language) `text` is."""
    folded = words(text)
    for option in options:
        labels = {option["value"], option.get("en", ""), option.get("fr", "")}
        if folded in {words(label) for label in labels if label}:
            return str(option["value"])
    return None


def option_by_position(position: int, options: Sequence[Mapping[str, Any]]) -> str:
    """The value of the option at `position` (from 1) in the list as shown; Invalid if none."""
    if not 1 <= position <= len(options):
        raise Invalid
    return str(options[position - 1]["value"])
