"""The incremental update: only the touched days, the same facts as a rebuild, idempotent."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import select

from feedback.extensions import db as _db
from feedback.reporting.facts import build
from feedback.reporting.models import (
    FactAnswerDaily,
    FactAnswerPairDaily,
    FactInvitationDaily,
    FactWatermark,
)
from tests.reporting.facts import data
from tests.reporting.helpers import add_contact, at, rating

NOW = at("2026-03-20 12:00")


def _ids(fact, day: date) -> set[int]:
    return set(_db.session.scalars(select(fact.id).where(fact.day == day)))


def test_update_after_new_responses_equals_a_rebuild_and_touches_only_recent_days(db):
    versions = data.versions()
    rng = random.Random(3)
    data.contacts(versions, rng, 80)
    first = build.update(now=NOW)  # no watermark yet: a rebuild
    db.session.commit()
    assert first.rebuilt
    old_day = date(2026, 3, 4)
    kept = {fact: _ids(fact, old_day) for fact in (FactInvitationDaily, FactAnswerDaily)}
    assert all(kept.values())

    # New completions now: one sent three days ago, one sent just now.
    later = NOW + timedelta(minutes=10)
    add_contact(
        versions[0],
        sent_at=NOW - timedelta(days=3),
        completed_at=later,
        answers={"overall": rating(2), "recommend": rating(9)},
        attributes={"region": "North"},
    )
    add_contact(versions[1], sent_at=later, completed_at=later, answers={"overall": rating(5)})
    db.session.commit()

    result = build.update(now=later)
    db.session.commit()
    assert result.answer_days == {NOW.date()}
    assert result.invitation_days == {
        NOW.date() - timedelta(days=3),
        NOW.date() - timedelta(days=1),
        NOW.date(),
    }
    # The other days' rows were not rewritten (same ids).
    assert {fact: _ids(fact, old_day) for fact in kept} == kept
    assert db.session.get(FactWatermark, build.WATERMARK).through == later
    incremental = data.stored()
    assert incremental == data.recount()

    build.rebuild(now=later)
    db.session.commit()
    assert data.stored() == incremental


def test_update_twice_changes_nothing(db):
    data.contacts(data.versions(), random.Random(5), 40)
    build.update(now=NOW)
    build.update(now=NOW + timedelta(minutes=1))
    db.session.commit()
    once = data.stored()
    again = build.update(now=NOW + timedelta(minutes=2))
    db.session.commit()
    assert data.stored() == once == data.recount()
    assert not again.rebuilt


def test_update_reads_only_what_completed_since_the_watermark(db):
    versions = data.versions()
    data.contacts(versions, random.Random(9), 30)
    build.update(now=NOW)
    db.session.commit()
    # A response completed before the watermark (less the margin) is not looked at again.
    add_contact(
        versions[0],
        sent_at=at("2026-03-05 10:00"),
        completed_at=NOW - build.SAFETY_MARGIN - timedelta(minutes=1),
        answers={"overall": rating(1)},
    )
    db.session.commit()
    result = build.update(now=NOW + timedelta(minutes=5))
    assert result.answer_days == set()
    # ... but one within the margin is (its transaction may have committed late).
    add_contact(
        versions[0],
        sent_at=at("2026-03-06 10:00"),
        completed_at=NOW + timedelta(minutes=1),
        answers={"overall": rating(1)},
    )
    db.session.commit()
    result = build.update(now=NOW + timedelta(minutes=6))
    assert result.answer_days == {NOW.date()}
    assert date(2026, 3, 6) in result.invitation_days


def test_sealed_days_are_not_recomputed(db):
    versions = data.versions()
    data.contacts(versions, random.Random(13), 40)
    build.seal_through(date(2026, 3, 5))
    db.session.commit()
    sealed = _ids(FactInvitationDaily, date(2026, 3, 3))
    assert sealed
    build.rebuild(now=NOW)
    db.session.commit()
    assert _ids(FactInvitationDaily, date(2026, 3, 3)) == sealed
    assert db.session.scalars(select(FactAnswerPairDaily)).first() is not None
