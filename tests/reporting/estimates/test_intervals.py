"""Shares, NPS and means against textbook formulas and per-person recomputations."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from feedback.reporting.estimates.intervals import mean, nps, share

Z = stats.norm.ppf(0.975)


def textbook_wilson(x: int, n: int) -> tuple[float, float]:
    """Wilson (1927): (p + z²/2n ± z √(p(1-p)/n + z²/4n²)) / (1 + z²/n)."""
    p = x / n
    centre = p + Z * Z / (2 * n)
    half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n))
    return (centre - half) / (1 + Z * Z / n), (centre + half) / (1 + Z * Z / n)


@given(st.integers(1, 5000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_share_is_the_wilson_interval(case: tuple[int, int]) -> None:
    x, n = case
    estimate = share(x, n)
    low, high = textbook_wilson(x, n)
    assert estimate.value == pytest.approx(x / n)
    assert (estimate.low, estimate.high) == (pytest.approx(low, abs=1e-12), pytest.approx(high))
    assert (estimate.n, estimate.numerator) == (n, x)
    assert 0 <= estimate.low <= estimate.value <= estimate.high <= 1


def test_share_of_nothing_has_no_value() -> None:
    assert share(0, 0).value is None and share(0, 0).n == 0


@pytest.mark.parametrize(("x", "n"), [(-1, 3), (4, 3), (1, -1)])
def test_share_rejects_impossible_counts(x: int, n: int) -> None:
    with pytest.raises(ValueError):
        share(x, n)


@given(st.integers(0, 300), st.integers(0, 300), st.integers(0, 300))
def test_nps_from_per_person_scores(promoters: int, detractors: int, passives: int) -> None:
    scores = np.array([100] * promoters + [-100] * detractors + [0] * passives, dtype=float)
    estimate = nps(promoters, detractors, len(scores))
    if len(scores) == 0:
        assert estimate.value is None
        return
    se = scores.std(ddof=0) / math.sqrt(len(scores))  # var(p - d) = (p + d - (p - d)²) / n
    assert estimate.value == pytest.approx(scores.mean(), abs=1e-9)
    assert estimate.low == pytest.approx(max(-100, scores.mean() - Z * se), abs=1e-9)
    assert estimate.high == pytest.approx(min(100, scores.mean() + Z * se), abs=1e-9)
    assert estimate.n == len(scores)


def test_nps_by_hand() -> None:
    # 50 % promoters, 20 % detractors: 30 points; var = (0.5 + 0.2 - 0.09) / 100 = 0.0061.
    estimate = nps(50, 20, 100)
    assert estimate.value == pytest.approx(30)
    assert estimate.high - estimate.value == pytest.approx(100 * Z * math.sqrt(0.0061))


def test_nps_interval_is_clipped_to_the_scale() -> None:
    estimate = nps(9, 1, 10)
    assert estimate.high == 100 and estimate.low < 80


@given(st.dictionaries(st.integers(1, 7), st.integers(0, 40), min_size=1))
def test_mean_from_per_person_answers(counts: dict[int, int]) -> None:
    answers = np.repeat(list(counts), list(counts.values())).astype(float)
    estimate = mean(counts)
    if len(answers) == 0:
        assert estimate.value is None
        return
    assert estimate.value == pytest.approx(answers.mean())
    assert estimate.n == len(answers)
    if len(answers) == 1:
        assert estimate.sd is None and estimate.low is None
        return
    assert estimate.sd == pytest.approx(answers.std(ddof=1), abs=1e-9)
    if estimate.sd > 0:
        low, high = stats.t.interval(
            0.95, len(answers) - 1, loc=answers.mean(), scale=stats.sem(answers)
        )
        assert (estimate.low, estimate.high) == (pytest.approx(low), pytest.approx(high))
    else:
        assert estimate.low == estimate.high == estimate.value
