"""Post-stratification against per-person weighted computations (numpy) and Kish's n_eff."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from feedback.reporting.estimates.figures import figures
from feedback.reporting.estimates.weighting import post_stratify
from feedback.reporting.facts.read import InvitationCount
from tests.reporting.estimates.raw import Person, invitation_rows, population, value_rows
from tests.reporting.estimates.recompute import (
    answers,
    expected_mean,
    expected_nps,
    expected_share,
    satisfaction_answers,
    weighted,
)

# (channel, program): the default weighting cells.
CELLS = [("email", "A"), ("sms", "A"), ("email", "B"), ("phone", "B"), ("phone", "C")]


def person_weights(people: list[Person]) -> dict[tuple, float]:
    """reached / completed per cell, counted on the people."""
    reached = Counter(p.key for p in people if p.reached)
    completed = Counter(p.key for p in people if p.responded)
    return {cell: reached[cell] / completed[cell] for cell in completed}


def test_weights_are_reached_over_completed() -> None:
    weights = post_stratify(
        [
            InvitationCount(("email", "A"), sent=110, reached=100, completed=20),
            InvitationCount(("sms", "A"), sent=50, reached=40, completed=10),
        ]
    )
    assert weights.dimensions == ("channel", "program")
    assert weights.weight(("email", "A")) == 5 and weights.weight(("sms", "A")) == 4
    assert weights.collapsed == frozenset() and weights.weight(("sms", "B")) is None


def test_cells_without_respondents_or_population_are_collapsed_by_channel() -> None:
    weights = post_stratify(
        [
            InvitationCount(("sms", "A"), 12, reached=10, completed=0),  # nobody answered
            InvitationCount(("sms", "B"), 22, reached=20, completed=5),
            InvitationCount(("web", "A"), 0, reached=0, completed=2),  # answers, no population
            InvitationCount(("web", "B"), 9, reached=9, completed=1),
            InvitationCount(("email", "A"), 8, reached=8, completed=4),
        ]
    )
    assert weights.collapsed == {"sms", "web"}
    assert weights.weight(("sms", "A")) == weights.weight(("sms", "B")) == 30 / 5
    assert weights.weight(("web", "A")) == weights.weight(("web", "B")) == 9 / 3
    assert weights.weight(("email", "A")) == 2
    assert (weights.dropped_population, weights.dropped_responses) == (0, 0)


def test_groups_that_cannot_be_weighted_are_dropped() -> None:
    weights = post_stratify(
        [
            InvitationCount(("phone", "A"), 7, reached=7, completed=0),
            InvitationCount(("phone", "B"), 3, reached=3, completed=0),
            InvitationCount(("web", "A"), 0, reached=0, completed=4),
            InvitationCount(("email", "A"), 8, reached=8, completed=4),
        ]
    )
    assert (weights.dropped_population, weights.dropped_responses) == (10, 4)
    assert weights.weight(("phone", "A")) is None and weights.weight(("web", "A")) is None
    assert weights.cells == {("email", "A"): 2}


def test_other_cell_dimensions() -> None:
    weights = post_stratify([InvitationCount(("en",), 10, 10, 4)], dimensions=["language"])
    assert weights.dimensions == ("language",) and weights.weight(("en",)) == 2.5
    with pytest.raises(ValueError, match="does not match"):
        post_stratify([InvitationCount(("en",), 10, 10, 4)])


def reported(people: list[Person]) -> list[Person]:
    """The same people with the program in front of the cell: rows read by program + cell."""
    return [Person((p.key[1], *p.key), p.answers, p.responded, p.sent, p.reached) for p in people]


def check_weighted(figure, people: list[Person], weight: dict[tuple, float]) -> None:
    def w(pairs):
        return [weight[p.key] for p, _ in pairs]

    rated = satisfaction_answers(people)
    assert figure.satisfaction.weighted and figure.satisfaction.n == len(rated)
    if rated:
        hits = [(p, int(v >= 4)) for p, v in rated]
        expected = expected_share([h for _, h in hits], w(hits))
        assert (figure.satisfaction.value, figure.satisfaction.low, figure.satisfaction.high) == (
            pytest.approx(expected, abs=1e-9)
        )
        assert figure.satisfaction.n_effective == pytest.approx(
            weighted([h for _, h in hits], w(hits))["n_eff"]
        )
        if len({v for _, v in rated}) > 1:
            got = figure.satisfaction_mean
            expected = expected_mean([v for _, v in rated], w(rated))
            assert (got.value, got.low, got.high) == pytest.approx(expected, abs=1e-9)
            assert got.sd == pytest.approx(weighted([v for _, v in rated], w(rated))["sd"])
    recommend = answers(people, "nps")
    if recommend:
        scores = [100 if v >= 9 else -100 if v <= 6 else 0 for _, v in recommend]
        expected = expected_nps(scores, w(recommend))
        assert (figure.nps.value, figure.nps.low, figure.nps.high) == pytest.approx(expected)
    effort = answers(people, "effort")
    if effort:
        low = [int(v >= 5) for _, v in effort]
        got = figure.low_effort
        assert (got.value, got.low, got.high) == pytest.approx(expected_share(low, w(effort)))


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_weighted_figures_match_per_person_weights(seed: int) -> None:
    people = population(seed, CELLS)
    # Cells without respondents are collapsed: see the tests above.
    assume(all(any(p.responded for p in people if p.key == cell) for cell in CELLS))
    weight = person_weights(people)
    weights = post_stratify(invitation_rows(people))
    assert dict(weights.cells) == pytest.approx(weight)

    rows = reported(people)
    result = figures(
        invitation_rows(rows), value_rows(rows, topics={"satisfaction": None}), weights
    )
    for program in {cell[1] for cell in CELLS}:
        group = [p for p in people if p.key[1] == program]
        figure = result[(program,)]
        assert figure.responses == sum(p.responded for p in group)
        assert not figure.response_rate.weighted
        check_weighted(figure, group, weight)


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 4))
def test_equal_weights_give_the_unweighted_figures(seed: int, factor: int) -> None:
    people = [p for p in population(seed, CELLS, size=30) if p.responded]
    invitations = [
        InvitationCount(row.key, row.sent * factor, row.reached * factor, row.completed)
        for row in invitation_rows(people)
    ]
    weights = post_stratify(invitations)
    assert set(weights.cells.values()) <= {float(factor)}
    rows = reported(people)
    by_program = figures(
        [
            InvitationCount((r.key[0],), r.sent, r.reached, r.completed)
            for r in invitation_rows(rows)
        ],
        value_rows([Person(p.key[:1], p.answers, True) for p in rows]),
    )
    result = figures(invitation_rows(rows), value_rows(rows), weights)
    for key, figure in result.items():
        unweighted = by_program[key]
        for field in ("satisfaction", "satisfaction_mean", "nps", "effort_mean", "low_effort"):
            got, expected = getattr(figure, field), getattr(unweighted, field)
            assert got.n == expected.n and got.weighted
            if expected.value is None:
                assert got.value is None
                continue
            assert got.n_effective == pytest.approx(expected.n)
            for part in ("value", "low", "high", "sd"):
                assert getattr(got, part) == pytest.approx(getattr(expected, part), abs=1e-9)


def test_answers_of_dropped_cells_are_left_out_of_weighted_figures() -> None:
    people = [
        Person(("email", "A"), responded=True, answers={"overall": 5}),
        Person(("email", "A")),
        Person(("web", "A"), responded=True, answers={"overall": 1}),
    ]
    invitations = [row for row in invitation_rows(people) if row.key[0] == "email"]
    weights = post_stratify(invitations)
    rows = reported(people)
    figure = figures(invitation_rows(rows), value_rows(rows), weights)[("A",)]
    assert (figure.satisfaction.value, figure.satisfaction.n) == (1.0, 1)
    assert figure.satisfaction.n_effective == 1 and figure.satisfaction_mean.sd is None
    assert figure.responses == 2  # counts stay counts
