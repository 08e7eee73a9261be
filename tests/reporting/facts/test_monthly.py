"""The answer facts kept from the daily ones: the monthly facts are always the daily facts summed
by month, the channel facts the daily facts summed over contact type, language and client group;
a reading that takes whole months from the monthly facts and the edge days from the daily facts
gives the same sums as days alone, and one by week from the channel facts the same as the days'."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import delete, select

from feedback.extensions import db as _db
from feedback.reporting.facts import build
from feedback.reporting.facts.read import (
    Scope,
    _answer_facts_for,
    value_counts,
    value_counts_by,
    whole_months,
)
from feedback.reporting.models import FactAnswerChannelDaily, FactAnswerDaily, FactAnswerMonthly
from feedback.responses.models import Answer, Response
from tests.reporting.facts import data
from tests.reporting.helpers import add_contact, at, rating

#: Contacts around three month ends, so that the facts fall in partial and whole months.
STARTS = (
    datetime(2026, 1, 24, tzinfo=UTC),
    datetime(2026, 2, 22, tzinfo=UTC),
    datetime(2026, 3, 25, tzinfo=UTC),
)
SETS = [
    [],
    ["program"],
    ["period:month"],
    ["period:quarter", "channel"],
    ["program", "language", "contact_type"],
    ["group:region"],
    ["period:month", "group:age_band"],
]


def _key(fact: Any) -> tuple[Any, ...]:
    return (
        fact.program_id,
        fact.questionnaire_version_id,
        fact.question_id,
        fact.channel,
        fact.contact_type,
        fact.language,
        fact.client_group,
        fact.value_int,
        fact.value_choice,
    )


def _monthly() -> Counter[tuple[Any, ...]]:
    found: Counter[tuple[Any, ...]] = Counter()
    for fact in _db.session.scalars(select(FactAnswerMonthly)):
        assert fact.month.day == 1
        found[(fact.month, *_key(fact))] += fact.count
    return found


def _daily_by_month() -> Counter[tuple[Any, ...]]:
    found: Counter[tuple[Any, ...]] = Counter()
    for fact in _db.session.scalars(select(FactAnswerDaily)):
        found[(fact.day.replace(day=1), *_key(fact))] += fact.count
    return found


def _channel_days() -> Counter[tuple[Any, ...]]:
    found: Counter[tuple[Any, ...]] = Counter()
    for f in _db.session.scalars(select(FactAnswerChannelDaily)):
        key = (f.day, f.program_id, f.questionnaire_version_id, f.channel, f.question_id)
        found[(*key, f.value_int, f.value_choice)] += f.count
    return found


def _daily_by_channel() -> Counter[tuple[Any, ...]]:
    found: Counter[tuple[Any, ...]] = Counter()
    for f in _db.session.scalars(select(FactAnswerDaily)):
        key = (f.day, f.program_id, f.questionnaire_version_id, f.channel, f.question_id)
        found[(*key, f.value_int, f.value_choice)] += f.count
    return found


def _check_months() -> None:
    """The monthly and the channel facts are what the daily facts sum to."""
    _db.session.flush()
    monthly = _monthly()
    assert monthly
    assert monthly == _daily_by_month()
    channel_days = _channel_days()
    assert channel_days == _daily_by_channel()
    assert len(channel_days) < _db.session.query(FactAnswerDaily).count()


@pytest.fixture()
def versions(db):
    made = data.versions()
    rng = random.Random(12)
    for start in STARTS:
        data.contacts(made, rng, 70, start=start)
    return made


def test_whole_months():
    assert whole_months(date(2026, 1, 28), date(2026, 3, 27)) == (date(2026, 2, 1),) * 2
    assert whole_months(date(2026, 1, 1), date(2026, 3, 31)) == (date(2026, 1, 1), date(2026, 3, 1))
    assert whole_months(date(2025, 12, 1), date(2026, 1, 30)) == (date(2025, 12, 1),) * 2
    assert whole_months(date(2025, 11, 2), date(2026, 1, 31)) == (
        date(2025, 12, 1),
        date(2026, 1, 1),
    )
    assert whole_months(date(2026, 2, 2), date(2026, 3, 30)) is None
    assert whole_months(date(2026, 2, 1), date(2026, 2, 27)) is None
    assert whole_months(date(2024, 2, 1), date(2024, 2, 29)) == (date(2024, 2, 1),) * 2


def test_monthly_facts_are_the_daily_facts_by_month_after_rebuild_update_and_refresh(versions):
    build.rebuild(now=at("2026-04-10 00:00"))
    _db.session.commit()
    _check_months()
    assert {month for month, *_ in _monthly()} >= {date(2026, m, 1) for m in (1, 2, 3, 4)}

    # Completions on either side of a month's edge, found by the update.
    add_contact(
        versions[0],
        sent_at=at("2026-04-30 20:00"),
        completed_at=datetime(2026, 4, 30, 23, 59, 59, tzinfo=UTC),
        answers={"overall": rating(1), "recommend": rating(3)},
        attributes={"region": "Ontario"},
    )
    add_contact(
        versions[1],
        sent_at=at("2026-04-30 21:00"),
        completed_at=at("2026-05-01 00:00"),
        answers={"overall": rating(4)},
        channel="sms",
    )
    _db.session.commit()
    result = build.update(now=at("2026-05-01 00:10"))
    _db.session.commit()
    assert {date(2026, 4, 30), date(2026, 5, 1)} <= result.answer_days
    _check_months()
    assert date(2026, 5, 1) in {month for month, *_ in _monthly()}

    # A response of the last day of February is gone: refreshing that day alone fixes February.
    last_of_february = _db.session.scalar(
        select(Response.id).where(
            Response.completed_at >= at("2026-02-28 00:00"),
            Response.completed_at < at("2026-03-01 00:00"),
        )
    )
    assert last_of_february is not None
    before = _monthly()
    _db.session.execute(delete(Answer).where(Answer.response_id == last_of_february))
    _db.session.execute(delete(Response).where(Response.id == last_of_february))
    build.refresh(date(2026, 2, 28), date(2026, 2, 28))
    _db.session.commit()
    _check_months()
    assert _monthly() != before


def test_months_are_recomputed_from_the_sealed_days_daily_facts(versions):
    build.rebuild(now=at("2026-04-10 00:00"))
    build.seal_through(date(2026, 2, 24))
    _db.session.commit()
    february = Counter({k: n for k, n in _monthly().items() if k[0] == date(2026, 2, 1)})
    # Retention: the rows counted by the sealed days are gone; their daily facts remain.
    sealed = select(Response.id).where(Response.completed_at < at("2026-02-25 00:00"))
    _db.session.execute(delete(Answer).where(Answer.response_id.in_(sealed)))
    _db.session.execute(delete(Response).where(Response.id.in_(sealed)))
    build.rebuild(now=at("2026-04-10 00:00"))
    build.refresh(date(2026, 1, 1), date(2026, 2, 28))
    _db.session.commit()
    _check_months()
    assert Counter({k: n for k, n in _monthly().items() if k[0] == date(2026, 2, 1)}) == february


def _daily_sum_by_program(scope: Scope) -> Counter[tuple[Any, ...]]:
    """The answer counts in scope by program, question and value, summed from the daily table."""
    found: Counter[tuple[Any, ...]] = Counter()
    for fact in _db.session.scalars(select(FactAnswerDaily)):
        if scope.date_from <= fact.day <= scope.date_to:
            found[(fact.program_id, fact.question_id, fact.value_int, fact.value_choice)] += (
                fact.count
            )
    return found


@pytest.mark.parametrize(
    ("date_from", "date_to"),
    [
        (date(2026, 1, 28), date(2026, 3, 27)),  # partial months at both ends
        (date(2026, 1, 2), date(2026, 4, 3)),  # two whole months
        (date(2026, 2, 1), date(2026, 3, 31)),  # whole months only
        (date(2026, 2, 3), date(2026, 2, 26)),  # within a month: days only
    ],
)
def test_reading_whole_months_gives_the_sums_of_the_days(versions, date_from, date_to):
    build.rebuild(now=at("2026-04-10 00:00"))
    _db.session.commit()
    scope = Scope(date_from, date_to)
    mixed = value_counts_by(scope, SETS)
    assert mixed == value_counts_by(scope, SETS, monthly=False)
    assert sum(row.count for row in mixed[0]) > 0

    by_program = value_counts(scope, ["program"])
    found: Counter[tuple[Any, ...]] = Counter()
    for r in by_program:
        value_int, value_choice = (r.value, None) if isinstance(r.value, int) else (None, r.value)
        found[(r.key[0], r.question_id, value_int, value_choice)] += r.count
    assert found == +_daily_sum_by_program(scope)


def test_reading_with_filters_and_weeks(versions):
    build.rebuild(now=at("2026-04-10 00:00"))
    _db.session.commit()
    program = versions[0].questionnaire.program_id
    scope = Scope(
        date(2026, 1, 27),
        date(2026, 3, 29),
        programs=frozenset({program}),
        channels=frozenset({"email"}),
        languages=frozenset({"fr"}),
        groups={"region": frozenset({"Québec", "Ontario"})},
    )
    sets = [*SETS, ["period:week"], ["period:week", "program"]]
    for kinds in (None, {"rating"}):
        mixed = value_counts_by(scope, sets, kinds=kinds)
        assert mixed == value_counts_by(scope, sets, kinds=kinds, monthly=False)
        assert mixed[0]
    # Without weeks, the same sets still read whole months.
    assert value_counts_by(scope, SETS) == value_counts_by(scope, SETS, monthly=False)


def test_the_monthly_facts_are_read(versions):
    """A stray monthly row shows in a reading of its whole month, not in one of days only."""
    build.rebuild(now=at("2026-04-10 00:00"))
    row = _db.session.scalars(
        select(FactAnswerMonthly).where(FactAnswerMonthly.month == date(2026, 2, 1))
    ).first()
    row.count += 1000
    _db.session.commit()
    scope = Scope(date(2026, 1, 30), date(2026, 3, 2))
    total = sum(r.count for r in value_counts(scope, []))
    daily = sum(r.count for r in value_counts_by(scope, [[]], monthly=False)[0])
    assert total == daily + 1000
    week = value_counts_by(scope, [["period:week"]])[0]
    assert sum(r.count for r in week) == daily


def test_weeks_read_the_channel_facts_unless_they_need_more(versions):
    """A trend by week (program, channel) reads the channel facts, with the daily facts' sums;
    a contact type, language or group in the set or the scope makes it read the daily facts."""
    build.rebuild(now=at("2026-04-10 00:00"))
    _db.session.commit()
    scope = Scope(date(2026, 1, 27), date(2026, 3, 29))
    trend = ["program", "channel", "period:week"]
    assert _answer_facts_for(scope, trend, True) == "channel"
    assert _answer_facts_for(scope, ["program"], True) == "months"
    assert _answer_facts_for(scope, [*trend, "language"], True) == "days"
    assert _answer_facts_for(scope, [*trend, "group:region"], True) == "days"
    filtered = Scope(scope.date_from, scope.date_to, languages=frozenset({"fr"}))
    assert _answer_facts_for(filtered, trend, True) == "days"

    weeks = value_counts(scope, trend)
    found: Counter[tuple[Any, ...]] = Counter()
    for r in weeks:
        found[(*r.key, r.question_id, r.value)] += r.count
    expected: Counter[tuple[Any, ...]] = Counter()
    for f in _db.session.scalars(select(FactAnswerDaily)):
        if scope.date_from <= f.day <= scope.date_to:
            week = f.day.fromordinal(f.day.toordinal() - f.day.weekday()).isoformat()
            value = f.value_int if f.value_int is not None else f.value_choice
            expected[(f.program_id, f.channel, week, f.question_id, value)] += f.count
    assert found == expected

    # A stray channel row shows in the trend, not in a reading that needs the daily facts.
    row = _db.session.scalars(
        select(FactAnswerChannelDaily).where(FactAnswerChannelDaily.day == date(2026, 2, 24))
    ).first()
    row.count += 1000
    _db.session.commit()
    assert sum(r.count for r in value_counts(scope, trend)) == sum(found.values()) + 1000
    with_language = value_counts(scope, [*trend, "language"])
    assert sum(r.count for r in with_language) == sum(found.values())
