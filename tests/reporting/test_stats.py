"""Statistics from the fact tables: shares, Wilson intervals, NPS, suppression, trend."""

from __future__ import annotations

from datetime import date

import pytest

from feedback.reporting import stats
from feedback.reporting.stats import Cell
from tests.factories import make_setup
from tests.reporting.helpers import add_answer_facts, add_invitation_fact

D1, D2 = date(2026, 2, 2), date(2026, 2, 20)


@pytest.mark.parametrize(
    ("successes", "n", "low", "high"),
    [  # Newcombe (1998), Statistics in Medicine 17:857-872, Table II, method 3
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_interval_matches_published_values(successes, n, low, high):
    found = stats.wilson_interval(successes, n)
    assert found == (pytest.approx(low, abs=5e-5), pytest.approx(high, abs=5e-5))


@pytest.fixture()
def facts(db):
    """E-mail: 40 sent, 12 answered. SMS: 8 sent, 3 answered (below the threshold of 10)."""
    program, version, _rule = make_setup()
    add_invitation_fact(program, D1, sent=30, completed=9)
    add_invitation_fact(program, D2, sent=10, completed=3, language="fr")
    add_answer_facts(version, D1, "overall", {5: 4, 4: 4, 3: 1})
    add_answer_facts(version, D2, "overall", {5: 2, 1: 1})
    add_answer_facts(version, D1, "recommend", {10: 5, 9: 2, 7: 2, 3: 3})
    # Other kinds never count as ratings or NPS.
    add_answer_facts(version, D1, "resolved", {1: 12})
    add_answer_facts(version, D1, "how", {"phone": 12})
    add_invitation_fact(program, D1, sent=8, completed=3, channel="sms")
    add_answer_facts(version, D1, "overall", {5: 3}, channel="sms")
    # Outside the range.
    add_invitation_fact(program, date(2026, 3, 1), sent=500, completed=500)
    db.session.commit()
    return program


def test_summary_per_program_and_channel(db, facts):
    summary = stats.summary(date(2026, 2, 1), date(2026, 2, 28), min_cell=10)
    email, sms = summary.rows
    assert (email.program_code, email.channel, email.program_name["fr"]) == (
        "passport",
        "email",
        "Services de passeport",
    )
    assert email.sent == Cell(40, 40)
    assert email.responses == Cell(12, 12)
    assert email.response_rate.value == pytest.approx(12 / 40)
    assert email.satisfaction.value == pytest.approx(10 / 12)
    assert email.satisfaction.n == 12
    assert (email.satisfaction.low, email.satisfaction.high) == pytest.approx(
        stats.wilson_interval(10, 12)
    )
    assert email.mean_rating.value == pytest.approx((6 * 5 + 4 * 4 + 3 + 1) / 12)
    assert email.nps.value == pytest.approx(100 * (7 - 3) / 12)

    # Every base below 10: nothing but the flag, not even the base.
    assert sms.channel == "sms"
    assert sms.sent == stats.SUPPRESSED and sms.sent.value is None and sms.sent.n is None
    for cell in (sms.responses, sms.response_rate, sms.satisfaction, sms.mean_rating):
        assert cell.suppressed and cell.value is None
    # No NPS answers at all: nothing to compute, nothing to hide.
    assert sms.nps == Cell(None, 0)

    overall = summary.overall
    assert (overall.sent.value, overall.responses.value) == (48, 15)
    assert overall.satisfaction.value == pytest.approx(13 / 15)
    assert overall.satisfaction.n == 15


def test_threshold_comes_from_the_configuration(app, db, facts):
    app.config["REPORT_MIN_CELL"] = 13
    try:
        summary = stats.summary(date(2026, 2, 1), date(2026, 2, 28))
    finally:
        app.config["REPORT_MIN_CELL"] = 10
    email = summary.rows[0]
    assert email.satisfaction.suppressed  # 12 ratings < 13
    assert not email.sent.suppressed
    # 12 responses are suppressed, so is the rate that would give them back.
    assert email.responses.suppressed and email.response_rate.suppressed
    assert summary.overall.satisfaction.value == pytest.approx(13 / 15)


def test_empty_range_has_no_figures(db, facts):
    summary = stats.summary(date(2025, 1, 1), date(2025, 1, 31), min_cell=10)
    assert summary.rows == []
    assert summary.overall.sent == Cell(0, 0)
    assert summary.overall.satisfaction == Cell(None, 0)
    assert not summary.overall.satisfaction.suppressed


def test_trend_is_weekly_for_short_ranges(db, facts):
    summary = stats.summary(date(2026, 2, 1), date(2026, 2, 28), min_cell=10)
    assert summary.trend_period == "week"
    weeks = {point.period_start: point.satisfaction for point in summary.trend}
    # Monday 26 January holds 1 February (a Sunday); the last week starts on 23 February.
    assert list(weeks) == [
        date(2026, 1, 26),
        date(2026, 2, 2),
        date(2026, 2, 9),
        date(2026, 2, 16),
        date(2026, 2, 23),
    ]
    assert weeks[date(2026, 2, 2)].value == pytest.approx(11 / 12)  # 9 e-mail + 3 SMS ratings
    assert weeks[date(2026, 2, 16)].suppressed  # 3 ratings
    assert weeks[date(2026, 2, 9)] == Cell(None, 0)


def test_trend_is_monthly_for_long_ranges(db, facts):
    summary = stats.summary(date(2025, 12, 15), date(2026, 3, 31), min_cell=10)
    assert summary.trend_period == "month"
    months = {point.period_start: point.satisfaction for point in summary.trend}
    assert list(months) == [date(2025, 12, 1), date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]
    assert months[date(2026, 2, 1)].value == pytest.approx(13 / 15)
    assert months[date(2026, 2, 1)].n == 15


def test_cells_below_threshold_hold_no_number():
    assert stats.count_cell(9, 10) == stats.SUPPRESSED
    assert stats.count_cell(0, 10) == Cell(0, 0)
    assert stats.count_cell(10, 10) == Cell(10, 10)
    assert stats.share_cell(5, 9, 10) == stats.SUPPRESSED
    assert stats.nps_cell(5, 1, 9, 10) == stats.SUPPRESSED
    assert stats.nps_cell(5, 1, 10, 10).value == pytest.approx(40.0)


def test_effort_questions_feed_the_mean_effort_and_nothing_else(db):
    """An effort question (1-7) gives the mean effort; its 5s and 7s are not satisfied ratings."""
    from feedback.questionnaires.authoring import QuestionSpec, add_question, new_draft, publish

    program, version, _rule = make_setup()
    draft = new_draft(version.questionnaire)
    text = {"en": "How easy was it?", "fr": "Était-ce facile?"}
    add_question(draft, QuestionSpec(code="ease", kind="effort", text=text))
    publish(draft)
    add_answer_facts(draft, D1, "ease", {7: 6, 5: 4, 2: 2})
    add_answer_facts(draft, D1, "overall", {5: 10})
    summary = stats.summary(D1, D2, min_cell=10)
    assert summary.overall.mean_effort.value == pytest.approx((7 * 6 + 5 * 4 + 2 * 2) / 12)
    assert summary.overall.mean_effort.n == 12
    assert (summary.overall.satisfaction.n, summary.overall.mean_rating.value) == (10, 5)
