"""How many SMS segments a text costs, from the GSM 03.38 (3GPP TS 23.038) alphabet.

A text made only of characters of the GSM 7-bit default alphabet is sent in GSM-7: 160 septets in
one segment, or 153 per segment once it is split (a user data header takes the rest). Characters
of the extension table are sent as ESC + a second septet, so they cost two. Any other character
(ê, ç, ’, «, an emoji ...) makes the whole text UCS-2: 70 UTF-16 code units in one segment, 67
once split; a character outside the Basic Multilingual Plane takes two units.

Phones never split an escape sequence or a surrogate pair across two segments, so the pieces of a
long text are filled greedily and a two-unit character that does not fit starts a new segment.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

# The default alphabet, in code order 0x00-0x7F (0x1B is the escape to the extension table).
# 0x09 is LATIN CAPITAL LETTER C WITH CEDILLA, as in the Unicode mapping table GSM0338.TXT;
# the lowercase ç is not in the alphabet.
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅå"
    "Δ_ΦΓΛΩΠΨΣΘΞ"
    "ÆæßÉ"
    " !\"#¤%&'()*+,-./"
    "0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNO"
    "PQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmno"
    "pqrstuvwxyzäöñüà"
)
# Characters reached through the escape: form feed ^ { } \ [ ~ ] | €
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

SINGLE = {"GSM-7": 160, "UCS-2": 70}
CONCATENATED = {"GSM-7": 153, "UCS-2": 67}


class Encoding(enum.StrEnum):
    GSM7 = "GSM-7"
    UCS2 = "UCS-2"


@dataclass(frozen=True)
class SegmentCount:
    encoding: Encoding
    units: int  # septets for GSM-7, UTF-16 code units for UCS-2
    segments: int
    characters: int
    #: The characters that forced UCS-2, in order of first appearance (empty for GSM-7).
    non_gsm: tuple[str, ...] = ()

    def fits(self, segments: int) -> bool:
        return self.segments <= segments


def _cost(char: str, encoding: Encoding) -> int:
    if encoding is Encoding.GSM7:
        return 2 if char in GSM7_EXTENSION else 1
    return 2 if ord(char) > 0xFFFF else 1


def count_segments(text: str) -> SegmentCount:
    """The encoding a phone network would use for `text`, and its cost in segments."""
    gsm = GSM7_BASIC | GSM7_EXTENSION
    non_gsm = tuple(dict.fromkeys(c for c in text if c not in gsm))
    encoding = Encoding.UCS2 if non_gsm else Encoding.GSM7
    costs = [_cost(char, encoding) for char in text]
    units = sum(costs)
    if units <= SINGLE[encoding]:
        segments = 1
    else:
        capacity = CONCATENATED[encoding]
        segments, used = 1, 0
        for cost in costs:
            if used + cost > capacity:
                segments += 1
                used = 0
            used += cost
    return SegmentCount(encoding, units, segments, len(text), non_gsm)
