"""Retention: response-level data older than RETENTION_DAYS goes, the daily facts stay."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select, update

from feedback.contacts.models import ContactEvent
from feedback.invitations.models import Invitation, InvitationTransition
from feedback.privacy import retention
from feedback.privacy.tasks import apply_retention as apply_retention_task
from feedback.reporting.facts import build as facts
from feedback.reporting.models import FactAnswerDaily, FactInvitationDaily
from feedback.responses.models import Answer, Response
from feedback.webhooks.models import SeenSignature
from tests.factories import make_setup
from tests.reporting.facts.test_build import answer_facts, invitation_facts
from tests.reporting.helpers import add_contact, at, rating

NOW = at("2026-11-30 12:00")  # with 730 days, everything before 2024-11-30 goes
OLD_DAY = date(2024, 6, 1)


def _age(invitation: Invitation, when) -> None:
    """Make an invitation and its event look as if nothing happened to them since `when`."""
    from feedback.extensions import db

    db.session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id)
        .values(created_at=when, updated_at=when)
    )
    db.session.execute(
        update(ContactEvent).where(ContactEvent.id == invitation.event_id).values(received_at=when)
    )


def _dataset(db):
    _program, version, _rule = make_setup()
    old = [
        add_contact(
            version,
            sent_at=at("2024-06-01 10:00"),
            completed_at=at("2024-06-01 11:00"),
            answers={"overall": rating(5), "comment": {"value_text": "Merci"}},
        ),
        add_contact(
            version,
            sent_at=at("2024-06-01 15:00"),
            completed_at=at("2024-06-02 09:00"),
            answers={"overall": rating(3)},
        ),
        add_contact(version, sent_at=at("2024-06-02 08:00")),
    ]
    for invitation in old:
        _age(invitation, at("2024-06-03 00:00"))
    db.session.add(
        InvitationTransition(
            invitation_id=old[0].id, to_status="completed", at=at("2024-06-01 11:00")
        )
    )
    recent = add_contact(
        version,
        sent_at=at("2026-11-01 10:00"),
        completed_at=at("2026-11-01 11:00"),
        answers={"overall": rating(4)},
    )
    db.session.add_all(
        [
            SeenSignature(
                scope="x",
                digest="a" * 64,
                seen_at=at("2024-01-01 00:00"),
                expires_at=at("2024-01-01 00:05"),
            ),
            SeenSignature(
                scope="x",
                digest="b" * 64,
                seen_at=at("2026-11-30 11:00"),
                expires_at=at("2026-11-30 11:05"),
            ),
        ]
    )
    db.session.commit()
    return old, recent


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_old_rows_go_recent_rows_stay_and_the_old_days_facts_are_unchanged(db, app):
    old, recent = _dataset(db)
    facts.refresh(date(2024, 6, 1), date(2024, 6, 2))
    db.session.commit()
    invitations_before, answers_before = invitation_facts(db), answer_facts(db)
    assert invitations_before and answers_before

    result = retention.apply_retention(now=NOW)
    db.session.commit()

    assert result.invitations == 3
    assert db.session.scalars(select(Invitation.id)).all() == [recent.id]
    assert _count(db, ContactEvent) == 1
    assert _count(db, Response) == 1
    assert _count(db, Answer) == 1
    assert db.session.scalars(select(InvitationTransition.invitation_id)).all() == []
    assert db.session.scalars(select(SeenSignature.digest)).all() == ["b" * 64]
    assert invitation_facts(db) == invitations_before
    assert answer_facts(db) == answers_before
    # The old days are sealed: a refresh (a report over them) cannot recount what is gone.
    facts.refresh(date(2024, 5, 1), date(2024, 7, 1))
    db.session.commit()
    assert invitation_facts(db) == invitations_before
    assert answer_facts(db) == answers_before


def test_days_never_rolled_up_are_rolled_up_before_their_rows_go(db, app):
    _dataset(db)
    assert _count(db, FactInvitationDaily) == 0

    retention.apply_retention(now=NOW)
    db.session.commit()

    days = set(db.session.scalars(select(FactInvitationDaily.day)))
    assert days == {date(2024, 6, 1), date(2024, 6, 2)}
    sent = db.session.scalar(
        select(func.sum(FactInvitationDaily.sent)).where(
            FactInvitationDaily.day < date(2024, 11, 30)
        )
    )
    assert sent == 3
    assert set(db.session.scalars(select(FactAnswerDaily.day))) == {
        date(2024, 6, 1),
        date(2024, 6, 2),
    }


def test_a_run_is_bounded_by_the_batch_size(db, app):
    _dataset(db)
    assert retention.apply_retention(now=NOW, batch_size=2).invitations == 2
    assert retention.apply_retention(now=NOW, batch_size=2).invitations == 1
    assert retention.apply_retention(now=NOW, batch_size=2).invitations == 0
    db.session.commit()
    assert _count(db, Invitation) == 1


def test_the_task_runs_until_nothing_is_left(db, app, monkeypatch):
    _dataset(db)
    monkeypatch.setitem(app.config, "RETENTION_BATCH_SIZE", 1)
    monkeypatch.setattr(retention, "utcnow", lambda: NOW)
    assert apply_retention_task.run() == 7  # 3 invitations, their 3 events, 1 signature
    assert _count(db, Invitation) == 1


def test_the_beat_schedule_runs_it(app):
    tasks = {entry["task"] for entry in app.config["CELERY"]["beat_schedule"].values()}
    assert "feedback.privacy.tasks.apply_retention" in tasks
