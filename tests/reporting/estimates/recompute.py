"""Figures recomputed from the people themselves (per-person arrays, weighted or not)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy import stats

from tests.reporting.estimates.raw import Person

Z = stats.norm.ppf(0.975)


def satisfaction_answers(people: Sequence[Person]) -> list[tuple[Person, int]]:
    """The overall answers when the key has any, else every rating-kind answer."""
    respondents = [p for p in people if p.responded]
    if any("overall" in p.answers for p in respondents):
        return [(p, p.answers["overall"]) for p in respondents if "overall" in p.answers]
    return [
        (p, p.answers[q]) for p in respondents for q in ("satisfaction", "ease") if q in p.answers
    ]


def answers(people: Sequence[Person], question: str) -> list[tuple[Person, int]]:
    return [(p, p.answers[question]) for p in people if p.responded and question in p.answers]


def wilson(p: float, n: float) -> tuple[float, float]:
    centre = p + Z * Z / (2 * n)
    half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n))
    return (centre - half) / (1 + Z * Z / n), (centre + half) / (1 + Z * Z / n)


def weighted(scores: Sequence[float], weights: Sequence[float]) -> dict[str, float]:
    """Weighted mean, Kish n_eff, population-form and reliability-weights sds."""
    x, w = np.asarray(scores, dtype=float), np.asarray(weights, dtype=float)
    centre = np.average(x, weights=w)
    return {
        "value": float(centre),
        "n_eff": float(w.sum() ** 2 / (w**2).sum()),
        "sd_population": float(math.sqrt(np.average((x - centre) ** 2, weights=w))),
        "sd": float(math.sqrt(np.cov(x, aweights=w, ddof=1))) if len(x) > 1 else math.nan,
    }


def expected_share(hits: Sequence[int], weights: Sequence[float]) -> tuple[float, float, float]:
    """(value, low, high) of a share: Wilson on the effective base."""
    figure = weighted(hits, weights)
    return (figure["value"], *wilson(figure["value"], figure["n_eff"]))


def expected_nps(scores: Sequence[int], weights: Sequence[float]) -> tuple[float, float, float]:
    figure = weighted(scores, weights)
    half = Z * figure["sd_population"] / math.sqrt(figure["n_eff"])
    return figure["value"], max(-100, figure["value"] - half), min(100, figure["value"] + half)


def expected_mean(values: Sequence[int], weights: Sequence[float]) -> tuple[float, float, float]:
    figure = weighted(values, weights)
    low, high = stats.t.interval(
        0.95,
        figure["n_eff"] - 1,
        loc=figure["value"],
        scale=figure["sd"] / math.sqrt(figure["n_eff"]),
    )
    return figure["value"], low, high
