"""The lifecycle is the one place where an invitation's state changes, with its bookkeeping,
its log and its signals; dispatch claims and sends one channel at a time."""

from __future__ import annotations

import ast
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from feedback.contacts.services import ingest
from feedback.db_types import utcnow
from feedback.invitations import lifecycle, outbox, tasks
from feedback.invitations.models import Invitation, InvitationStatus, InvitationTransition
from feedback.security import token_hash
from tests.factories import event_payload, make_setup
from tests.fakes import RecordingChannel, channel_replaced

S = InvitationStatus
QUEUE_AGAIN = timedelta(minutes=2)
ROOT = Path(__file__).resolve().parents[2]
#: What only the lifecycle may assign on an invitation.
STATE = {"status", "sent_at", "opened_at", "completed_at", "attempts", "reminded_at"}
#: Assignments of those names to objects that are not invitations, file by file.
NOT_INVITATIONS = {
    "feedback/reporting/services.py": {"status"},  # a report job's status
    "feedback/responses/services.py": {"completed_at"},  # a response's completion time
    "feedback/errors.py": {"status"},  # an API error's HTTP status
    "feedback/follow_ups/services.py": {"status"},  # a follow-up's status
    "feedback/reporting/actions/services.py": {"status"},  # an action's status ("you said, we did")
}


def _sources() -> list[Path]:
    found = list((ROOT / "feedback").rglob("*.py"))
    for package in (ROOT / "plugins").glob("*/*/"):
        if package.name != "tests" and (package / "__init__.py").exists():
            found += package.rglob("*.py")
    return found


def state_changes(source: str) -> set[str]:
    """The names of STATE assigned as attributes in `source` (x.status = ..., x.attempts += 1),
    and "update(Invitation)" when it updates invitations with a statement of its own."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            for each in target.elts if isinstance(target, ast.Tuple) else [target]:
                if isinstance(each, ast.Attribute) and each.attr in STATE:
                    found.add(each.attr)
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "update"
            and any(isinstance(arg, ast.Name) and arg.id == "Invitation" for arg in node.args)
        ):
            found.add("update(Invitation)")
    return found


def test_the_checker_finds_a_state_change():
    assert state_changes("invitation.status = S.SENT") == {"status"}
    assert state_changes("inv.attempts += 1\nx.sent_at = now") == {"attempts", "sent_at"}
    assert state_changes("db.session.execute(update(Invitation).values(x=1))") == {
        "update(Invitation)"
    }
    assert state_changes("invitation.reason = 'x'\ncounts[result.status] += 1") == set()


def test_no_module_but_the_lifecycle_changes_an_invitations_state():
    lifecycle_path = ROOT / "feedback/invitations/lifecycle.py"
    offenders = {}
    for path in _sources():
        if path == lifecycle_path:
            continue
        name = str(path.relative_to(ROOT))
        changed = state_changes(path.read_text(encoding="utf-8")) - NOT_INVITATIONS.get(name, set())
        if changed:
            offenders[name] = sorted(changed)
    assert not offenders, offenders
    # The lifecycle's own changes are seen (its moves set the columns they compute with
    # setattr, or write them with statements of its own).
    assert state_changes(lifecycle_path.read_text(encoding="utf-8")) >= {"update(Invitation)"}


def _schedule(n: int) -> list[str]:
    make_setup()
    return [r.event.invitation.id for r in ingest([event_payload(i) for i in range(n)])]


def _history(invitation_id: str) -> list[tuple[S | None, S, str | None]]:
    rows = lifecycle.db.session.execute(
        select(
            InvitationTransition.from_status,
            InvitationTransition.to_status,
            InvitationTransition.reason,
        )
        .where(InvitationTransition.invitation_id == invitation_id)
        .order_by(InvitationTransition.id)
    )
    return [tuple(row) for row in rows]


def test_every_move_is_logged_signalled_and_kept(app, db):
    """Planning, queueing, send, opening, completion: each move logged with its reason and
    signalled (queueing is no move: a batch signal); the times and the attempt are kept;
    contact details go when closed."""
    seen: list[tuple[str, S, S]] = []
    batches: list[tuple[str, list[str]]] = []

    def on_change(invitation, *, from_status, to_status, **_):
        seen.append((invitation.id, from_status, to_status))

    def on_batch(channel, *, ids, **_):
        batches.append((channel, ids))

    [invitation_id] = _schedule(1)
    with (
        lifecycle.status_changed.connected_to(on_change),
        lifecycle.batch_changed.connected_to(on_batch),
        channel_replaced(app, RecordingChannel()),
    ):
        assert lifecycle.queue_due("email", 10, QUEUE_AGAIN) == [invitation_id]
        assert outbox.send_invitation(invitation_id) is S.SENT
        invitation = lifecycle.locked(invitation_id)
        assert lifecycle.mark_opened(invitation, "viewed") is True
        assert lifecycle.mark_opened(invitation, "viewed") is False  # once
        lifecycle.complete(invitation)
        db.session.commit()
    invitation = db.session.get(Invitation, invitation_id)
    assert invitation.attempts == 1
    assert invitation.sent_at <= invitation.opened_at <= invitation.completed_at
    assert invitation.email is None and invitation.phone is None
    assert batches == [("email", [invitation_id])]
    assert seen == [
        (invitation_id, S.SCHEDULED, S.SENDING),
        (invitation_id, S.SENDING, S.SENT),
        (invitation_id, S.SENT, S.OPENED),
        (invitation_id, S.OPENED, S.COMPLETED),
    ]
    assert _history(invitation_id) == [
        (None, S.SCHEDULED, None),
        (S.SCHEDULED, S.SENDING, None),
        (S.SENDING, S.SENT, None),
        (S.SENT, S.OPENED, "viewed"),
        (S.OPENED, S.COMPLETED, None),
    ]


def test_a_refused_move_changes_nothing(db):
    [invitation_id] = _schedule(1)
    invitation = db.session.get(Invitation, invitation_id)
    with pytest.raises(lifecycle.InvalidTransition):
        lifecycle.complete(invitation)
    assert invitation.status is S.SCHEDULED and invitation.completed_at is None
    with pytest.raises(lifecycle.InvalidTransition):
        new = lifecycle.NewInvitation(
            id="new",
            event_id=invitation.event_id,
            program_id=invitation.program_id,
            language="en",
            client_hash=invitation.client_hash,
            timezone=None,
            created_at=utcnow(),
        )
        lifecycle.start_many([(new, S.SENT, None)])


def test_rescheduling_keeps_the_link_and_every_attempt_carries_the_same(app, db):
    [invitation_id] = _schedule(1)
    lifecycle.queue_due("email", 10, QUEUE_AGAIN)
    invitation = lifecycle.locked(invitation_id)
    token = lifecycle.begin_sending(invitation)
    first = invitation.token_hash
    assert first == token_hash(token) and len(token) >= 43
    due = utcnow() + timedelta(minutes=5)
    lifecycle.reschedule(invitation, due, "transient_failure", "451 later " * 100)
    db.session.commit()
    invitation = db.session.get(Invitation, invitation_id)
    assert invitation.status is S.SCHEDULED and invitation.token_hash == first
    assert invitation.due_at == due and len(invitation.last_error) == lifecycle.MAX_ERROR
    assert lifecycle.begin_sending(lifecycle.locked(invitation_id)) == token  # the same link
    assert db.session.get(Invitation, invitation_id).attempts == 2


def _move_to_channel(db, invitation_id: str, channel: str) -> None:
    db.session.execute(
        update(Invitation).where(Invitation.id == invitation_id).values(channel=channel)
    )
    db.session.commit()


def test_a_claim_takes_one_channel_only(db):
    email_id, sms_id = _schedule(2)
    _move_to_channel(db, sms_id, "sms_twilio")
    assert lifecycle.queue_due("email", 10, QUEUE_AGAIN) == [email_id]
    assert db.session.get(Invitation, sms_id).status is S.SCHEDULED
    assert lifecycle.queue_due("sms_twilio", 10, QUEUE_AGAIN) == [sms_id]


def test_a_batch_never_sends_through_a_channel_it_was_not_given(app, db):
    [invitation_id] = _schedule(1)
    lifecycle.queue_due("email", 10, QUEUE_AGAIN)
    with channel_replaced(app, RecordingChannel()) as channel:
        assert outbox.send_batch("sms_twilio", [invitation_id]) == 0
        assert db.session.get(Invitation, invitation_id).status is S.SCHEDULED
        assert outbox.send_batch("email", [invitation_id]) == 1
    assert len(channel.sent) == 1


def test_dispatch_enqueues_one_task_per_channel_batch_named_after_its_channel(app, db, monkeypatch):
    email_id, sms_id = _schedule(2)
    _move_to_channel(db, sms_id, "sms_twilio")
    calls = []
    channels = {"email": RecordingChannel(), "sms_twilio": RecordingChannel()}
    monkeypatch.setattr(tasks, "enabled_channels", lambda: channels)
    monkeypatch.setattr(
        tasks.send_invitations,
        "apply_async",
        lambda args, shadow: calls.append((tuple(args), shadow)),
    )
    assert tasks.dispatch_due.run() == 2
    assert sorted(calls) == [
        (("email", [email_id]), "feedback.invitations.tasks.send_invitations[email]"),
        (("sms_twilio", [sms_id]), "feedback.invitations.tasks.send_invitations[sms_twilio]"),
    ]
