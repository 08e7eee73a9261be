"""Raw per-respondent data for the estimates tests, and its aggregation into facts rows.

A test draws people (their cell, their answers), aggregates them into the facts rows the
estimates read, and recomputes every figure from the people themselves with numpy, scipy or
statsmodels, by a different route than the implementation.
"""

from __future__ import annotations

import itertools
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from feedback.reporting.facts.read import InvitationCount, PairCount, ValueCount

#: The kind of question each topic is asked with in these tests.
KIND_OF = {"nps": "nps", "effort": "effort", "choice": "single_choice"}


@dataclass
class Person:
    """One reached invitation; `answers` (topic -> value) is empty unless they responded."""

    key: tuple
    answers: dict[str, int] = field(default_factory=dict)
    responded: bool = False
    sent: bool = True
    reached: bool = True


def invitation_rows(people: Sequence[Person]) -> list[InvitationCount]:
    rows: dict[tuple, list[int]] = {}
    for person in people:
        total = rows.setdefault(person.key, [0, 0, 0])
        total[0] += person.sent
        total[1] += person.reached
        total[2] += person.responded
    return [InvitationCount(key, *counts) for key, counts in rows.items()]


def value_rows(
    people: Sequence[Person], *, topics: dict[str, str | None] | None = None
) -> list[ValueCount]:
    """Answers counted per key × question × value; a question's code is its topic and
    `topics` may give it another topic (None: no topic). Rating kind unless in KIND_OF."""
    topics = topics or {}
    counts = Counter(
        (person.key, question, value)
        for person in people
        for question, value in person.answers.items()
    )
    return [
        ValueCount(
            key=key,
            question_id=question,
            topic=topics.get(question, question),
            kind=KIND_OF.get(question, "rating"),
            value=value,
            count=count,
        )
        for (key, question, value), count in counts.items()
    ]


def pair_rows(people: Sequence[Person]) -> list[PairCount]:
    counts = Counter(
        (person.key, a, person.answers[a], b, person.answers[b])
        for person in people
        for a, b in itertools.combinations(sorted(person.answers), 2)
    )
    return [PairCount(key, a, va, b, vb, count) for (key, a, va, b, vb), count in counts.items()]


def population(seed: int, cells: Sequence[tuple], size: int = 60) -> list[Person]:
    """Invitations in `cells`, each cell with its own reach and response rates; respondents
    answer the overall rating (or, in cells whose first value ends with "*", an untagged
    rating), a driver rating, the NPS, the effort scale and a choice question, each answer
    sometimes skipped."""
    rng = random.Random(seed)
    people = []
    for cell in cells:
        reach, rate = rng.uniform(0.6, 1), rng.uniform(0.1, 0.9)
        for _ in range(rng.randint(0, size)):
            sent = rng.random() < 0.95
            reached = sent and rng.random() < reach
            person = Person(key=cell, sent=sent, reached=reached)
            if reached and rng.random() < rate:
                person.responded = True
                satisfaction = "satisfaction" if str(cell[0]).endswith("*") else "overall"
                drawn = {
                    satisfaction: rng.choice([1, 2, 3, 4, 4, 5, 5]),
                    "ease": rng.randint(1, 5),
                    "nps": rng.randint(0, 10),
                    "effort": rng.randint(1, 7),
                    "choice": rng.choice(["yes", "no"]),
                }
                person.answers = {q: v for q, v in drawn.items() if rng.random() < 0.9}
            people.append(person)
    return people
