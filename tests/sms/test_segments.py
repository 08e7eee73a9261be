"""Segment counting against the GSM 03.38 tables: GSM-7 or UCS-2, the 160/153 and 70/67
boundaries, two septets for the extension table, nothing split across segments."""

from __future__ import annotations

import pytest

from feedback.sms.segments import GSM7_BASIC, GSM7_EXTENSION, Encoding, count_segments


def test_the_tables_have_the_sizes_of_the_standard():
    assert len(GSM7_BASIC) == 127  # 128 codes, one of them the escape
    assert frozenset("\f^{}\\[~]|€") == GSM7_EXTENSION
    assert not GSM7_BASIC & GSM7_EXTENSION
    # The French letters of the alphabet, and the ones missing from it.
    assert set("éèùàÉÇ") <= GSM7_BASIC
    assert not set("êâîôûëïçœÀÈÊ«»’\u00a0") & (GSM7_BASIC | GSM7_EXTENSION)


@pytest.mark.parametrize(
    ("text", "encoding", "units", "segments"),
    [
        ("", Encoding.GSM7, 0, 1),
        ("Hello world", Encoding.GSM7, 11, 1),
        ("a" * 160, Encoding.GSM7, 160, 1),
        ("a" * 161, Encoding.GSM7, 161, 2),
        ("a" * 306, Encoding.GSM7, 306, 2),
        ("a" * 307, Encoding.GSM7, 307, 3),
        ("€" * 80, Encoding.GSM7, 160, 1),  # the extension table costs two septets
        ("€" * 81, Encoding.GSM7, 162, 2),
        ("a" * 159 + "[", Encoding.GSM7, 161, 2),
        # 152 + 2 + 152 = 306 septets, but the escape pair may not straddle two segments
        ("a" * 152 + "€" + "a" * 152, Encoding.GSM7, 306, 3),
        ("ê" * 70, Encoding.UCS2, 70, 1),
        ("ê" * 71, Encoding.UCS2, 71, 2),
        ("ê" * 134, Encoding.UCS2, 134, 2),
        ("ê" * 135, Encoding.UCS2, 135, 3),
        ("😀" * 35, Encoding.UCS2, 70, 1),  # outside the BMP: a surrogate pair, two units
        ("😀" * 36, Encoding.UCS2, 72, 2),
        ("a" * 66 + "😀" + "a" * 66, Encoding.UCS2, 134, 3),  # the pair is not split
        ("Привет", Encoding.UCS2, 6, 1),
    ],
)
def test_known_counts(text, encoding, units, segments):
    count = count_segments(text)
    assert (count.encoding, count.units, count.segments) == (encoding, units, segments)
    assert count.characters == len(text)


def test_one_french_letter_outside_gsm7_makes_the_whole_text_ucs2():
    plain = "Etes-vous satisfait du service recu? " * 4  # 148 characters
    assert count_segments(plain).segments == 1
    accented = count_segments(plain.replace("Etes", "Êtes", 1))
    assert accented.encoding is Encoding.UCS2 and accented.segments == 3
    assert accented.non_gsm == ("Ê",)


def test_the_characters_that_force_ucs2_are_named_once_in_order():
    assert count_segments("Reçu « ça » l’été, ça").non_gsm == ("ç", "«", "»", "’")
