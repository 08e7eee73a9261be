"""Drivers of satisfaction: relative importance (Shapley decomposition of R², "LMG") and
performance of each driver question.

The correlation matrix of overall satisfaction and the drivers is built exactly from the pair
counts (for every pair of topics, the joint distribution of the two answers given in the same
response), i.e. pairwise-complete: each correlation uses every response that answered both
questions. The R² of the regression of overall satisfaction on a subset S of drivers is
r_S' R_SS⁻¹ r_S (a pseudo-inverse when R_SS is singular); a driver's Shapley value is its
average gain in R² over every order in which the drivers can enter the model, so correlated
drivers share the variance they explain instead of one of them taking it all. The Shapley
values add up to the full model's R²; `importance` is each one's share of it.

A driver enters the model when its answers and the overall ones both vary among the responses
that gave both. When two such drivers were never answered together (different questionnaire
versions), their correlation is unknown: the driver with the smallest base is left out until
every correlation is known. Drivers left out are reported with importance None.
With many partial answers a pairwise matrix can be inconsistent (not positive semi-definite);
the decomposition is then that of the matrix as observed, so bases should be read with it.
Rows of several keys are pooled: pass the rows of the cell (e.g. a program) to analyse.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from feedback.questionnaires import kinds
from feedback.questionnaires.topics import DRIVERS
from feedback.reporting.estimates.intervals import Estimate, share

if TYPE_CHECKING:  # estimates never import the database layer at run time
    from feedback.reporting.facts.read import PairCount, ValueCount

#: Below this many responses with both answers a driver is shown, flagged as a small base.
DRIVER_MIN_BASE = 30


@dataclass(frozen=True)
class Driver:
    topic: str
    importance: float | None  # share of the explained variance (sums to 1 over drivers)
    correlation: float | None  # with overall satisfaction (pairwise complete)
    performance: Estimate  # top-box share of the driver question
    n: int  # smallest pairwise base among the driver's correlations used
    small_base: bool  # n < DRIVER_MIN_BASE: shown, flagged
    contribution: float | None = None  # its Shapley part of R² (importance × R²)


@dataclass(frozen=True)
class _Moments:
    """Sums of a pair's joint distribution, enough for a Pearson correlation."""

    n: int
    correlation: float | None


def _moments(joint: dict[tuple[int, int], int]) -> _Moments:
    n = sum(joint.values())
    if n == 0:
        return _Moments(0, None)
    a = np.array([pair[0] for pair in joint], dtype=float)
    b = np.array([pair[1] for pair in joint], dtype=float)
    w = np.array(list(joint.values()), dtype=float)
    da, db = a - (w @ a) / n, b - (w @ b) / n
    saa, sbb = w @ (da * da), w @ (db * db)
    if saa <= 0 or sbb <= 0:
        return _Moments(n, None)
    return _Moments(n, float((w @ (da * db)) / math.sqrt(saa * sbb)))


def _pairs(pairs: Sequence[PairCount], topics: set[str]) -> dict[tuple[str, str], _Moments]:
    joints: dict[tuple[str, str], dict[tuple[int, int], int]] = defaultdict(
        lambda: defaultdict(int)
    )
    for row in pairs:
        if row.topic_a in topics and row.topic_b in topics and row.topic_a != row.topic_b:
            key, values = (row.topic_a, row.topic_b), (row.value_a, row.value_b)
            if key[0] > key[1]:
                key, values = key[::-1], values[::-1]
            joints[key][values] += row.count
    return {key: _moments(joint) for key, joint in joints.items()}


def _performance(values: Sequence[ValueCount], topic: str) -> Estimate:
    """Top-box share of the answers to the topic's question(s), on their kind's scale."""
    top = n = 0
    for row in values:
        scale = kinds.get(row.kind).scale if row.topic == topic else None
        if scale is not None and isinstance(row.value, int):
            n += row.count
            top += row.count if row.value >= scale.top_from else 0
    return share(top, n)


def _r2(matrix: np.ndarray, target: np.ndarray, subset: tuple[int, ...]) -> float:
    if not subset:
        return 0.0
    idx = list(subset)
    r = target[idx]
    return float(r @ np.linalg.pinv(matrix[np.ix_(idx, idx)]) @ r)


def shapley_r2(matrix: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Shapley values of R² for predictors with correlation `matrix` and correlations
    `target` with the outcome (every subset: 2^p regressions, p is at most a dozen)."""
    p = len(target)
    r2 = {
        subset: _r2(matrix, target, subset)
        for size in range(p + 1)
        for subset in itertools.combinations(range(p), size)
    }
    values = np.zeros(p)
    for j in range(p):
        others = [i for i in range(p) if i != j]
        for size in range(p):
            weight = math.factorial(size) * math.factorial(p - size - 1) / math.factorial(p)
            for subset in itertools.combinations(others, size):
                with_j = tuple(sorted((*subset, j)))
                values[j] += weight * (r2[with_j] - r2[subset])
    return values


def _pair(moments: dict[tuple[str, str], _Moments], a: str, b: str) -> _Moments:
    return moments.get((min(a, b), max(a, b)), _Moments(0, None))


def drivers(
    pairs: Sequence[PairCount], values: Sequence[ValueCount], overall: str = "overall"
) -> tuple[list[Driver], float | None]:
    """The drivers asked (by importance, largest first; left-out drivers last) and the R² of
    overall satisfaction on the drivers that entered the model (None when none did)."""
    moments = _pairs(pairs, {overall, *DRIVERS})
    asked = {row.topic for row in values} | {t for key in moments for t in key}
    topics = [topic for topic in DRIVERS if topic in asked]

    model = [t for t in topics if _pair(moments, t, overall).correlation is not None]
    while True:
        unknown = {
            t
            for a, b in itertools.combinations(model, 2)
            if _pair(moments, a, b).correlation is None
            for t in (a, b)
        }
        if not unknown:
            break
        model.remove(min(unknown, key=lambda t: (_pair(moments, t, overall).n, t)))

    contributions: dict[str, float] = {}
    r2: float | None = None
    if model:
        matrix = np.array(
            [[1.0 if a == b else _pair(moments, a, b).correlation for b in model] for a in model]
        )
        target = np.array([_pair(moments, t, overall).correlation for t in model])
        contributions = dict(zip(model, shapley_r2(matrix, target), strict=True))
        r2 = float(sum(contributions.values()))

    def base(topic: str) -> int:
        linked = [overall, *model] if topic in model else [overall]
        return min(_pair(moments, topic, other).n for other in linked if other != topic)

    result = []
    for topic in topics:
        n = base(topic)
        contribution = contributions.get(topic)
        result.append(
            Driver(
                topic=topic,
                importance=contribution / r2 if contribution is not None and r2 > 0 else None,
                correlation=_pair(moments, topic, overall).correlation,
                performance=_performance(values, topic),
                n=n,
                small_base=n < DRIVER_MIN_BASE,
                contribution=contribution,
            )
        )
    result.sort(key=lambda d: (d.importance is None, -(d.importance or 0.0)))
    return result, r2
