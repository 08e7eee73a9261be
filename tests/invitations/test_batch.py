"""Batched dispatch: a send task takes up its whole batch, hands it to the channel and records
the outcomes with a number of statements that does not grow with the batch, and still sends
each invitation once, checks opt-outs and quiet hours, and tells every outcome apart."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from feedback.channels import DeliveryResult, Invitation
from feedback.consent.opt_outs import opt_out_address
from feedback.contacts.services import ingest
from feedback.db_types import utcnow
from feedback.distribution.models import DistributionRule
from feedback.invitations import lifecycle, outbox
from feedback.invitations.models import Invitation as Row
from feedback.invitations.models import InvitationStatus, InvitationTransition
from tests.factories import event_payload, make_setup
from tests.fakes import RecordingChannel, channel_replaced

S = InvitationStatus


def _queued(n: int, first: int = 0) -> list[str]:
    """`n` invitations of the email channel, due and queued for a send task (the first ones
    of the test, numbered from 0, set the program up)."""
    if first == 0:
        make_setup()
    events = [event_payload(i) for i in range(first, first + n)]
    ids = [r.event.invitation.id for r in ingest(events)]
    assert sorted(lifecycle.queue_due("email", n, timedelta(minutes=2))) == sorted(ids)
    return ids


def _statuses(db, ids: Sequence[str]) -> dict[str, tuple[S, str | None]]:
    db.session.rollback()
    rows = db.session.execute(select(Row.id, Row.status, Row.reason).where(Row.id.in_(ids)))
    return {row.id: (row.status, row.reason) for row in rows}


@contextmanager
def statements(db) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def test_the_statements_of_a_batch_do_not_grow_with_its_size(app, db):
    counts = {}
    for first, size in ((0, 10), (10, 200)):
        ids = _queued(size, first)
        db.session.commit()
        with channel_replaced(app, RecordingChannel()) as channel, statements(db) as seen:
            assert outbox.send_batch("email", ids) == size
        assert len(channel.sent) == size
        assert {s for s, _ in _statuses(db, ids).values()} == {S.SENT}
        counts[size] = len(seen)
    assert counts[10] == counts[200] <= 16, counts


def test_a_batch_redelivered_or_queued_twice_sends_each_invitation_once(app, db):
    ids = _queued(5)
    with channel_replaced(app, RecordingChannel()) as channel:
        assert outbox.send_batch("email", ids) == 5
        assert outbox.send_batch("email", ids) == 0
    assert sorted(m.id for m in channel.sent) == sorted(ids)
    history = db.session.scalars(
        select(InvitationTransition.to_status)
        .where(InvitationTransition.invitation_id == ids[0])
        .order_by(InvitationTransition.id)
    ).all()
    assert history == [S.SCHEDULED, S.SENDING, S.SENT]


def test_two_workers_on_the_same_batch_at_once_send_each_invitation_once(app, db):
    """On PostgreSQL the second skips the rows the first has locked; on SQLite writers take
    turns and the second finds them no longer scheduled."""
    ids = _queued(60)
    db.session.remove()
    handled: list[int] = []
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def worker() -> None:
        try:
            with app.app_context():
                start.wait(timeout=30)
                handled.append(outbox.send_batch("email", ids))
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    with channel_replaced(app, RecordingChannel()) as channel:
        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    assert not errors
    assert sum(handled) == 60
    assert sorted(m.id for m in channel.sent) == sorted(ids)  # once each
    assert {s for s, _ in _statuses(db, ids).values()} == {S.SENT}


class Scripted(RecordingChannel):
    """Answers by invitation: raises for `raises`, the result in `results`, else sent; the
    provider says it has `found` (its look-up by our reference)."""

    def __init__(self, results=None, raises=(), found=None) -> None:
        super().__init__()
        self.results: dict[str, DeliveryResult] = results or {}
        self.raises = set(raises)
        self.found: dict[str, str] = found or {}

    def send(self, invitation: Invitation) -> DeliveryResult:
        self.sent.append(invitation)
        if invitation.id in self.raises:
            raise RuntimeError("boom")
        return self.results.get(invitation.id, DeliveryResult.sent(f"ref-{invitation.id}"))

    def sent_before(self, invitation_id: str) -> str | None:
        return self.found.get(invitation_id)


def test_a_mixed_batch_gets_each_invitation_right(app, db):
    good, opted, quiet, found, raising, refused = ids = _queued(6)
    # An opt-out recorded after the invitation was planned (STOP to another invitation).
    invitation = db.session.get(Row, opted)
    opt_out_address(invitation.address_hash, invitation.client_hash, "sms")
    # Quiet hours where this client is (now and the next hour), not where the others are.
    hour = utcnow().hour
    rule = db.session.get(DistributionRule, invitation.rule_id)
    rule.quiet_start_hour, rule.quiet_end_hour = hour, (hour + 2) % 24
    for row in db.session.scalars(select(Row).where(Row.id.in_(ids))):
        row.timezone = "UTC" if row.id == quiet else "Etc/GMT-12"
    # The last attempt timed out after the provider took it: the provider has it.
    db.session.get(Row, found).reason = outbox.TRANSIENT
    db.session.commit()
    channel = Scripted(
        results={refused: DeliveryResult.permanent("550 no such user")},
        raises={raising},
        found={found: "provider-had-it"},
    )
    with channel_replaced(app, channel):
        assert outbox.send_batch("email", ids) == 6
    assert sorted(m.id for m in channel.sent) == sorted([good, raising, refused])
    assert _statuses(db, ids) == {
        good: (S.SENT, None),
        opted: (S.OPTED_OUT, "opted_out_before_send"),
        quiet: (S.SCHEDULED, "quiet_hours"),
        found: (S.SENT, "found_at_provider"),
        raising: (S.SCHEDULED, outbox.TRANSIENT),
        refused: (S.FAILED, "permanent_failure"),
    }
    rows = {row.id: row for row in db.session.scalars(select(Row).where(Row.id.in_(ids)))}
    assert rows[found].provider_ref == "provider-had-it" and rows[found].attempts == 1
    assert rows[good].provider_ref == f"ref-{good}" and rows[good].sent_at is not None
    assert rows[raising].last_error == "plugin error: RuntimeError"
    assert rows[raising].due_at > utcnow() + timedelta(seconds=20)  # backoff
    assert rows[refused].email is None and rows[refused].token_hash is None  # purged
    assert rows[opted].email is None and rows[opted].attempts == 0
    assert rows[quiet].due_at > utcnow() and rows[quiet].queued_at is None
    assert rows[quiet].email is not None and rows[quiet].attempts == 0


def test_a_channels_own_send_many_gets_the_batch_at_once(app, db):
    class Bulk(RecordingChannel):
        calls: list[int] = []

        def send(self, invitation):
            raise AssertionError("send_many is the channel's: send is not called")

        def send_many(self, invitations):
            self.calls.append(len(invitations))
            return [DeliveryResult.sent(f"bulk-{i}") for i, _ in enumerate(invitations)]

    ids = _queued(7)
    with channel_replaced(app, Bulk()) as channel:
        assert outbox.send_batch("email", ids) == 7
    assert channel.calls == [7]
    assert {s for s, _ in _statuses(db, ids).values()} == {S.SENT}


class Raises(RecordingChannel):
    def send_many(self, invitations):
        raise RuntimeError("boom")


class Loses(RecordingChannel):
    def send_many(self, invitations):
        return [DeliveryResult.sent("only-one")]


@pytest.mark.parametrize("channel_class", [Raises, Loses])
def test_a_send_many_that_raises_or_loses_results_is_transient_for_all(app, db, channel_class):
    """Which of them the provider took is unknown: each retry asks `sent_before` first."""
    ids = _queued(3)
    with channel_replaced(app, channel_class()):
        assert outbox.send_batch("email", ids) == 3
    assert set(_statuses(db, ids).values()) == {(S.SCHEDULED, outbox.TRANSIENT)}


def test_a_slow_batch_renews_its_claim_and_never_sends_what_the_recovery_took(app, db, monkeypatch):
    """The recovery takes what has been `sending` longer than SENDING_STALE_SECONDS: a batch
    still sending renews its claim between chunks, and leaves out what was taken anyway."""
    ids = _queued(4)

    class Slow(RecordingChannel):
        def send(self, invitation):
            if not self.sent:  # the worker looks dead to the recovery, which takes them all
                with app.app_context():
                    later = utcnow() + timedelta(seconds=1)
                    assert lifecycle.recover_stale_sending(timedelta(0), lambda i: None, later)
            return super().send(invitation)

    monkeypatch.setattr(outbox, "SEND_CHUNK", 1)
    monkeypatch.setitem(app.config, "SENDING_STALE_SECONDS", 0)  # renew before every chunk
    with channel_replaced(app, Slow()) as channel:
        outbox.send_batch("email", ids)
    assert len(channel.sent) == 1  # the one in the provider's hands when recovered
    assert set(_statuses(db, ids).values()) == {(S.SCHEDULED, "stale_sending")}
