"""Point estimates with their base and 95 % interval: shares, net promoter scores and means.

Every function takes exact counts (the facts) and returns an :class:`Estimate`. The interval
cores (`wilson`, `nps_interval`, `t_interval`) also take a fractional base so that weighted
figures (:mod:`.weighting`) use the same formulas with the effective sample size.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from scipy import stats
from statsmodels.stats.proportion import proportion_confint

#: The interval's coverage, and the two-sided normal quantile that goes with it.
ALPHA = 0.05
Z = float(stats.norm.ppf(1 - ALPHA / 2))
NPS_RANGE = 100.0


@dataclass(frozen=True)
class Estimate:
    """A figure with its unweighted base `n` and its 95 % interval [low, high].

    `value` is a share in [0, 1], a mean, or an NPS in points (-100 to 100); None when n == 0.
    `sd` is the standard deviation of the per-person score: of the answers for a mean (n - 1
    in the denominator), of the +100/0/-100 score for an NPS (n in the denominator, so that
    sd / sqrt(n) is the multinomial standard error). `n_effective` (Kish) is set on weighted
    figures, whose interval uses it in place of n.
    """

    value: float | None
    n: int
    low: float | None = None
    high: float | None = None
    sd: float | None = None
    numerator: int | None = None
    n_effective: float | None = None
    weighted: bool = False

    @property
    def base(self) -> float:
        """The sample size behind the interval: n_effective when weighted, else n."""
        return self.n_effective if self.n_effective is not None else float(self.n)


def wilson(p: float, n: float) -> tuple[float, float]:
    """Wilson score interval of a proportion p observed on a (possibly effective) base n > 0."""
    low, high = proportion_confint(p * n, n, alpha=ALPHA, method="wilson")
    # The interval always holds p; min/max only absorb rounding at p = 0 or 1.
    return max(0.0, min(float(low), p)), min(1.0, max(float(high), p))


def nps_interval(value: float, sd: float, n: float) -> tuple[float, float]:
    """Normal interval of an NPS (points) with standard error sd / sqrt(n), kept in ±100."""
    half = Z * sd / math.sqrt(n)
    return max(-NPS_RANGE, value - half), min(NPS_RANGE, value + half)


def nps_sd(promoters: float, detractors: float) -> float:
    """Per-person sd (points) of the NPS score from the promoter and detractor shares.

    Var(p - d) for one multinomial draw is p + d - (p - d)^2.
    """
    return NPS_RANGE * math.sqrt(max(0.0, promoters + detractors - (promoters - detractors) ** 2))


def t_interval(value: float, sd: float, n: float) -> tuple[float, float]:
    """Student t interval of a mean with n - 1 degrees of freedom (n > 1)."""
    half = float(stats.t.ppf(1 - ALPHA / 2, n - 1)) * sd / math.sqrt(n)
    return value - half, value + half


def share(successes: int, n: int) -> Estimate:
    """A proportion with its Wilson interval."""
    if not 0 <= successes <= n:
        raise ValueError(f"a share needs 0 <= successes <= n, got {successes} of {n}")
    if n == 0:
        return Estimate(value=None, n=0, numerator=0)
    low, high = wilson(successes / n, n)
    return Estimate(value=successes / n, n=n, low=low, high=high, numerator=successes)


def nps(promoters: int, detractors: int, n: int) -> Estimate:
    """Net promoter score in points (promoters minus detractors, per cent of n)."""
    if min(promoters, detractors, n) < 0 or promoters + detractors > n:
        raise ValueError(f"an NPS needs promoters + detractors <= n, got {promoters}, {detractors}")
    if n == 0:
        return Estimate(value=None, n=0)
    p, d = promoters / n, detractors / n
    value = NPS_RANGE * (p - d)
    sd = nps_sd(p, d)
    low, high = nps_interval(value, sd, n)
    return Estimate(value=value, n=n, low=low, high=high, sd=sd)


def mean(values: Mapping[int, int]) -> Estimate:
    """The mean of answers given as value -> count, with its sd and t interval (n > 1)."""
    if any(count < 0 for count in values.values()):
        raise ValueError("counts cannot be negative")
    n = sum(values.values())
    if n == 0:
        return Estimate(value=None, n=0)
    centre = sum(value * count for value, count in values.items()) / n
    if n == 1:
        return Estimate(value=centre, n=1)
    squares = sum(count * (value - centre) ** 2 for value, count in values.items())
    sd = math.sqrt(squares / (n - 1))
    low, high = t_interval(centre, sd, n)
    return Estimate(value=centre, n=n, low=low, high=high, sd=sd)
