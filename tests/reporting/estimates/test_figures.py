"""Figures from facts rows against the same figures recomputed from the generated people."""

from __future__ import annotations

from collections import defaultdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feedback.reporting.estimates.figures import figures
from tests.reporting.estimates.raw import Person, invitation_rows, population, value_rows
from tests.reporting.estimates.recompute import (
    answers,
    expected_mean,
    expected_nps,
    expected_share,
    satisfaction_answers,
)

CELLS = [("A", "email"), ("A", "sms"), ("B", "email"), ("B*", "phone"), ("C", "phone")]


def close(estimate, expected: tuple[float, float, float]) -> bool:
    return (estimate.value, estimate.low, estimate.high) == pytest.approx(expected, abs=1e-9)


def check(figure, people: list[Person]) -> None:
    """Every figure of a key against its people (unit weights: the unweighted figures)."""
    respondents = [p for p in people if p.responded]
    assert figure.sent == sum(p.sent for p in people)
    assert figure.reached == sum(p.reached for p in people)
    assert figure.responses == len(respondents)
    if figure.reached:
        rate = [int(p.responded) for p in people if p.reached]
        assert close(figure.response_rate, expected_share(rate, [1] * len(rate)))

    rated = satisfaction_answers(people)
    assert figure.satisfaction.n == figure.satisfaction_mean.n == len(rated)
    if rated:
        hits = [int(v >= 4) for _, v in rated]
        assert close(figure.satisfaction, expected_share(hits, [1] * len(hits)))
        assert figure.satisfaction.numerator == sum(hits)
        if len(rated) > 1 and len({v for _, v in rated}) > 1:
            values = [v for _, v in rated]
            assert close(figure.satisfaction_mean, expected_mean(values, [1] * len(values)))
    else:
        assert figure.satisfaction.value is None and figure.satisfaction_mean.value is None

    recommend = [v for _, v in answers(people, "nps")]
    assert figure.nps.n == len(recommend)
    if recommend:
        scores = [100 if v >= 9 else -100 if v <= 6 else 0 for v in recommend]
        assert close(figure.nps, expected_nps(scores, [1] * len(scores)))

    effort = [v for _, v in answers(people, "effort")]
    assert figure.effort_mean.n == figure.low_effort.n == len(effort)
    if effort:
        low = [int(v >= 5) for v in effort]
        assert close(figure.low_effort, expected_share(low, [1] * len(low)))
        if len(effort) > 1 and len(set(effort)) > 1:
            assert close(figure.effort_mean, expected_mean(effort, [1] * len(effort)))


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_figures_per_key_match_the_people(seed: int) -> None:
    people = population(seed, CELLS)
    result = figures(invitation_rows(people), value_rows(people, topics={"satisfaction": None}))
    by_key: dict[tuple, list[Person]] = defaultdict(list)
    for person in people:
        by_key[person.key].append(person)
    assert set(result) == {key for key, group in by_key.items() if group}
    for key, group in by_key.items():
        assert result[key].key == key
        check(result[key], group)


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_figures_of_coarser_keys_add_the_finer_counts(seed: int) -> None:
    """Rows read by program only: the figures are those of everybody in the program."""
    people = population(seed, CELLS)
    for person in people:
        person.key = person.key[:1]
    result = figures(invitation_rows(people), value_rows(people, topics={"satisfaction": None}))
    for key in {p.key for p in people}:
        check(result[key], [p for p in people if p.key == key])


def test_the_overall_question_takes_precedence_over_other_ratings() -> None:
    people = [
        Person(("A",), responded=True, answers={"overall": 5, "ease": 1}),
        Person(("A",), responded=True, answers={"ease": 1}),
        Person(("B",), responded=True, answers={"satisfaction": 5, "ease": 1}),
    ]
    result = figures(invitation_rows(people), value_rows(people, topics={"satisfaction": None}))
    assert (result[("A",)].satisfaction.value, result[("A",)].satisfaction.n) == (1.0, 1)
    assert (result[("B",)].satisfaction.value, result[("B",)].satisfaction.n) == (0.5, 2)
    assert result[("B",)].satisfaction_mean.value == 3


def test_a_key_with_invitations_only() -> None:
    people = [
        Person(("A",)),
        Person(("A",), reached=False),
        Person(("A",), sent=False, reached=False),
    ]
    figure = figures(invitation_rows(people), [])[("A",)]
    assert (figure.sent, figure.reached, figure.responses) == (2, 1, 0)
    assert figure.response_rate.value == 0 and figure.response_rate.n == 1
    assert figure.nps.value is None and figure.satisfaction.n == 0


def test_satisfaction_questions_chosen_per_version_keep_totals_additive() -> None:
    # Program A's email cell answered a version with an overall question, its SMS cell a version
    # without one: chosen per key, A's total would drop the SMS ratings its SMS cell shows.
    people = [
        Person(("A", "email"), responded=True, answers={"overall": 5, "ease": 1}),
        Person(("A", "email"), responded=True, answers={"overall": 2, "ease": 5}),
        Person(("A", "sms"), responded=True, answers={"satisfaction": 4}),
        Person(("A", "sms"), responded=True, answers={"satisfaction": 1}),
    ]
    chosen = {"overall", "satisfaction"}
    topics = {"satisfaction": None}
    cells = figures(invitation_rows(people), value_rows(people, topics=topics), None, chosen)
    program = [Person(("A",), p.answers, p.responded, p.sent, p.reached) for p in people]
    total = figures(invitation_rows(program), value_rows(program, topics=topics), None, chosen)
    parts = [cells[("A", "email")].satisfaction, cells[("A", "sms")].satisfaction]
    assert total[("A",)].satisfaction.n == sum(part.n for part in parts) == 4
    assert total[("A",)].satisfaction.numerator == sum(part.numerator for part in parts) == 2
    # Without the choice, the total keeps the overall question's answers only.
    assert (
        figures(invitation_rows(program), value_rows(program, topics=topics))[("A",)].satisfaction.n
        == 2
    )
