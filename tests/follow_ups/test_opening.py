"""A low score with consent opens one follow-up, and queues one email once committed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from feedback.audit.models import AuditEvent
from feedback.db_types import utcnow
from feedback.extensions import db as _db
from feedback.follow_ups import services, tasks
from feedback.follow_ups.models import FollowUp, FollowUpStatus
from feedback.follow_ups.services import FollowUpError, PolicySpec
from feedback.invitations.models import InvitationStatus
from feedback.responses.models import Response
from feedback.responses.services import complete_response
from tests.follow_ups.helpers import answer, consenting_rule


@pytest.fixture()
def queued(monkeypatch) -> list[str]:
    sent: list[str] = []
    monkeypatch.setattr(tasks.notify_managers, "delay", sent.append)
    return sent


def _items() -> list[FollowUp]:
    return list(_db.session.scalars(select(FollowUp)))


def test_a_low_score_with_consent_opens_one_item_and_queues_one_email(world, queued):
    loop = consenting_rule(world.passport, threshold=2, due_days=7)
    invitation = answer(loop, score=2, consent=True)
    [item] = _items()
    assert queued == [item.id]
    assert item.program_id == world.passport.id and item.rule_id == loop.rule.id
    assert item.status is FollowUpStatus.OPEN and item.owner is None
    assert (item.question_code, item.score) == ("overall", 2)
    assert item.due_on == utcnow().date() + timedelta(days=7)
    # The contact details were copied before the completed invitation purged its own.
    assert item.email == "client1@example.org" and item.phone == "+16135550001"
    assert invitation.status is InvitationStatus.COMPLETED
    assert invitation.email is None and invitation.phone is None
    # Encrypted at rest.
    raw = _db.session.execute(
        text("SELECT email FROM follow_ups WHERE id = :id"), {"id": item.id}
    ).scalar_one()
    assert raw is not None and "client1" not in raw
    opened = _db.session.scalar(select(AuditEvent).where(AuditEvent.action == "follow_up.open"))
    assert opened.object_id == item.id and opened.program_id == world.passport.id
    assert "client1" not in str(opened.after) and "6135550001" not in str(opened.after)


@pytest.mark.parametrize(
    ("score", "consent"),
    [(3, True), (5, True), (1, False), (2, None), (None, True)],
    ids=["above", "top", "no consent", "consent unanswered", "score unanswered"],
)
def test_otherwise_nothing_opens(world, queued, score, consent):
    loop = consenting_rule(world.passport, threshold=2)
    answer(loop, score=score, consent=consent)
    assert _items() == [] and queued == []


def test_a_rule_without_settings_or_with_them_off_opens_nothing(world, queued):
    loop = consenting_rule(world.passport)
    services.save_policy(loop.rule, PolicySpec("overall", 2, "may_contact", enabled=False))
    _db.session.commit()
    answer(loop, score=1, consent=True)
    assert _items() == [] and queued == []


def test_one_item_per_response(world, queued):
    loop = consenting_rule(world.passport)
    invitation = answer(loop, score=1, consent=True)
    response = _db.session.scalar(select(Response).where(Response.invitation_id == invitation.id))
    again = services.open_for_response(response, invitation)  # e.g. a redelivered signal
    assert again is None  # the invitation's contact details are gone with its completion
    invitation.email = "client1@example.org"
    assert services.open_for_response(response, invitation).id == _items()[0].id
    _db.session.commit()
    assert _db.session.scalar(select(func.count()).select_from(FollowUp)) == 1
    assert len(queued) == 1


def test_nothing_is_queued_when_the_transaction_rolls_back(world, queued):
    loop = consenting_rule(world.passport)
    answer_ids = {q.code: q.id for q in loop.version.questions}
    from tests.factories import make_sent_invitation

    invitation = make_sent_invitation(loop.version, "token-x", n=9)
    invitation.rule_id = loop.rule.id
    complete_response(invitation, {answer_ids["overall"]: 1, answer_ids["may_contact"]: True}, "en")
    _db.session.rollback()
    _db.session.commit()
    assert _items() == [] and queued == []


def test_the_settings_are_checked_against_the_rules_questions(world):
    loop = consenting_rule(world.passport)
    with pytest.raises(FollowUpError) as refused:
        services.save_policy(loop.rule, PolicySpec("may_contact", 5, "overall", due_days=0))
    assert set(refused.value.errors) == {"score_question", "consent_question", "due_days"}
    with pytest.raises(FollowUpError) as refused:
        services.save_policy(loop.rule, PolicySpec("overall", 5, "may_contact"))
    assert set(refused.value.errors) == {"threshold"}  # 5 of 5 would follow up everyone


def test_settings_changes_are_audited(world):
    loop = consenting_rule(world.passport, threshold=2)
    services.save_policy(loop.rule, PolicySpec("overall", 3, "may_contact", due_days=10))
    _db.session.commit()
    events = list(
        _db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.object_type == "follow_up_policy")
            .order_by(AuditEvent.id)
        )
    )
    assert [e.action for e in events] == ["follow_up_policy.create", "follow_up_policy.update"]
    assert events[0].after["rule"] == loop.rule.id and events[0].program_id == world.passport.id
    assert events[1].before == {"threshold": 2, "due_days": 5}
    assert events[1].after == {"threshold": 3, "due_days": 10}


def test_a_replacing_rule_takes_over_the_settings(world):
    loop = consenting_rule(world.passport, threshold=2, due_days=9)
    from feedback.devtools.demo import add_rule

    new = add_rule(world.passport, loop.version, fatigue_days=7)  # replaces loop.rule
    _db.session.commit()
    moved = services.policy_of(new)  # carried over when the rule service replaced the rule
    assert (moved.rule_id, moved.threshold, moved.due_days) == (new.id, 2, 9)
    assert services.carry_over_policy(loop.rule, new) is None  # already has its own
    # A questionnaire without the consent question cannot take them over.
    plain = add_rule(world.passport, world.version)
    assert services.carry_over_policy(new, plain) is None
