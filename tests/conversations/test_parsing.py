"""Reading replies: keywords in both languages, numbers for scales, yes and no, choices."""

from __future__ import annotations

import pytest

from feedback.channels import Question
from feedback.conversations.parsing import Invalid, Keyword, fold, keyword, parse_answer


def question(kind: str, options: tuple[dict[str, str], ...] = ()) -> Question:
    return Question(
        code="q", kind=kind, text={"en": "Q?", "fr": "Q?"}, required=False, options=options
    )


HOW = (
    {"value": "phone", "en": "By phone", "fr": "Par téléphone"},
    {"value": "online", "en": "Online", "fr": "En ligne"},
    {"value": "office", "en": "In person", "fr": "En personne"},
)


def test_fold_ignores_case_accents_and_spacing():
    assert fold("  ARRÊT  ") == "arret"
    assert fold("Désabonner\u00a0 Moi") == "desabonner moi"
    assert fold("YÉS") == "yes"


@pytest.mark.parametrize(
    ("text", "expected", "language"),
    [
        ("STOP", Keyword.STOP, None),
        ("stop!", Keyword.STOP, None),
        ("Stop All", Keyword.STOP, None),
        ("ARRET", Keyword.STOP, "fr"),
        ("Arrêt.", Keyword.STOP, "fr"),
        ("arrêter", Keyword.STOP, "fr"),
        ("UNSUBSCRIBE", Keyword.STOP, "en"),
        ("Désabonner", Keyword.STOP, "fr"),
        ("DESABONNER", Keyword.STOP, "fr"),
        ("cancel", Keyword.STOP, "en"),
        ("quit", Keyword.STOP, "en"),
        ("START", Keyword.START, None),
        ("unstop", Keyword.START, None),
        ("HELP", Keyword.HELP, "en"),
        ("Aide", Keyword.HELP, "fr"),
        ("info", Keyword.HELP, None),
    ],
)
def test_keywords_in_both_languages(text, expected, language):
    match = keyword(text)
    assert match is not None
    assert (match.keyword, match.language) == (expected, language)


@pytest.mark.parametrize("text", ["stop the delays", "please help me", "4", "oui", "", "STOPP"])
def test_a_keyword_must_be_the_whole_message(text):
    assert keyword(text) is None


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("4", 4),
        (" 5 ", 5),
        ("1!", 1),
        ("4/5", 4),
        ("I'd say 3", 3),
        ("note : 2 sur 5", 2),
        ("4 out of 5", 4),
    ],
)
def test_rating_takes_one_number_in_range(text, value):
    assert parse_answer(question("rating"), text) == value


@pytest.mark.parametrize("text", ["0", "6", "great", "3 or 4", "4/10", "", "45", "-"])
def test_rating_refuses_anything_else(text):
    with pytest.raises(Invalid):
        parse_answer(question("rating"), text)


def test_nps_goes_from_0_to_10():
    assert parse_answer(question("nps"), "0") == 0
    assert parse_answer(question("nps"), "10") == 10
    assert parse_answer(question("nps"), "8/10") == 8
    with pytest.raises(Invalid):
        parse_answer(question("nps"), "11")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("yes", True),
        ("YES", True),
        ("Yes please", True),
        ("yés?", True),
        ("y", True),
        ("oui", True),
        ("OUI", True),
        ("Oui!", True),
        ("ouais", True),
        ("no", False),
        ("No thanks", False),
        ("non", False),
        ("NON", False),
        ("Non.", False),
        ("nope", False),
        ("n", False),
    ],
)
def test_yes_no_in_both_languages(text, value):
    assert parse_answer(question("yes_no"), text) is value


@pytest.mark.parametrize("text", ["maybe", "yes and no", "oui non", "1", ""])
def test_yes_no_refuses_unclear_replies(text):
    with pytest.raises(Invalid):
        parse_answer(question("yes_no"), text)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1", "phone"),
        ("2", "online"),
        ("3.", "office"),
        ("Online", "online"),
        ("en ligne", "online"),
        ("PAR TELEPHONE", "phone"),
        ("in person", "office"),
    ],
)
def test_choice_by_number_or_label(text, value):
    assert parse_answer(question("single_choice", HOW), text) == value


@pytest.mark.parametrize("text", ["0", "4", "by fax", ""])
def test_choice_refuses_unknown_answers(text):
    with pytest.raises(Invalid):
        parse_answer(question("single_choice", HOW), text)


def test_free_text_is_kept_as_written():
    written = "  Les délais étaient longs, mais l'agente était aimable. 5/5  "
    assert parse_answer(question("free_text"), written) == written.strip()
    with pytest.raises(Invalid):
        parse_answer(question("free_text"), "   ")
