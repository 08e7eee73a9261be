"""The outbox: claiming due invitations, outcomes, retries with backoff, no double sends."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from feedback.channels import DeliveryResult
from feedback.consent.codes import invitation_for_unsubscribe_code
from feedback.consent.opt_outs import opt_out
from feedback.contacts.services import ingest
from feedback.db_types import utcnow
from feedback.invitations import lifecycle, outbox
from feedback.invitations.models import Invitation, InvitationStatus, InvitationTransition
from feedback.security import token_hash
from feedback.surveys.services import invitation_for_token
from tests.factories import event_payload, make_setup
from tests.fakes import RecordingChannel, channel_replaced

S = InvitationStatus


def claim(limit: int, **kwargs):
    """Queue due invitations of the email channel (the test rule's) for a send task."""
    return lifecycle.queue_due("email", limit, timedelta(minutes=2), **kwargs)


def _schedule(n: int) -> list[str]:
    make_setup()
    results = ingest([event_payload(i) for i in range(n)])
    return [r.event.invitation.id for r in results]


def test_queueing_takes_due_invitations_once_and_leaves_them_scheduled(db):
    """Nothing is being sent until a worker takes an invitation up: queued ones stay scheduled,
    and are queued again only when their task was lost (after DISPATCH_REQUEUE_AFTER_SECONDS)."""
    ids = _schedule(3)
    claimed = claim(10)
    assert sorted(claimed) == sorted(ids)
    assert claim(10) == []
    assert {db.session.get(Invitation, i).status for i in ids} == {S.SCHEDULED}
    assert sorted(claim(10, now=utcnow() + timedelta(minutes=3))) == sorted(ids)


def test_claim_respects_due_time_and_batch_size(db):
    ids = _schedule(3)
    later = db.session.get(Invitation, ids[0])
    later.due_at = utcnow() + timedelta(hours=1)
    db.session.commit()
    assert len(claim(1)) == 1
    assert len(claim(10)) == 1
    assert claim(10) == []


def test_sent_invitation_carries_a_working_one_time_link(app, db):
    [invitation_id] = _schedule(1)
    claim(10)
    with channel_replaced(app, RecordingChannel()) as channel:
        assert outbox.send_invitation(invitation_id) is S.SENT
    [message] = channel.sent
    assert message.email == "client0@example.org"
    assert message.survey_url.startswith("http://survey.test/s/")
    token = message.survey_url.rsplit("/", 1)[1]
    assert len(token) >= 40
    invitation = db.session.get(Invitation, invitation_id)
    assert invitation.token_hash == token_hash(token) and token not in invitation.token_hash
    assert invitation_for_token(token).id == invitation_id
    assert invitation.provider_ref == "ref-1" and invitation.sent_at is not None
    assert [q.code for q in message.questions][:2] == ["overall", "recommend"]
    assert message.program_name["fr"] == "Services de passeport"
    assert (
        invitation_for_unsubscribe_code(message.unsubscribe_url.rsplit("/", 1)[1]).id
        == invitation_id
    )


def test_redelivered_send_does_nothing_twice(app, db):
    [invitation_id] = _schedule(1)
    claim(10)
    with channel_replaced(app, RecordingChannel()) as channel:
        outbox.send_invitation(invitation_id)
        assert outbox.send_invitation(invitation_id) is None
    assert len(channel.sent) == 1


def test_transient_failure_is_rescheduled_with_backoff(app, db):
    [invitation_id] = _schedule(1)
    claim(10)
    before = utcnow()
    with channel_replaced(app, RecordingChannel([DeliveryResult.transient("451 try later")])):
        assert outbox.send_invitation(invitation_id) is S.SCHEDULED
    invitation = db.session.get(Invitation, invitation_id)
    # The link stays the same on every attempt: a text the provider did take still works.
    assert invitation.attempts == 1 and invitation.token_hash is not None
    assert invitation.due_at >= before + timedelta(seconds=20)
    assert invitation.last_error == "451 try later"
    # Not due yet, so not claimed; once due it is sent.
    assert claim(10) == []
    assert claim(10, now=invitation.due_at + timedelta(seconds=1)) == [invitation_id]
    with channel_replaced(app, RecordingChannel()):
        assert outbox.send_invitation(invitation_id) is S.SENT


def test_permanent_failure_is_not_retried_and_purges_contact(app, db):
    [invitation_id] = _schedule(1)
    claim(10)
    with channel_replaced(app, RecordingChannel([DeliveryResult.permanent("550 no such user")])):
        assert outbox.send_invitation(invitation_id) is S.FAILED
    invitation = db.session.get(Invitation, invitation_id)
    assert invitation.reason == "permanent_failure" and invitation.email is None


def test_retries_stop_after_max_attempts(app, db):
    app.config["SEND_MAX_ATTEMPTS"] = 2
    try:
        [invitation_id] = _schedule(1)
        outcomes = [DeliveryResult.transient("timeout")] * 2
        with channel_replaced(app, RecordingChannel(outcomes)):
            claim(10)
            assert outbox.send_invitation(invitation_id) is S.SCHEDULED
            claim(10, now=utcnow() + timedelta(hours=2))
            assert outbox.send_invitation(invitation_id) is S.FAILED
        assert db.session.get(Invitation, invitation_id).reason == "retries_exhausted"
    finally:
        app.config["SEND_MAX_ATTEMPTS"] = 5


def test_a_plugin_that_raises_counts_as_transient(app, db):
    class Broken(RecordingChannel):
        def send(self, invitation):
            raise RuntimeError("boom")

    [invitation_id] = _schedule(1)
    claim(10)
    with channel_replaced(app, Broken()):
        assert outbox.send_invitation(invitation_id) is S.SCHEDULED


def test_opt_out_between_scheduling_and_sending_stops_the_send(app, db):
    [invitation_id] = _schedule(1)
    opt_out(db.session.get(Invitation, invitation_id), "web")
    db.session.commit()
    assert db.session.get(Invitation, invitation_id).status is S.OPTED_OUT
    assert claim(10) == []


def test_sending_is_marked_when_a_worker_starts_and_committed_before_the_provider(app, db):
    """A worker killed while the provider is called leaves the invitation `sending`."""

    class Dies(RecordingChannel):
        def send(self, invitation):
            with app.app_context():  # another connection: what the database holds now
                assert db.session.get(Invitation, invitation.id).status is S.SENDING
            raise SystemExit("killed")

    [invitation_id] = _schedule(1)
    claim(10)
    with channel_replaced(app, Dies()), pytest.raises(SystemExit):
        outbox.send_invitation(invitation_id)
    db.session.rollback()
    invitation = db.session.get(Invitation, invitation_id)
    assert (invitation.status, invitation.attempts) == (S.SENDING, 1)


def _left_sending(app, db) -> str:
    [invitation_id] = _schedule(1)
    claim(10)
    invitation = lifecycle.locked(invitation_id)
    lifecycle.begin_sending(invitation)  # then the worker died
    db.session.commit()
    return invitation_id


def test_an_invitation_left_sending_is_sent_again_after_the_stale_delay(app, db):
    invitation_id = _left_sending(app, db)
    with channel_replaced(app, RecordingChannel()):
        assert outbox.recover_stale_sending() == 0  # still within SENDING_STALE_SECONDS
        later = utcnow() + timedelta(seconds=app.config["SENDING_STALE_SECONDS"] + 1)
        assert lifecycle.recover_stale_sending(timedelta(minutes=5), lambda i: None, later) == 1
    invitation = db.session.get(Invitation, invitation_id)
    assert (invitation.status, invitation.reason) == (S.SCHEDULED, "stale_sending")
    assert invitation.queued_at is None and invitation.token_hash is not None


def test_an_invitation_the_provider_accepted_is_not_sent_again(app, db):
    """A provider that can look up our reference says it has the message: marked sent."""
    invitation_id = _left_sending(app, db)

    class Remembers(RecordingChannel):
        def sent_before(self, invitation_id):
            return f"found-{invitation_id[:8]}"

    later = utcnow() + timedelta(hours=1)
    with channel_replaced(app, Remembers()) as channel:
        assert lifecycle.recover_stale_sending(timedelta(minutes=5), outbox._sent_before, later)
    invitation = db.session.get(Invitation, invitation_id)
    assert (invitation.status, invitation.reason) == (S.SENT, "recovered_sent")
    assert invitation.provider_ref == f"found-{invitation_id[:8]}" and channel.sent == []


def test_a_task_for_a_rescheduled_invitation_sends_nothing(app, db):
    [invitation_id] = _schedule(1)
    claim(10)
    invitation = lifecycle.locked(invitation_id)
    lifecycle.reschedule(invitation, utcnow() + timedelta(hours=1), "quiet_hours")
    db.session.commit()
    with channel_replaced(app, RecordingChannel()) as channel:
        assert outbox.send_invitation(invitation_id) is None
    assert channel.sent == []


def test_expiry_moves_unanswered_invitations_and_purges_contact(app, db):
    [invitation_id] = _schedule(1)
    claim(10)
    with channel_replaced(app, RecordingChannel()):
        outbox.send_invitation(invitation_id)
    assert lifecycle.expire_due() == 0
    assert lifecycle.expire_due(now=utcnow() + timedelta(days=15)) == 1
    invitation = db.session.get(Invitation, invitation_id)
    assert invitation.status is S.EXPIRED and invitation.email is None
    history = db.session.scalars(
        select(InvitationTransition.to_status)
        .where(InvitationTransition.invitation_id == invitation_id)
        .order_by(InvitationTransition.id)
    ).all()
    assert history == [S.SCHEDULED, S.SENDING, S.SENT, S.EXPIRED]


def test_invalid_transition_is_refused(db):
    [invitation_id] = _schedule(1)
    invitation = db.session.get(Invitation, invitation_id)
    with pytest.raises(lifecycle.InvalidTransition):
        lifecycle.transition(invitation, S.COMPLETED)


def test_concurrent_dispatchers_claim_disjoint_batches(app, db):
    """Two dispatchers at once never claim the same invitation (SKIP LOCKED on PostgreSQL,
    the guarded UPDATE on SQLite, where writers take turns)."""
    ids = _schedule(40)
    db.session.remove()
    claimed: list[list[str]] = []
    errors: list[BaseException] = []

    def dispatcher() -> None:
        try:
            with app.app_context():
                mine: list[str] = []
                while batch := claim(3):
                    mine.extend(batch)
                claimed.append(mine)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=dispatcher) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    everything = [i for mine in claimed for i in mine]
    assert sorted(everything) == sorted(ids)  # each queued exactly once
    count = db.session.scalar(
        select(func.count()).select_from(Invitation).where(Invitation.queued_at.is_not(None))
    )
    assert count == 40
