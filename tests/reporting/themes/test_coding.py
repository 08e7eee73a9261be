"""The taxonomy and coding: several themes a comment, both languages, accents and case ignored,
negated courtesy and praise not counted."""

from __future__ import annotations

import pytest

from feedback.reporting.themes.coding import code, normalise
from feedback.reporting.themes.taxonomy import THEMES

REQUIRED = {
    "processing_time",
    "status_updates",
    "phone_access",
    "website_online_account",
    "documents_biometrics",
    "clarity_communication",
    "staff_courtesy",
    "fees",
    "technical_errors",
    "appointments_availability",
    "language_service",
    "accessibility",
    "fairness",
    "praise",
}


def test_the_taxonomy_is_bilingual_with_patterns_in_both_languages():
    assert set(THEMES) >= REQUIRED
    for theme in THEMES.values():
        assert theme.en and theme.fr and theme.en != theme.fr
        assert theme.patterns["en"] and theme.patterns["fr"]
    assert THEMES["praise"].praise and not THEMES["fees"].praise
    assert THEMES["phone_access"].label("fr") == "Joindre quelqu'un par téléphone"
    assert THEMES["phone_access"].label("en") == "Reaching someone by phone"


@pytest.mark.parametrize(
    ("language", "text", "themes"),
    [
        (
            "en",
            "It took six months and I was on hold for 2 hours every time.",
            ["processing_time", "phone_access"],
        ),
        (
            "fr",
            "ÇA A PRIS SIX MOIS et j'étais en attente au téléphone pendant 2 heures.",
            ["processing_time", "phone_access"],
        ),
        ("fr", "ca a pris six mois, delais inacceptables", ["processing_time"]),
        (
            "en",
            "The website crashed with an error message when I logged in.",
            ["website_online_account", "technical_errors"],
        ),
        (
            "fr",
            "Le site Web a planté, message d'erreur à la connexion.",
            ["website_online_account", "technical_errors"],
        ),
        ("en", "The fees are too expensive.", ["fees"]),
        ("fr", "Les frais sont trop chers.", ["fees"]),
        ("en", "No one could serve me in French.", ["language_service"]),
        ("fr", "Aucune plage de rendez-vous avant mars.", ["appointments_availability"]),
        ("en", "Very helpful agent, thank you!", ["praise"]),
        ("fr", "Agente très aimable, merci beaucoup!", ["praise"]),
        ("en", "Nice weather today.", []),
    ],
)
def test_comments_get_every_theme_they_touch(language, text, themes):
    assert code(text, language) == themes


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "The agent was not rude."),
        ("en", "The agent was never rude to me."),
        ("fr", "L'agent n'était pas impoli."),
        ("fr", "Elle n'était jamais bête."),
    ],
)
def test_negated_rudeness_is_not_a_courtesy_irritant(language, text):
    assert "staff_courtesy" not in code(text, language)
    assert "praise" not in code(text, language)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "The agent wasn't very helpful."),
        ("en", "Staff were not friendly."),
        ("fr", "L'agente n'était pas très aimable."),
        ("fr", "Le personnel n'était pas courtois."),
    ],
)
def test_negated_praise_is_not_praise_but_a_courtesy_irritant(language, text):
    themes = code(text, language)
    assert "praise" not in themes
    assert "staff_courtesy" in themes


def test_normalise_folds_case_accents_apostrophes_and_spaces():
    assert normalise("  L’Agente  était  TRÈS aimable ") == "l'agente etait tres aimable"
