"""From facts rows to the figures of each key: the contract between estimates and compose.

Which answers feed which figure is the kind registry's (`kinds.feeding`): a kind's scale says
where its top box starts (satisfied, promoters, low effort) and where its bottom box ends
(NPS detractors). The satisfaction figures use the answers to the question whose topic is
"overall" whenever the key has any, else every satisfaction-kind answer (versions without an
overall question). Response rates are never weighted: completed / reached invitations.

With `weights`, each facts row's key ends with its weighting cell (`Weights.dimensions`); the
figures are keyed by the rest of the key, and the answer figures are weighted (the counts of
sent, reached and completed invitations stay counts).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from feedback.questionnaires import kinds
from feedback.reporting.estimates import intervals, weighting
from feedback.reporting.estimates.intervals import Estimate
from feedback.reporting.estimates.weighting import Tally, Weights

if TYPE_CHECKING:  # estimates never import the database layer at run time
    from feedback.reporting.facts.read import InvitationCount, ValueCount

OVERALL = "overall"


@dataclass(frozen=True)
class Figures:
    key: tuple[str | None, ...]
    sent: int
    reached: int
    responses: int  # completed
    response_rate: Estimate  # completed / reached, never weighted
    satisfaction: Estimate  # top-two-box share of the satisfaction kinds
    satisfaction_mean: Estimate
    nps: Estimate
    effort_mean: Estimate
    low_effort: Estimate  # share at or above the effort scale's top_from


def _share(tallies: list[Tally]) -> Estimate:
    return intervals.share(sum(c for _, x, c in tallies if x == 1), sum(c for _, _, c in tallies))


def _nps(tallies: list[Tally]) -> Estimate:
    return intervals.nps(
        sum(c for _, x, c in tallies if x > 0),
        sum(c for _, x, c in tallies if x < 0),
        sum(c for _, _, c in tallies),
    )


def _mean(tallies: list[Tally]) -> Estimate:
    counts: Counter[int] = Counter()
    for _, x, c in tallies:
        counts[int(x)] += c
    return intervals.mean(counts)


Estimator = Callable[[list[Tally]], Estimate]
_UNWEIGHTED: dict[str, Estimator] = {"share": _share, "nps": _nps, "mean": _mean}
_WEIGHTED: dict[str, Estimator] = {
    "share": weighting.weighted_share,
    "nps": weighting.weighted_nps,
    "mean": weighting.weighted_mean,
}


def _top(value: int, kind: kinds.QuestionKind) -> int:
    return 1 if value >= kind.scale.top_from else 0


def _net(value: int, kind: kinds.QuestionKind) -> int:
    if value >= kind.scale.top_from:
        return 100
    bottom = kind.scale.bottom_to
    return -100 if bottom is not None and value <= bottom else 0


def _plain(value: int, kind: kinds.QuestionKind) -> int:
    return value


Score = Callable[[int, kinds.QuestionKind], int]
#: Figure field -> (the figure whose kinds feed it, the estimator, each answer's score).
_FIELDS: dict[str, tuple[str, str, Score]] = {
    "satisfaction": ("satisfaction", "share", _top),
    "satisfaction_mean": ("satisfaction", "mean", _plain),
    "nps": ("nps", "nps", _net),
    "effort_mean": ("effort", "mean", _plain),
    "low_effort": ("effort", "share", _top),
}


def _fed(
    answers: Iterable[tuple[ValueCount, float]],
    figure: str,
    satisfaction_questions: Collection[str] | None,
) -> list[tuple[ValueCount, float, kinds.QuestionKind]]:
    """Weighted scale answers of the kinds feeding `figure`. For the satisfaction: the answers
    to `satisfaction_questions` when given, else the overall question's when the key has any."""
    fed = [
        (row, weight, kind)
        for row, weight in answers
        if isinstance(row.value, int) and not isinstance(row.value, bool)
        for kind in (kinds.get(row.kind),)
        if kind.figure == figure and kind.scale is not None
    ]
    if figure != "satisfaction":
        return fed
    if satisfaction_questions is not None:
        return [answer for answer in fed if answer[0].question_id in satisfaction_questions]
    if any(row.topic == OVERALL for row, _, _ in fed):
        fed = [answer for answer in fed if answer[0].topic == OVERALL]
    return fed


def figures(
    invitations: Sequence[InvitationCount],
    values: Sequence[ValueCount],
    weights: Weights | None = None,
    satisfaction_questions: Collection[str] | None = None,
) -> dict[tuple, Figures]:
    """The figures of every key found in the invitation or answer rows.

    `satisfaction_questions` (question ids) fixes which answers feed the satisfaction figures
    for every key alike, e.g. each version's overall question, or its satisfaction questions
    when it has none: chosen per version, figures stay additive (a total is the sum of its
    parts), which disclosure control relies on. Without it the choice is made per key.
    """
    size = len(weights.dimensions) if weights else 0

    def split(key: tuple) -> tuple[tuple, tuple]:
        cut = len(key) - size
        return tuple(key[:cut]), tuple(key[cut:])

    counts: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0])
    for row in invitations:
        total = counts[split(row.key)[0]]
        total[0] += row.sent
        total[1] += row.reached
        total[2] += row.completed
    answers: dict[tuple, list[tuple[ValueCount, float]]] = defaultdict(list)
    for row in values:
        key, cell = split(row.key)
        weight = weights.weight(cell) if weights else 1.0
        if weight is not None:
            answers[key].append((row, weight))

    estimators = _WEIGHTED if weights else _UNWEIGHTED
    result = {}
    for key in counts.keys() | answers.keys():
        sent, reached, completed = counts.get(key, (0, 0, 0))
        fields = {
            field: estimators[estimator](
                [
                    (weight, score(row.value, kind), row.count)
                    for row, weight, kind in _fed(
                        answers.get(key, ()), figure, satisfaction_questions
                    )
                ]
            )
            for field, (figure, estimator, score) in _FIELDS.items()
        }
        result[key] = Figures(
            key=key,
            sent=sent,
            reached=reached,
            responses=completed,
            response_rate=intervals.share(completed, reached),
            **fields,
        )
    return result
