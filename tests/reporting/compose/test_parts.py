"""The small parts of composition that need no database: periods and number formats."""

from __future__ import annotations

from datetime import date

import pytest

from feedback.reporting.compose.gather import periods_of
from feedback.reporting.compose.numbers import DOWN, UP, Numbers
from feedback.reporting.compose.prose import PROSE, say
from feedback.reporting.estimates.changes import Change
from feedback.reporting.estimates.intervals import mean, nps, share


@pytest.mark.parametrize(
    ("period", "previous", "last_year", "trend"),
    [
        # A quarter: the previous quarter, weekly trend (under 92 days).
        (
            (date(2026, 7, 1), date(2026, 9, 30)),
            (date(2026, 4, 1), date(2026, 6, 30)),
            (date(2025, 7, 1), date(2025, 9, 30)),
            "week",
        ),
        # A month: the previous calendar month, whatever its length.
        (
            (date(2026, 3, 1), date(2026, 3, 31)),
            (date(2026, 2, 1), date(2026, 2, 28)),
            (date(2025, 3, 1), date(2025, 3, 31)),
            "week",
        ),
        # A year: monthly trend; the previous year.
        (
            (date(2026, 1, 1), date(2026, 12, 31)),
            (date(2025, 1, 1), date(2025, 12, 31)),
            (date(2025, 1, 1), date(2025, 12, 31)),
            "month",
        ),
        # Any days: the same number of days just before; 29 February a year back is the 28th.
        (
            (date(2028, 2, 20), date(2028, 2, 29)),
            (date(2028, 2, 10), date(2028, 2, 19)),
            (date(2027, 2, 20), date(2027, 2, 28)),
            "week",
        ),
    ],
)
def test_periods(period, previous, last_year, trend):
    found = periods_of(*period)
    assert (found.previous, found.last_year, found.trend) == (previous, last_year, trend)


def test_trend_periods_start_on_mondays_or_first_days():
    weeks = periods_of(date(2026, 7, 1), date(2026, 7, 31)).trend_starts
    assert weeks[0] == date(2026, 6, 29) and all(day.weekday() == 0 for day in weeks)
    assert weeks[-1] == date(2026, 7, 27)
    months = periods_of(date(2026, 1, 15), date(2026, 6, 30)).trend_starts
    assert months == tuple(date(2026, m, 1) for m in range(1, 7))


def test_numbers_follow_each_language():
    estimate = share(723, 1000)
    assert Numbers("en").share(estimate).text == "72%"
    assert Numbers("fr").share(estimate).text == "72\xa0%"
    assert Numbers("en").share(estimate).number == pytest.approx(72.3)
    assert Numbers("en").count(12345).text == "12,345"
    assert Numbers("fr").count(12345).text == "12\xa0345"
    assert Numbers("fr").mean(mean({4: 2, 5: 1})).text == "4,3"
    assert Numbers("en").nps(nps(50, 10, 100)).text == "+40"
    assert Numbers("en").share_interval(estimate).text == "69–75%"


def test_a_change_is_marked_only_when_significant():
    numbers = Numbers("en")
    up = Change(share(80, 100), share(50, 100), 0.3, 0.001, significant=True)
    down = Change(share(50, 100), share(80, 100), -0.3, 0.001, significant=True)
    unsure = Change(share(55, 100), share(50, 100), 0.05, 0.4)
    assert numbers.change(up, "share").text == f"+30.0 {UP}"
    assert numbers.change(up, "share").number == pytest.approx(30)
    assert numbers.change(down, "share").marker == DOWN
    assert numbers.change(unsure, "share").marker is None
    assert numbers.change(None, "share").text == "—"


def test_every_text_exists_in_both_languages_with_the_same_placeholders():
    import string

    for key, texts in PROSE.items():
        assert set(texts) == {"en", "fr"}, key
        fields = [
            {name for _, name, _, _ in string.Formatter().parse(texts[language]) if name}
            for language in ("en", "fr")
        ]
        assert fields[0] == fields[1], key
    assert say("title", "fr") == "Rapport sur la perspective des clients"
