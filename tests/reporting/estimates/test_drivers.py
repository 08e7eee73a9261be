"""Drivers against statsmodels OLS on the expanded per-person data.

When every respondent answers every question, pairwise-complete correlations are the listwise
ones, so the Shapley decomposition computed from the pair counts must match the one computed
from ordinary least squares fits on the people themselves (every order of entry, averaged).
"""

from __future__ import annotations

import functools
import itertools
import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from feedback.questionnaires.topics import DRIVERS
from feedback.reporting.estimates.drivers import DRIVER_MIN_BASE, drivers
from tests.reporting.estimates.raw import Person, pair_rows, value_rows


def survey(seed: int, n: int, topics: tuple[str, ...]) -> list[Person]:
    """People answering overall and every driver on 1-5, drivers correlated with each other."""
    rng = np.random.default_rng(seed)
    common = rng.normal(size=n)
    answers = {
        topic: np.clip(np.rint(3 + rng.uniform(0.3, 1.5) * common + rng.normal(size=n)), 1, 5)
        for topic in topics
    }
    signal = sum(rng.uniform(-0.5, 1.0) * (answers[t] - 3) for t in topics)
    answers["overall"] = np.clip(np.rint(3 + signal + rng.normal(size=n)), 1, 5)
    return [
        Person(key=(), responded=True, answers={t: int(a[i]) for t, a in answers.items()})
        for i in range(n)
    ]


def ols_r2(people: list[Person], subset: tuple[str, ...]) -> float:
    if not subset:
        return 0.0
    y = np.array([p.answers["overall"] for p in people], dtype=float)
    x = np.array([[p.answers[t] for t in subset] for p in people], dtype=float)
    return float(sm.OLS(y, sm.add_constant(x)).fit().rsquared)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(20, 300), st.integers(1, 6))
@example(seed=1, n=250, k=len(DRIVERS))  # every driver once (256 fits, 40,320 orders)
def test_shapley_r2_matches_ols_on_complete_cases(seed: int, n: int, k: int) -> None:
    topics = DRIVERS[:k]
    people = survey(seed, n, topics)
    columns = {t: [p.answers[t] for p in people] for t in (*topics, "overall")}
    assume(all(np.var(c) > 0 for c in columns.values()))

    found, r2 = drivers(pair_rows(people), value_rows(people))

    fits = {
        s: ols_r2(people, s) for size in range(k + 1) for s in itertools.combinations(topics, size)
    }
    gains = dict.fromkeys(topics, 0.0)
    for order in itertools.permutations(topics):
        for i, topic in enumerate(order):
            before = tuple(t for t in topics if t in order[:i])
            after = tuple(t for t in topics if t in order[: i + 1])
            gains[topic] += (fits[after] - fits[before]) / math.factorial(k)
    assert r2 == pytest.approx(fits[topics], abs=1e-6)
    by_topic = {d.topic: d for d in found}
    assert set(by_topic) == set(topics)
    for topic in topics:
        driver = by_topic[topic]
        assert driver.contribution == pytest.approx(gains[topic], abs=1e-6)
        if fits[topics] > 1e-9:
            assert driver.importance == pytest.approx(gains[topic] / fits[topics], abs=1e-6)
        expected = np.corrcoef(columns[topic], columns["overall"])[0, 1]
        assert driver.correlation == pytest.approx(expected, abs=1e-9)
        top = sum(v >= 4 for v in columns[topic])
        assert driver.performance.numerator == top and driver.performance.n == n
        assert driver.n == n and driver.small_base == (n < DRIVER_MIN_BASE)
    if fits[topics] > 1e-9:
        assert sum(d.importance for d in found) == pytest.approx(1)
    importances = [d.importance for d in found if d.importance is not None]
    assert importances == sorted(importances, reverse=True)


def test_pairwise_complete_correlations_and_bases() -> None:
    """A driver asked of only some respondents: its correlation uses those who answered both."""
    people = survey(7, 120, ("ease", "timeliness"))
    for person in people[80:]:
        del person.answers["timeliness"]
    found, r2 = drivers(pair_rows(people), value_rows(people))
    by_topic = {d.topic: d for d in found}
    both = people[:80]
    expected = np.corrcoef(
        [p.answers["timeliness"] for p in both], [p.answers["overall"] for p in both]
    )[0, 1]
    assert by_topic["timeliness"].correlation == pytest.approx(expected)
    assert by_topic["timeliness"].n == 80
    assert by_topic["ease"].n == 80  # its smallest pairwise base is with timeliness
    assert by_topic["timeliness"].performance.n == 80
    assert by_topic["ease"].performance.n == 120
    # On the 80 complete cases alone the result is the listwise one, not the pairwise one.
    assert r2 is not None and 0 < r2 < 1


def test_a_driver_without_variance_has_no_importance() -> None:
    people = survey(3, 60, ("ease", "timeliness", "fairness"))
    for person in people:
        person.answers["fairness"] = 4
    found, r2 = drivers(pair_rows(people), value_rows(people))
    by_topic = {d.topic: d for d in found}
    assert by_topic["fairness"].importance is None and by_topic["fairness"].correlation is None
    assert by_topic["fairness"].performance.value == 1.0
    assert found[-1].topic == "fairness"  # left-out drivers come last
    assert r2 == pytest.approx(ols_r2(people, ("ease", "timeliness")), abs=1e-6)
    assert by_topic["ease"].importance + by_topic["timeliness"].importance == pytest.approx(1)


def test_drivers_never_asked_together_leave_the_smaller_base_out() -> None:
    first = survey(11, 50, ("ease",))
    second = survey(12, 35, ("timeliness",))
    found, r2 = drivers(pair_rows(first + second), value_rows(first + second))
    by_topic = {d.topic: d for d in found}
    assert by_topic["timeliness"].importance is None
    assert by_topic["timeliness"].correlation is not None  # still shown with its correlation
    assert by_topic["timeliness"].n == 35
    assert by_topic["ease"].importance == pytest.approx(1)
    assert r2 == pytest.approx(ols_r2(first, ("ease",)), abs=1e-6)


def test_small_bases_are_flagged_not_hidden() -> None:
    people = survey(5, DRIVER_MIN_BASE - 1, ("ease", "need_met"))
    found, _ = drivers(pair_rows(people), value_rows(people))
    assert {d.topic for d in found} == {"ease", "need_met"}
    assert all(d.small_base and d.n == DRIVER_MIN_BASE - 1 for d in found)


def test_no_overall_answers_no_model() -> None:
    people = survey(5, 40, ("ease",))
    for person in people:
        del person.answers["overall"]
    found, r2 = drivers(pair_rows(people), value_rows(people))
    assert r2 is None
    assert [(d.topic, d.importance, d.n) for d in found] == [("ease", None, 0)]


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(60, 300))
def test_partial_answers_use_pandas_pairwise_correlations(seed: int, n: int) -> None:
    """With skipped questions the matrix is pandas' pairwise-complete one (DataFrame.corr)."""
    topics = DRIVERS[:4]
    people = survey(seed, n, topics)
    rng = np.random.default_rng(seed)
    for person in people:
        for topic in topics:
            if rng.random() < 0.2:
                del person.answers[topic]
    frame = pd.DataFrame([p.answers for p in people], columns=[*topics, "overall"], dtype=float)
    assume(frame.notna().sum().min() > 10 and (frame.std() > 0).all())
    corr = frame.corr()  # pairwise complete observations
    assume(corr.notna().all().all())

    found, r2 = drivers(pair_rows(people), value_rows(people))

    @functools.cache
    def fit(subset: frozenset[str]) -> float:
        if not subset:
            return 0.0
        names = sorted(subset)
        r = corr.loc[names, "overall"].to_numpy()
        return float(r @ np.linalg.pinv(corr.loc[names, names].to_numpy()) @ r)

    gains = dict.fromkeys(topics, 0.0)
    orders = list(itertools.permutations(topics))
    for order in orders:
        for i, topic in enumerate(order):
            gain = fit(frozenset(order[: i + 1])) - fit(frozenset(order[:i]))
            gains[topic] += gain / len(orders)
    assert r2 == pytest.approx(fit(frozenset(topics)), abs=1e-6)
    for driver in found:
        assert driver.contribution == pytest.approx(gains[driver.topic], abs=1e-6)
        assert driver.correlation == pytest.approx(corr.loc[driver.topic, "overall"], abs=1e-9)
        both = frame[[driver.topic, "overall"]].dropna()
        assert driver.performance.n == frame[driver.topic].notna().sum()
        assert driver.n <= len(both)
