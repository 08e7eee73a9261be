"""Changes between periods against statsmodels/scipy on per-person data, and Holm by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportions_ztest

from feedback.reporting.estimates.changes import Change, compare, correct, holm
from feedback.reporting.estimates.intervals import Estimate, mean, nps, share

counts = st.integers(1, 400).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n)))


@given(counts, counts)
def test_share_change_is_the_pooled_two_proportion_z_test(a, b) -> None:
    (x1, n1), (x2, n2) = a, b
    assume(0 < x1 + x2 < n1 + n2)  # some variability, else there is nothing to test
    change = compare(share(x1, n1), share(x2, n2), "share")
    _, expected = proportions_ztest([x1, x2], [n1, n2])
    assert change.difference == pytest.approx(x1 / n1 - x2 / n2)
    assert change.p_value == pytest.approx(expected, abs=1e-12)
    assert change.significant is False  # only `correct` flags


def test_share_change_without_any_variability() -> None:
    assert compare(share(0, 20), share(0, 30), "share").p_value == 1.0


def person_scores(promoters: int, detractors: int, passives: int) -> np.ndarray:
    return np.array([100] * promoters + [-100] * detractors + [0] * passives, dtype=float)


nps_counts = st.tuples(st.integers(0, 200), st.integers(0, 200), st.integers(0, 200))


@given(nps_counts, nps_counts)
def test_nps_change_from_per_person_scores(a, b) -> None:
    now, before = person_scores(*a), person_scores(*b)
    assume(len(now) > 0 and len(before) > 0)
    se = math.sqrt(now.var() / len(now) + before.var() / len(before))
    assume(se > 0)
    change = compare(nps(a[0], a[1], sum(a)), nps(b[0], b[1], sum(b)), "score")
    difference = now.mean() - before.mean()
    assert change.difference == pytest.approx(difference, abs=1e-9)
    assert change.p_value == pytest.approx(2 * stats.norm.sf(abs(difference) / se), abs=1e-9)


answers = st.dictionaries(st.integers(1, 5), st.integers(0, 30), min_size=2).filter(
    lambda c: sum(c.values()) >= 2 and sum(v > 0 for v in c.values()) >= 2
)


@given(answers, answers)
def test_mean_change_is_welch_on_per_person_answers(a, b) -> None:
    now = np.repeat(list(a), list(a.values())).astype(float)
    before = np.repeat(list(b), list(b.values())).astype(float)
    change = compare(mean(a), mean(b), "mean")
    expected = stats.ttest_ind(now, before, equal_var=False).pvalue
    assert change.difference == pytest.approx(now.mean() - before.mean())
    assert change.p_value == pytest.approx(expected, rel=1e-9, abs=1e-12)


def test_no_change_without_a_figure_on_both_sides() -> None:
    change = compare(share(3, 10), share(0, 0), "share")
    assert change.difference is None and change.p_value is None
    assert compare(mean({4: 1}), mean({3: 5, 4: 5}), "mean").p_value is None


def with_p(p: float | None) -> Change:
    figure = Estimate(value=0.5, n=100)
    return Change(figure, figure, difference=0.0 if p is not None else None, p_value=p)


def test_holm_by_hand() -> None:
    # Sorted: 0.005×4 = 0.02 ✓, 0.01×3 = 0.03 ✓, 0.03×2 = 0.06 ✗ → stop; 0.04 not rejected.
    result = correct([with_p(0.01), with_p(0.04), with_p(0.03), with_p(0.005), with_p(None)])
    assert [c.significant for c in result] == [True, False, False, True, False]
    assert [c.p_adjusted for c in result[:4]] == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert result[4].p_adjusted is None
    assert [c.p_value for c in result] == [0.01, 0.04, 0.03, 0.005, None]


def test_holm_unflags_what_a_single_test_would_flag() -> None:
    # 0.04 alone is significant; among three comparisons it needs 0.04 × 3 < 0.05.
    assert correct([with_p(0.04)])[0].significant
    assert not any(c.significant for c in correct([with_p(0.04), with_p(0.5), with_p(0.9)]))


def test_holm_stops_at_the_first_kept_hypothesis() -> None:
    # 0.012×3 = 0.036 ✓; 0.03×2 = 0.06 ✗; 0.02 would pass alone at ×1 but Holm stops.
    result = correct([with_p(0.012), with_p(0.03), with_p(0.049)])
    assert [c.significant for c in result] == [True, False, False]
    assert result[2].p_adjusted == pytest.approx(0.06)


@given(
    st.lists(
        st.one_of(
            st.floats(min_value=0, max_value=1),
            st.sampled_from([0.0, 0.0125, 0.025, 0.05, 1.0]),  # ties and the thresholds
        ),
        min_size=1,
        max_size=40,
    ),
    st.sampled_from([0.01, 0.05, 0.1]),
)
def test_holm_is_statsmodels_holm(p_values: list[float], alpha: float) -> None:
    reject, adjusted = holm(p_values, alpha)
    expected_reject, expected_adjusted, _, _ = multipletests(p_values, alpha=alpha, method="holm")
    assert reject == [bool(r) for r in expected_reject]
    assert adjusted == pytest.approx([float(p) for p in expected_adjusted], abs=1e-15)


def test_comparisons_without_a_p_value_do_not_count() -> None:
    result = correct([with_p(0.03), with_p(None), with_p(None)])
    assert result[0].significant and result[0].p_adjusted == pytest.approx(0.03)
    assert correct([]) == []


def test_weighted_changes_are_tested_on_the_effective_bases() -> None:
    now = Estimate(value=0.5, n=100, n_effective=25.0, weighted=True)
    before = Estimate(value=0.3, n=100, n_effective=40.0, weighted=True)
    _, expected = proportions_ztest([12.5, 12.0], [25, 40])
    assert compare(now, before, "share").p_value == pytest.approx(expected)
    now_mean = Estimate(value=4.0, n=100, sd=1.0, n_effective=25.0, weighted=True)
    before_mean = Estimate(value=3.5, n=100, sd=1.2, n_effective=40.0, weighted=True)
    welch = stats.ttest_ind_from_stats(4.0, 1.0, 25.0, 3.5, 1.2, 40.0, equal_var=False)
    assert compare(now_mean, before_mean, "mean").p_value == pytest.approx(welch.pvalue)
