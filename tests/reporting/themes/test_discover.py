"""Emerging themes: clusters among uncoded comments, named by their terms, deterministic."""

from __future__ import annotations

from feedback.reporting.themes.discover import discover

PARKING = [
    "The parking lot was full and I could not park.",
    "No parking near the office, the parking lot was full.",
    "Parking is impossible there, the lot is always full.",
    "Parking lot full again, I was late for my turn.",
]
STATIONNEMENT = [
    "Le stationnement était plein, impossible de stationner.",
    "Pas de stationnement près du bureau, stationnement plein.",
    "Le stationnement est toujours plein le matin.",
]
OTHER = ["Nice weather today.", "The coffee machine [email] was broken.", "Rien à ajouter."]


def test_clusters_are_found_in_each_language_and_named_by_their_terms():
    clusters = discover(PARKING + STATIONNEMENT + OTHER)
    assert clusters[0].terms[0] == "parking"
    assert set(clusters[0].members) == {0, 1, 2, 3}
    assert clusters[1].terms[0] == "stationnement"
    assert set(clusters[1].members) == {4, 5, 6}
    every_term = {term for cluster in clusters for term in cluster.terms}
    assert not every_term & {"email", "the", "le", "est"}  # placeholders and stop words


def test_the_same_comments_give_the_same_clusters():
    texts = PARKING + STATIONNEMENT + OTHER
    assert discover(texts) == discover(list(texts))


def test_too_few_or_unrelated_comments_give_nothing():
    assert discover(["One comment.", "Two."]) == []
    assert discover(["alpha beta", "gamma delta", "epsilon zeta"]) == []
