"""The registry of question kinds: names, labels in both languages, look-ups, report figures."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from feedback.channels import Question
from feedback.questionnaires import kinds
from feedback.questionnaires.kinds import KINDS, UnknownKind
from feedback.sms.segments import Encoding, count_segments

OPTIONS = (
    {"value": "phone", "en": "By phone", "fr": "Par téléphone"},
    {"value": "online", "en": "Online", "fr": "En ligne"},
)


def asked(kind: str) -> Question:
    options = OPTIONS if KINDS[kind].has_options else ()
    return Question(
        code="q", kind=kind, text={"en": "Q?", "fr": "Q?"}, required=False, options=options
    )


def in_language(language: str, write):
    with force_locale(language):
        return write()


def test_the_registry_lists_every_kind_under_its_own_name():
    assert list(KINDS) == [
        "rating",
        "nps",
        "effort",
        "yes_no",
        "contact_consent",
        "single_choice",
        "multiple_choice",
        "free_text",
    ]
    for name, kind in KINDS.items():
        assert kind.name == name
        assert kinds.get(name) is kind
        assert kinds.of(asked(name)) is kind


@pytest.mark.parametrize("name", list(KINDS))
def test_every_kind_has_a_label_in_english_and_in_french(app, name):
    kind = KINDS[name]
    with app.app_context():
        english = in_language("en", kind.label)
        french = in_language("fr", kind.label)
    assert english.strip() and french.strip()
    assert english != french, f"{name}: the French label is not translated"


def test_labels_read_as_expected(app):
    with app.app_context():
        assert in_language("en", KINDS["effort"].label) == (
            "Effort, 1 (very difficult) to 7 (very easy)"
        )
        assert in_language("fr", KINDS["effort"].label) == (
            "Effort, de 1 (très difficile) à 7 (très facile)"
        )
        assert in_language("fr", KINDS["multiple_choice"].label) == "Plusieurs choix dans une liste"


@pytest.mark.parametrize("name", list(KINDS))
def test_every_kind_says_how_to_answer_in_both_languages(app, name):
    """SMS hints and phone instructions are translated, and the SMS hints stay in GSM-7 (a
    single French character outside it would halve what fits in a text)."""
    kind, question = KINDS[name], asked(name)
    with app.app_context():
        hints = {lang: in_language(lang, kind.sms_hint) for lang in ("en", "fr")}
        spoken = {
            lang: in_language(lang, lambda lang=lang: kind.voice_instructions(question, lang))
            for lang in ("en", "fr")
        }
    assert hints["en"] != hints["fr"] and spoken["en"] != spoken["fr"]
    for lang, hint in hints.items():
        counted = count_segments(hint)
        assert counted.encoding is Encoding.GSM7, (lang, hint, counted.non_gsm)


def test_an_unknown_kind_is_refused_by_name():
    with pytest.raises(UnknownKind) as raised:
        kinds.get("nope")
    assert isinstance(raised.value, KeyError)
    assert "'nope'" in str(raised.value) and "multiple_choice" in str(raised.value)
    with pytest.raises(UnknownKind):
        kinds.of(Question(code="q", kind="stars", text={"en": "Q?"}, required=False))


def test_each_report_figure_is_fed_by_its_kind():
    assert kinds.feeding("satisfaction") == [KINDS["rating"]]
    assert kinds.feeding("nps") == [KINDS["nps"]]
    assert kinds.feeding("effort") == [KINDS["effort"]]
    assert kinds.feeding("comments") == []


def test_scales_and_their_top_boxes():
    effort = KINDS["effort"].scale
    assert (effort.low, effort.high, effort.top_from, effort.bottom_to) == (1, 7, 5, None)
    nps = KINDS["nps"].scale
    assert (nps.low, nps.high, nps.top_from, nps.bottom_to) == (0, 10, 9, 6)
    rating = KINDS["rating"].scale
    assert (rating.low, rating.high, rating.top_from) == (1, 5, 4)
    for name in ("yes_no", "contact_consent", "single_choice", "multiple_choice", "free_text"):
        assert KINDS[name].figure is None and KINDS[name].scale is None


@pytest.mark.parametrize("name", list(KINDS))
def test_options_are_checked_by_the_kinds_that_take_them(name):
    kind = KINDS[name]
    if not kind.has_options:
        assert kind.check_options(()) == []
        assert kind.check_options(OPTIONS) == ["this kind of question takes no options"]
        return
    assert kind.check_options(OPTIONS) == []
    assert "give at least 2 options" in kind.check_options(OPTIONS[:1])
    twice = (OPTIONS[0], {**OPTIONS[1], "value": "phone"})
    assert "two options have the same value" in kind.check_options(twice)
    no_french = (OPTIONS[0], {"value": "online", "en": "Online", "fr": " "})
    assert kind.check_options(no_french) == ["option 2 has no fr label"]


def test_a_multiple_choice_answer_is_one_row_per_option_chosen():
    rows = KINDS["multiple_choice"].answer_rows(["phone", "office"])
    assert rows == [{"value_choice": "phone"}, {"value_choice": "office"}]
    assert KINDS["effort"].answer_rows(6) == [{"value_int": 6}]
