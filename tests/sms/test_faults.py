"""Faults during dispatch, against GC Notify's stand-in (its look-up by our reference is what
lets a fault never become a second text): a provider that accepts a text and times out, a
worker killed (SIGKILL) again and again while it sends thousands of invitations, and the broker
restarted mid-dispatch. Every invitation is sent exactly once and none is lost."""

from __future__ import annotations

import os
import random
import shutil
import signal
import socket
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest
from feedback_sms_notify.testing import NotifyStandIn
from flask import Flask
from sqlalchemy import func, insert, select

from feedback.contacts.models import ContactEvent
from feedback.db_types import new_id, utcnow
from feedback.devtools.supervisor import worker_command
from feedback.extensions import db as _db
from feedback.invitations.models import Invitation, InvitationStatus, InvitationTransition
from feedback.security import address_hash, client_hash
from tests.conftest import TEST_BROKER_URL
from tests.conversations.helpers import dispatch, invite, sms_event, sms_setup

S = InvitationStatus
ROOT = Path(__file__).resolve().parents[2]
#: How many invitations the worker-kill test dispatches (FAULT_INVITATIONS to change it).
INVITATIONS = int(os.environ.get("FAULT_INVITATIONS", "5000"))


def test_a_text_accepted_before_a_timeout_is_not_sent_again(app, db, notify_standin):
    """GC Notify takes the text, then the client times out: the invitation is retried later,
    and the retry finds the text by our reference instead of sending a second one. The link in
    the text that went out works."""
    sms_setup("sms_notify", mode="link")
    invitation = invite(sms_event())
    channel = app.extensions["feedback.channels"]["sms_notify"]
    timeout = channel.config["NOTIFY_TIMEOUT"]
    channel.config["NOTIFY_TIMEOUT"] = 1
    notify_standin.answer_after = 1.5
    try:
        dispatch()
    finally:
        channel.config["NOTIFY_TIMEOUT"] = timeout
        notify_standin.answer_after = 0.0
    _db.session.refresh(invitation)
    assert (invitation.status, invitation.reason) == (S.SCHEDULED, "transient_failure")
    dispatch(now=invitation.due_at)
    _db.session.refresh(invitation)
    [sent] = notify_standin.notifications
    assert (invitation.status, invitation.reason) == (S.SENT, "found_at_provider")
    assert invitation.provider_ref == sent["id"] and invitation.attempts == 2
    token = sent["personalisation"]["message"].split("/s/")[1].split()[0]
    assert app.test_client().get(f"/s/{token}").status_code in (200, 303)


# --- Real worker processes ---------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _schedule(app: Flask, count: int) -> set[str]:
    """`count` invitations due now for sms_notify, inserted in bulk (ingest is not under test)."""
    _program, version, rule = sms_setup("sms_notify", mode="link")
    now = utcnow()
    events, invitations, transitions = [], [], []
    for n in range(count):
        invitation_id, event_id = new_id(), new_id()
        phone = f"+1613555{n:04d}"
        events.append(
            {
                "id": event_id,
                "source": "fault",
                "external_id": f"fault-{n}",
                "program_id": version.questionnaire.program_id,
                "contact_type": "text",
                "occurred_at": now,
                "received_at": now,
                "language": "en",
                "client_hash": client_hash(f"fault-{n}"),
                "attributes": {},
            }
        )
        invitations.append(
            {
                "id": invitation_id,
                "event_id": event_id,
                "program_id": version.questionnaire.program_id,
                "rule_id": rule.id,
                "questionnaire_version_id": version.id,
                "channel": "sms_notify",
                "language": "en",
                "client_hash": client_hash(f"fault-{n}"),
                "address_hash": address_hash(phone),
                "phone": phone,
                "timezone": "America/Toronto",
                "status": S.SCHEDULED,
                "due_at": now,
                "expires_at": now.replace(year=now.year + 1),
                "attempts": 0,
                "created_at": now,
                "updated_at": now,
            }
        )
        transitions.append(
            {"invitation_id": invitation_id, "to_status": S.SCHEDULED, "reason": None, "at": now}
        )
    _db.session.execute(insert(ContactEvent), events)
    _db.session.execute(insert(Invitation), invitations)
    _db.session.execute(insert(InvitationTransition), transitions)
    _db.session.commit()
    return {row["id"] for row in invitations}


class Worker:
    """`celery worker -B` processes started and killed on demand, on the test's database."""

    def __init__(self, env: dict[str, str], folder: Path) -> None:
        self.env, self.folder = env, folder
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> None:
        self.starts += 1
        log = open(self.folder / f"worker-{self.starts}.log", "wb")  # noqa: SIM115 - kept open
        self.process = subprocess.Popen(
            worker_command("WARNING", "--schedule", str(self.folder / "beat-schedule")),
            cwd=self.folder,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self) -> None:
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


def _count(*conditions) -> int:
    _db.session.rollback()
    return _db.session.scalar(select(func.count()).select_from(Invitation).where(*conditions))


def _wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


@pytest.fixture()
def worker_env(app: Flask, database_url: str, notify_standin: NotifyStandIn, tmp_path) -> dict:
    return {
        **os.environ,
        "FEEDBACK_ENV": "testing",
        "SECRET_KEY": app.config["SECRET_KEY"],
        "CLIENT_HASH_KEY": app.config["CLIENT_HASH_KEY"],
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": TEST_BROKER_URL or "filesystem://",
        "BROKER_FOLDER": str(tmp_path / "broker"),
        "PUBLIC_BASE_URL": app.config["PUBLIC_BASE_URL"],
        "FEEDBACK_CHANNELS": "sms_notify",
        "NOTIFY_API_KEY": notify_standin.api_key,
        "NOTIFY_BASE_URL": notify_standin.base_url,
        "NOTIFY_SMS_TEMPLATE_ID": notify_standin.template_id,
        "DISPATCH_INTERVAL_SECONDS": "1",
        "DISPATCH_BATCH_SIZE": "100",
        "DISPATCH_REQUEUE_AFTER_SECONDS": "5",
        "SENDING_STALE_SECONDS": "5",
    }


def _assert_each_sent_once(ids: set[str], notify_standin: NotifyStandIn) -> Counter:
    references = Counter(item["reference"] for item in notify_standin.notifications)
    twice = {ref: n for ref, n in references.items() if n > 1}
    assert not twice, f"{len(twice)} invitations sent more than once"
    assert set(references) == ids, f"{len(ids - set(references))} invitations never sent"
    assert _count(Invitation.status == S.SENT) == len(ids)
    return references


@pytest.mark.worker
def test_a_worker_killed_again_and_again_sends_each_invitation_once(
    app, db, notify_standin, worker_env, tmp_path
):
    """A kill lands most likely while a batch of 100 is in flight (sending is most of a send
    task's time): those of its invitations the provider already took are then found by our
    reference after SENDING_STALE_SECONDS, the others sent; the test prints how many."""
    ids = _schedule(app, INVITATIONS)
    worker = Worker(worker_env, tmp_path)
    rng = random.Random(20261130)
    kills = 0
    try:
        worker.start()
        for fraction in (0.15, 0.4, 0.7):
            target = int(INVITATIONS * fraction) + rng.randint(0, INVITATIONS // 20)
            _wait_for(lambda t=target: len(notify_standin.notifications) >= t, 240, "sends")
            time.sleep(rng.uniform(0, 0.05))  # somewhere inside a send, or between two
            worker.kill()
            kills += 1
            worker.start()
        _wait_for(lambda: _count(Invitation.status == S.SENT) == len(ids), 300, "every send")
    finally:
        worker.stop()
    references = _assert_each_sent_once(ids, notify_standin)
    recovered = _db.session.scalar(
        select(func.count()).where(
            InvitationTransition.reason.in_(
                ["recovered_sent", "stale_sending", "found_at_provider"]
            )
        )
    )
    print(
        f"\nworker killed {kills} times: {len(references)} invitations sent, "
        f"{sum(references.values()) - len(references)} twice, {len(ids) - len(references)} "
        f"lost; {recovered} recovered after a kill"
    )


@pytest.mark.worker
@pytest.mark.skipif(not shutil.which("redis-server"), reason="needs Debian's redis-server")
def test_a_broker_restarted_mid_dispatch_loses_nothing_and_sends_nothing_twice(
    app, db, notify_standin, worker_env, tmp_path
):
    """A private Redis, killed (SIGKILL: what it held is gone) and started again while the
    worker dispatches: the sweep queues again what the lost tasks held."""
    port = _free_port()
    command = ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no"]
    command += ["--dir", str(tmp_path)]
    redis = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    worker = Worker(worker_env | {"CELERY_BROKER_URL": f"redis://127.0.0.1:{port}/0"}, tmp_path)
    count = max(INVITATIONS // 5, 200)
    ids = _schedule(app, count)
    try:
        time.sleep(0.5)
        worker.start()
        _wait_for(lambda: len(notify_standin.notifications) >= count // 3, 240, "sends")
        redis.kill()
        redis.wait(timeout=10)
        time.sleep(2)
        redis = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        _wait_for(lambda: _count(Invitation.status == S.SENT) == len(ids), 300, "every send")
    finally:
        worker.stop()
        redis.kill()
    references = _assert_each_sent_once(ids, notify_standin)
    print(f"\nbroker restarted: {len(references)} sent, none twice, none lost")
