"""Changes between two periods, tested, and flagged only after a correction for multiplicity.

`compare` gives the difference (in the estimate's own unit: a share in [0, 1], NPS points, a
mean) and the two-sided p-value of the matching test; `correct` applies Holm's step-down
correction to every change shown on a page and only then marks the significant ones.
Weighted estimates are tested with their effective sample size (Kish) as the base.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

from scipy import stats

from feedback.reporting.estimates.intervals import ALPHA, Estimate

#: What a figure is, for its test: a share, a net score (NPS) or a mean.
Measure = Literal["share", "score", "mean"]


@dataclass(frozen=True)
class Change:
    current: Estimate
    previous: Estimate
    difference: float | None  # current - previous, in the estimates' unit
    p_value: float | None  # unadjusted, two-sided; None when there is nothing to test
    significant: bool = False  # set by `correct` only
    p_adjusted: float | None = None  # Holm-adjusted, set by `correct`


def _normal_p(difference: float, se: float) -> float | None:
    """Two-sided normal p-value; with no variability on either side there is no test unless
    the two figures are equal."""
    if se == 0:
        return 1.0 if difference == 0 else None
    return float(2 * stats.norm.sf(abs(difference) / se))


def _share_p(current: Estimate, previous: Estimate) -> float | None:
    """Two-proportion z test with the pooled proportion."""
    n1, n2 = current.base, previous.base
    pooled = (current.value * n1 + previous.value * n2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    return _normal_p(current.value - previous.value, se)


def _nps_p(current: Estimate, previous: Estimate) -> float | None:
    """z test of the difference of two independent NPS, each with variance sd² / n."""
    se = math.sqrt(current.sd**2 / current.base + previous.sd**2 / previous.base)
    return _normal_p(current.value - previous.value, se)


def _mean_p(current: Estimate, previous: Estimate) -> float | None:
    """Welch's t test from the two means, sds and bases."""
    if current.sd is None or previous.sd is None:
        return None  # a single answer on one side: no variance to test with
    if current.sd == 0 and previous.sd == 0:
        return 1.0 if current.value == previous.value else None
    result = stats.ttest_ind_from_stats(
        current.value,
        current.sd,
        current.base,
        previous.value,
        previous.sd,
        previous.base,
        equal_var=False,
    )
    return float(result.pvalue)


_TESTS = {"share": _share_p, "score": _nps_p, "mean": _mean_p}


def compare(current: Estimate, previous: Estimate, measure: Measure) -> Change:
    """The change from `previous` to `current`, with its unadjusted p-value (never flagged)."""
    if current.value is None or previous.value is None:
        return Change(current, previous, difference=None, p_value=None)
    return Change(
        current,
        previous,
        difference=current.value - previous.value,
        p_value=_TESTS[measure](current, previous),
    )


def holm(p_values: Sequence[float], alpha: float = ALPHA) -> tuple[list[bool], list[float]]:
    """Holm's step-down correction: (rejected, adjusted p-values), in the order given.

    The same arithmetic as statsmodels' ``multipletests(method="holm")``, which calls
    gc.collect() on every use (seconds in a report of many pages); tests compare the two.
    """
    count = len(p_values)
    order = sorted(range(count), key=lambda i: p_values[i])
    rejected = [False] * count
    adjusted = [0.0] * count
    stopped = False
    running = 0.0
    for rank, i in enumerate(order):
        p = p_values[i]
        stopped = stopped or p > alpha / (count - rank)
        rejected[i] = not stopped
        running = max(running, p * (count - rank))
        adjusted[i] = min(running, 1.0)
    return rejected, adjusted


def correct(changes: Sequence[Change], alpha: float = ALPHA) -> list[Change]:
    """Holm's correction over every tested change of a page; flags the significant ones.

    Changes without a p-value do not count as comparisons and are never significant.
    """
    tested = [i for i, change in enumerate(changes) if change.p_value is not None]
    result = [replace(change, significant=False, p_adjusted=None) for change in changes]
    if not tested:
        return result
    reject, adjusted = holm([changes[i].p_value for i in tested], alpha)
    for i, flag, p in zip(tested, reject, adjusted, strict=True):
        result[i] = replace(result[i], significant=flag, p_adjusted=p)
    return result
