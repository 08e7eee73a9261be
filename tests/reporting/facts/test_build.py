"""Facts: counts by day, value and key on a hand-made dataset; idempotent; only the given days.

(Moved from tests/reporting/test_rollups.py: answers now count once their response is complete,
on the day it was completed.)
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select, text

from feedback.questionnaires.models import Question
from feedback.reporting.facts import build
from feedback.reporting.models import FactAnswerDaily, FactInvitationDaily
from tests.factories import make_setup
from tests.reporting.helpers import add_contact, add_invitation_fact, at, rating

DAY0, DAY1, DAY2 = date(2026, 3, 1), date(2026, 3, 2), date(2026, 3, 3)


@pytest.fixture()
def dataset(db):
    """Seven contacts around 2 and 3 March 2026 (UTC)."""
    program, version, _rule = make_setup()
    add_contact(
        version,
        sent_at=at("2026-03-02 10:00"),
        completed_at=at("2026-03-03 09:00"),
        answers={
            "overall": rating(5),
            "recommend": rating(10),
            "resolved": rating(1),
            "how": {"value_choice": "phone"},
            "comment": {"value_text": "Great"},
        },
    )
    add_contact(
        version,
        sent_at=at("2026-03-02 23:30"),
        completed_at=at("2026-03-02 23:50"),
        language="fr",
        answers={"overall": rating(5), "recommend": rating(3), "how": {"value_choice": "phone"}},
    )
    add_contact(version, sent_at=at("2026-03-02 12:00"), contact_type="counter")
    # A partial response: neither its answers nor the invitation count as completed.
    add_contact(
        version,
        sent_at=at("2026-03-03 08:00"),
        answered_at=at("2026-03-03 08:05"),
        answers={"overall": rating(2)},
    )
    # 02:00 UTC on the 3rd is still the 2nd in Toronto: it belongs to the 3rd.
    add_contact(
        version,
        sent_at=at("2026-03-03 02:00"),
        completed_at=at("2026-03-03 10:00"),
        answers={"overall": rating(5)},
    )
    # Sent before the range, answered inside it.
    add_contact(
        version,
        sent_at=at("2026-03-01 09:00"),
        completed_at=at("2026-03-02 09:00"),
        answers={"overall": rating(4)},
    )
    # Sent after the range.
    add_contact(version, sent_at=at("2026-03-04 09:00"))
    db.session.commit()
    return program, version


def refresh(db, first: date, last: date) -> build.RefreshResult:
    if db.engine.dialect.name == "postgresql":
        # A session time zone other than UTC must not move timestamps to another day.
        db.session.execute(text("SET LOCAL TIME ZONE 'America/Toronto'"))
    result = build.refresh(first, last)
    db.session.commit()
    return result


def invitation_facts(db) -> set[tuple]:
    rows = db.session.execute(
        select(
            FactInvitationDaily.day,
            FactInvitationDaily.channel,
            FactInvitationDaily.contact_type,
            FactInvitationDaily.language,
            FactInvitationDaily.sent,
            FactInvitationDaily.completed,
        )
    )
    return {tuple(row) for row in rows}


def answer_facts(db) -> set[tuple]:
    rows = db.session.execute(
        select(
            FactAnswerDaily.day,
            Question.code,
            FactAnswerDaily.contact_type,
            FactAnswerDaily.language,
            FactAnswerDaily.value_int,
            FactAnswerDaily.value_choice,
            FactAnswerDaily.count,
        ).join(Question, Question.id == FactAnswerDaily.question_id)
    )
    return {tuple(row) for row in rows}


EXPECTED_INVITATIONS = {
    (DAY1, "email", "call", "en", 1, 1),
    (DAY1, "email", "call", "fr", 1, 1),
    (DAY1, "email", "counter", "en", 1, 0),
    (DAY2, "email", "call", "en", 2, 1),
}
EXPECTED_ANSWERS = {
    (DAY1, "overall", "call", "fr", 5, None, 1),
    (DAY1, "recommend", "call", "fr", 3, None, 1),
    (DAY1, "how", "call", "fr", None, "phone", 1),
    (DAY1, "overall", "call", "en", 4, None, 1),
    (DAY2, "overall", "call", "en", 5, None, 2),
    (DAY2, "recommend", "call", "en", 10, None, 1),
    (DAY2, "resolved", "call", "en", 1, None, 1),
    (DAY2, "how", "call", "en", None, "phone", 1),
}


def test_refresh_counts_by_day_key_and_value(db, dataset):
    result = refresh(db, DAY1, DAY2)
    assert invitation_facts(db) == EXPECTED_INVITATIONS
    # Free text is not counted; two answers of 5 on the 3rd make one row with a count of 2.
    assert answer_facts(db) == EXPECTED_ANSWERS
    assert (result.invitation_rows, result.answer_rows) == (4, 8)


def test_refresh_twice_gives_the_same_rows(db, dataset):
    refresh(db, DAY1, DAY2)
    refresh(db, DAY1, DAY2)
    assert invitation_facts(db) == EXPECTED_INVITATIONS
    assert answer_facts(db) == EXPECTED_ANSWERS
    assert db.session.query(FactInvitationDaily).count() == len(EXPECTED_INVITATIONS)
    assert db.session.query(FactAnswerDaily).count() == len(EXPECTED_ANSWERS)


def test_refresh_leaves_other_days_alone(db, dataset):
    program, _version = dataset
    add_invitation_fact(program, DAY0, sent=99, completed=9)
    db.session.commit()
    refresh(db, DAY2, DAY2)
    facts = invitation_facts(db)
    assert (DAY0, "email", "call", "en", 99, 9) in facts
    assert {row for row in facts if row[0] == DAY2} == {(DAY2, "email", "call", "en", 2, 1)}
    assert not any(row[0] == DAY1 for row in facts)


def test_refresh_refuses_a_reversed_range(db):
    with pytest.raises(ValueError):
        build.refresh(DAY2, DAY1)


def test_update_includes_send_days_of_recent_completions(db):
    _program, version = make_setup()[:2]
    now = at("2026-03-20 12:00")
    build.update(now=now - timedelta(hours=1))  # the first update rebuilds: nothing yet
    # Sent ten days ago and answered now: its send day must be refreshed too.
    add_contact(
        version, sent_at=now - timedelta(days=10), completed_at=now, answers={"overall": rating(4)}
    )
    db.session.commit()
    result = build.update(now=now, extra_days=[date(2026, 1, 5)])
    db.session.commit()
    assert build.contiguous_runs(result.invitation_days) == [
        (date(2026, 1, 5), date(2026, 1, 5)),
        (date(2026, 3, 10), date(2026, 3, 10)),
        (date(2026, 3, 19), date(2026, 3, 20)),
    ]
    assert invitation_facts(db) == {(date(2026, 3, 10), "email", "call", "en", 1, 1)}
    assert {row[0] for row in answer_facts(db)} == {date(2026, 3, 20)}


def test_contiguous_runs():
    days = [date(2026, 1, 3), date(2026, 1, 1), date(2026, 1, 2), date(2026, 1, 5)]
    assert build.contiguous_runs(days) == [
        (date(2026, 1, 1), date(2026, 1, 3)),
        (date(2026, 1, 5), date(2026, 1, 5)),
    ]
    assert build.contiguous_runs([]) == []
