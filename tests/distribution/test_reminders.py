"""A rule's one reminder: sent on the same channel with the same link to clients who have not
answered after N days, once whatever the number of sweeps (a redelivered task does nothing),
never to those who answered, refused or whose invitation expired; and it says it is a reminder
in both languages."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from flask import Flask
from sqlalchemy import event as sa_event
from sqlalchemy import select, update

from feedback.consent.opt_outs import opt_out
from feedback.contacts.services import ingest
from feedback.conversations import texts as sms_texts
from feedback.db_types import utcnow
from feedback.invitations import lifecycle, outbox, tasks
from feedback.invitations.models import Invitation, InvitationStatus, InvitationTransition
from feedback.security import token_hash
from tests.factories import event_payload, make_program, make_questionnaire, make_rule
from tests.fakes import RecordingChannel, channel_replaced

S = InvitationStatus


def _sent(app: Flask, db, n: int, reminder_after_days: int | None = 3) -> list[str]:
    """`n` invitations sent by email under a rule with a reminder, sent `reminder_after_days`
    and one hour ago."""
    program = make_program()
    make_rule(program, make_questionnaire(program), reminder_after_days=reminder_after_days)
    db.session.commit()
    ids = [r.event.invitation.id for r in ingest([event_payload(i) for i in range(n)])]
    lifecycle.queue_due("email", 100, timedelta(minutes=2))
    with channel_replaced(app, RecordingChannel()):
        outbox.send_batch("email", ids)
    days = reminder_after_days or 0
    db.session.execute(update(Invitation).values(sent_at=utcnow() - timedelta(days=days, hours=1)))
    db.session.commit()
    return ids


def test_one_reminder_on_the_same_channel_with_the_same_link(app, db):
    [invitation_id] = _sent(app, db, 1)
    with channel_replaced(app, RecordingChannel()) as channel:
        assert tasks.send_reminders.run() == 1
        assert tasks.send_reminders.run() == 0  # a redelivered task, or the next sweep
    [reminder] = channel.sent
    assert reminder.reminder and reminder.id == invitation_id
    invitation = db.session.get(Invitation, invitation_id)
    assert invitation.status is S.SENT and invitation.reminded_at is not None
    first_token = reminder.survey_url.rsplit("/", 1)[1]
    assert token_hash(first_token) == invitation.token_hash  # the same link
    reasons = db.session.scalars(
        select(InvitationTransition.reason).where(
            InvitationTransition.invitation_id == invitation_id
        )
    ).all()
    assert reasons.count(lifecycle.REMINDED) == 1


def test_no_reminder_before_its_day_nor_without_the_rule_asking(app, db):
    ids = _sent(app, db, 2)
    db.session.execute(update(Invitation).where(Invitation.id == ids[0]).values(sent_at=utcnow()))
    db.session.commit()
    with channel_replaced(app, RecordingChannel()) as channel:
        tasks.send_reminders.run()
    assert [m.id for m in channel.sent] == [ids[1]]


def test_no_reminder_for_a_rule_without_one(app, db):
    _sent(app, db, 1, reminder_after_days=None)
    with channel_replaced(app, RecordingChannel()) as channel:
        assert tasks.send_reminders.run() == 0
    assert channel.sent == []


def test_no_reminder_to_those_who_answered_refused_or_whose_link_expired(app, db):
    answered, refused, expired, opened = _sent(app, db, 4)
    lifecycle.complete(db.session.get(Invitation, answered))
    opt_out(db.session.get(Invitation, refused), "web")
    db.session.get(Invitation, expired).expires_at = utcnow() - timedelta(minutes=1)
    lifecycle.mark_opened(db.session.get(Invitation, opened))
    db.session.commit()
    with channel_replaced(app, RecordingChannel()) as channel:
        tasks.send_reminders.run()
    assert [m.id for m in channel.sent] == [opened]  # opened but not answered: reminded


def test_a_batch_of_reminders_takes_a_few_statements(app, db):
    _sent(app, db, 30)
    counted: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        counted.append(statement)

    sa_event.listen(db.engine, "before_cursor_execute", count)
    try:
        with channel_replaced(app, RecordingChannel()) as channel:
            tasks.send_reminders.run()
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", count)
    assert len(channel.sent) == 30
    assert len(counted) <= 14, counted


def test_the_reminder_says_so_in_both_languages(app, db):
    from feedback_email.message import compose

    [invitation_id] = _sent(app, db, 1)
    with channel_replaced(app, RecordingChannel()) as channel:
        tasks.send_reminders.run()
    [reminder] = channel.sent
    message = compose(reminder, "Feedback <no-reply@example.org>")
    assert message["Subject"].startswith("Reminder: ")
    assert " / Rappel : " in message["Subject"]
    body = message.get_body(("plain",)).get_content()
    assert "A reminder: we have not received your answers yet" in body
    assert "Petit rappel : nous n’avons pas encore reçu vos réponses" in body
    for language, start in (("en", "Reminder from "), ("fr", "Rappel de ")):
        text = sms_texts.invitation_text(replace(reminder, language=language), replies=True)
        assert text.startswith(start), text
    plain = sms_texts.invitation_text(replace(reminder, reminder=False), replies=True)
    assert "Reminder" not in plain
