"""STOP in the ways people write it, in both languages, property-tested: any case, with or
without accents and punctuation, with politeness around it, is an opt-out; a keyword inside a
sentence is an answer."""

from __future__ import annotations

import string

from hypothesis import given
from hypothesis import strategies as st

from feedback.conversations.parsing import Keyword, keyword

STOP_WORDS = [
    "STOP",
    "STOPALL",
    "STOP ALL",
    "ARRÊT",
    "ARRÊTE",
    "ARRÊTER",
    "ARRÊTEZ",
    "DÉSABONNER",
    "DÉSABONNEZ",
    "DÉSINSCRIPTION",
    "ANNULER",
    "UNSUBSCRIBE",
    "CANCEL",
    "END",
    "QUIT",
    "OPT OUT",
]
POLITENESS = ["", "svp", "SVP", "s'il vous plaît", "please", "pls", "merci", "thanks", "Thank you"]
PUNCTUATION = ["", ".", "!", "!!", ",", " ", "...", "?"]


def _strip_accents_sometimes(word: str, strip: bool) -> str:
    return word.translate(str.maketrans("ÊÉÈ", "EEE")) if strip else word


@st.composite
def stop_messages(draw: st.DrawFn) -> str:
    word = _strip_accents_sometimes(draw(st.sampled_from(STOP_WORDS)), draw(st.booleans()))
    cased = "".join(
        c.lower() if draw(st.booleans()) else c.upper() for c in word
    )  # any case, per letter
    before = draw(st.sampled_from(POLITENESS))
    after = draw(st.sampled_from(POLITENESS))
    message = " ".join(part for part in (before, cased + draw(st.sampled_from(PUNCTUATION)), after))
    spaces = draw(st.sampled_from(["", " ", "\n", "  "]))
    return f"{spaces}{message}{draw(st.sampled_from(PUNCTUATION))}{spaces}"


@given(stop_messages())
def test_every_usual_way_of_saying_stop_is_an_opt_out(message):
    match = keyword(message)
    assert match is not None and match.keyword is Keyword.STOP, message


@given(
    st.sampled_from(STOP_WORDS),
    st.text(alphabet=string.ascii_lowercase, min_size=3, max_size=8).filter(
        lambda w: w not in {"all", "stop", "end", "quit", "please", "thanks", "merci", "svp"}
    ),
)
def test_a_stop_word_in_a_sentence_is_an_answer(word, other):
    """'stop the delays', 'end of story': the message is not the keyword alone."""
    assert keyword(f"{word} {other}") is None or other in {"pls", "plz", "thx", "stp"}
