"""The managers' email: to the program's managers only, through the email channel's SMTP
server, with a link to the item and nothing about the client."""

from __future__ import annotations

from email import message_from_bytes, policy

import pytest

from feedback.accounts.models import Role
from feedback.accounts.services import create_user, set_active
from feedback.channels.registry import get_channel
from feedback.extensions import db as _db
from feedback.follow_ups import mail, tasks
from feedback.follow_ups.models import FollowUp
from tests.follow_ups.helpers import make_follow_up
from tests.governance.conftest import PASSWORD


@pytest.fixture()
def smtp(app, smtp_inbox, monkeypatch):
    """The email channel's SMTP server is the test inbox."""
    with app.app_context():
        monkeypatch.setitem(get_channel("email").config, "SMTP_PORT", smtp_inbox.port)
    return smtp_inbox


def _text(raw: bytes) -> tuple[str, str, str]:
    message = message_from_bytes(raw, policy=policy.default)
    return message["To"], message["Subject"], message.get_content()


def test_the_programs_managers_get_one_email_with_a_link_and_no_personal_data(world, smtp):
    second = create_user("manager2@example.org", PASSWORD, Role.PROGRAM_MANAGER, ["passport"])
    gone = create_user("gone@example.org", PASSWORD, Role.PROGRAM_MANAGER, ["passport"])
    set_active(gone, False)
    create_user("other@example.org", PASSWORD, Role.PROGRAM_MANAGER, ["citizenship"])
    _db.session.commit()
    item = make_follow_up(world.passport, world.version, email="jane.doe@example.org")
    assert tasks.notify_managers.run(item.id) == 2
    [raw] = smtp.wait_for(1, timeout=10)
    to, subject, body = _text(raw)
    assert set(to.split(", ")) == {world.manager.email, second.email}
    assert "Passport services" in subject and "Services de passeport" in subject
    assert f"http://survey.test/follow-ups/{item.id}" in body
    assert "Un suivi est ouvert pour les gestionnaires du programme." in body
    for personal in ("jane.doe", "example.org>", "6135550000", "+1613"):
        assert personal not in body and personal not in subject


def test_the_email_goes_once(world, smtp):
    item = make_follow_up(world.passport, world.version)
    assert tasks.notify_managers.run(item.id) == 1
    assert tasks.notify_managers.run(item.id) == 0  # a redelivered task
    smtp.wait_for(1, timeout=10)
    assert len(smtp.messages) == 1
    _db.session.expire_all()
    assert _db.session.get(FollowUp, item.id).notified_at is not None


def test_an_smtp_fault_is_retried_and_leaves_the_item_unnotified(world, app, monkeypatch):
    item = make_follow_up(world.passport, world.version)
    with app.app_context():
        monkeypatch.setitem(get_channel("email").config, "SMTP_PORT", 1)  # nothing listens
    with pytest.raises(OSError):
        tasks.notify_managers.run(item.id)
    _db.session.expire_all()
    assert _db.session.get(FollowUp, item.id).notified_at is None


def test_the_sweep_queues_items_whose_email_was_lost(world, monkeypatch):
    from datetime import timedelta

    from feedback.db_types import utcnow

    old = make_follow_up(world.passport, world.version, n=1)
    old.created_at = utcnow() - timedelta(hours=1)
    make_follow_up(world.passport, world.version, n=2)  # just opened: its task is on its way
    _db.session.commit()
    queued: list[str] = []
    monkeypatch.setattr(tasks.notify_managers, "delay", queued.append)
    assert tasks.notify_lost.run() == 1 and queued == [old.id]


def test_the_message_in_both_languages(world, app):
    item = make_follow_up(world.passport, world.version)
    with app.test_request_context():
        message = mail.compose(item, ["a@example.org"], "Feedback <no-reply@example.org>")
    body = message.get_content()
    assert body.index("A client of Passport services") < body.index(
        "Une personne cliente de Services de passeport"
    )
