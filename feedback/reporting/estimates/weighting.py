"""Non-response weighting: post-stratification of the respondents to the reached population.

Cells are the combinations of `dimensions` (by default channel × program, the facts'
dimension names). Every respondent of a cell weighs reached / completed of that cell, so the
weighted respondents reproduce the reached (invited and delivered) population of each cell.
Weighted figures are computed exactly from the cell counts: the weighted share, NPS or mean is
Σ w·count·score / Σ w·count, and its interval uses Kish's effective sample size
n_eff = (Σ w·count)² / Σ w²·count in place of n (with equal weights, n_eff = n and every
weighted figure equals the unweighted one).

Cells that cannot be weighted on their own are **collapsed**: a cell reached but without any
response, or with responses but nothing reached, is merged with every other cell that has the
same value of the first dimension (the channel, by default), and all the cells of that group
share one weight, Σ reached / Σ completed. When even the collapsed group has no response, its
population is **dropped** (the weighted figures then stand for the population of the groups
with respondents; `dropped_population` says how many reached invitations that is). When the
collapsed group has responses but nothing reached, its respondents are **dropped** from the
weighted figures (`dropped_responses`), as are answers of cells the invitation facts do not
know.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from feedback.reporting.estimates.intervals import (
    Estimate,
    nps_interval,
    t_interval,
    wilson,
)

if TYPE_CHECKING:  # estimates never import the database layer at run time
    from feedback.reporting.facts.read import InvitationCount

#: The default weighting cells: channel × program.
DEFAULT_CELLS: tuple[str, ...] = ("channel", "program")

#: (weight, score, count): `count` answers of one cell, each with that weight and score.
Tally = tuple[float, float, int]


@dataclass(frozen=True)
class Weights:
    """Per-respondent weights of the cells of `dimensions`.

    Facts rows weighted with it carry the cell as the last len(dimensions) entries of their key.
    """

    dimensions: tuple[str, ...]
    cells: Mapping[tuple, float]
    collapsed: frozenset = frozenset()  # first-dimension values whose cells were merged
    dropped_population: int = 0
    dropped_responses: int = 0

    def weight(self, cell: tuple) -> float | None:
        """The weight of a respondent of `cell`; None when its answers are left out."""
        return self.cells.get(tuple(cell))


def post_stratify(
    invitations: Sequence[InvitationCount], dimensions: Sequence[str] = DEFAULT_CELLS
) -> Weights:
    """Weights from invitation counts read by `dimensions` (each row's key is its cell)."""
    dimensions = tuple(dimensions)
    totals: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for row in invitations:
        if len(row.key) != len(dimensions):
            raise ValueError(f"invitation key {row.key!r} does not match cells {dimensions!r}")
        totals[tuple(row.key)][0] += row.reached
        totals[tuple(row.key)][1] += row.completed
    groups: dict[object, list[tuple]] = defaultdict(list)
    for cell in totals:
        groups[cell[0]].append(cell)

    cells: dict[tuple, float] = {}
    collapsed = set()
    dropped_population = dropped_responses = 0
    for value, members in groups.items():
        if all(totals[c][0] > 0 and totals[c][1] > 0 for c in members):
            cells.update({c: totals[c][0] / totals[c][1] for c in members})
            continue
        reached = sum(totals[c][0] for c in members)
        completed = sum(totals[c][1] for c in members)
        collapsed.add(value)
        if completed == 0:
            dropped_population += reached
        elif reached == 0:
            dropped_responses += completed
        else:
            cells.update({c: reached / completed for c in members})
    return Weights(
        dimensions=dimensions,
        cells=cells,
        collapsed=frozenset(collapsed),
        dropped_population=dropped_population,
        dropped_responses=dropped_responses,
    )


@dataclass(frozen=True)
class _Sums:
    n: int
    total: float  # Σ w·count
    mean: float
    n_effective: float
    squares: float  # Σ w·count·(score - mean)²


def _sums(tallies: Iterable[Tally]) -> _Sums | None:
    tallies = [(w, x, c) for w, x, c in tallies if c > 0]
    n = sum(c for _, _, c in tallies)
    total = sum(w * c for w, _, c in tallies)
    if n == 0 or total <= 0:
        return None
    centre = sum(w * c * x for w, x, c in tallies) / total
    return _Sums(
        n=n,
        total=total,
        mean=centre,
        n_effective=total**2 / sum(w * w * c for w, _, c in tallies),
        squares=sum(w * c * (x - centre) ** 2 for w, x, c in tallies),
    )


def weighted_share(tallies: Iterable[Tally]) -> Estimate:
    """Weighted share of scores 1 (else 0), Wilson interval on the effective base."""
    s = _sums(tallies)
    if s is None:
        return Estimate(value=None, n=0, weighted=True)
    low, high = wilson(s.mean, s.n_effective)
    return Estimate(s.mean, s.n, low, high, n_effective=s.n_effective, weighted=True)


def weighted_nps(tallies: Iterable[Tally]) -> Estimate:
    """Weighted NPS from scores +100 / 0 / -100; sd of the score (population form)."""
    s = _sums(tallies)
    if s is None:
        return Estimate(value=None, n=0, weighted=True)
    sd = math.sqrt(s.squares / s.total)
    low, high = nps_interval(s.mean, sd, s.n_effective)
    return Estimate(s.mean, s.n, low, high, sd=sd, n_effective=s.n_effective, weighted=True)


def weighted_mean(tallies: Iterable[Tally]) -> Estimate:
    """Weighted mean; sd with the reliability-weights correction Σw - Σw²/Σw (the unweighted
    n - 1 when weights are equal); t interval on the effective base."""
    s = _sums(tallies)
    if s is None:
        return Estimate(value=None, n=0, weighted=True)
    denominator = s.total - s.total / s.n_effective  # Σw - Σw²/Σw
    if s.n < 2 or denominator <= 0:
        return Estimate(s.mean, s.n, n_effective=s.n_effective, weighted=True)
    sd = math.sqrt(s.squares / denominator)
    low, high = t_interval(s.mean, sd, s.n_effective)
    return Estimate(s.mean, s.n, low, high, sd=sd, n_effective=s.n_effective, weighted=True)
