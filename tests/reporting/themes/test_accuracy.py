"""Accuracy on the labelled set (docs/comment-coding.md has the measured table): the floors sit
just under what was measured, so a change that makes coding or scrubbing worse fails here."""

from __future__ import annotations

from feedback.reporting.themes.evaluate import evaluate, held_out, load, table
from feedback.reporting.themes.scrub import scrub


def test_the_labelled_set_is_large_bilingual_and_carries_planted_details():
    rows = load()
    assert len(rows) >= 220
    assert sum(row["lang"] == "fr" for row in rows) >= len(rows) // 2 - 5
    assert sum(bool(row["pii"]) for row in rows) >= 100
    for row in rows:
        for detail in row["pii"]:
            assert detail in row["text"]


def test_coding_and_scrubbing_stay_above_their_floors():
    result = evaluate(load())
    assert result.macro_f1 >= 0.90
    assert result.micro_f1 >= 0.90
    assert result.share_left <= 0.015
    for score in result.themes:
        assert score.f1 >= 0.75, score.code


def test_the_held_out_quarter_stays_above_its_floor():
    """Every fourth comment (lines 4, 8, ...) was never looked at while writing the patterns."""
    result = evaluate(held_out(load()))
    assert result.macro_f1 >= 0.85
    assert not result.details_left


def test_the_table_names_every_theme():
    text = table(evaluate(load()[:20]))
    assert "| praise |" in text and "macro F1" in text


def test_comments_without_planted_details_come_out_unchanged():
    """156 comments full of capitalised words (Service Canada, Montréal, GCKey, May...)."""
    clean = [row for row in load() if not row["pii"]]
    assert len(clean) > 100
    assert [row["text"] for row in clean if scrub(row["text"], row["lang"]) != row["text"]] == []
