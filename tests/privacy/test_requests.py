"""A client's access (export) and erasure requests, by client reference."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from feedback.consent.models import OptOut
from feedback.contacts.models import ContactEvent
from feedback.invitations.models import Invitation, InvitationTransition
from feedback.privacy.requests import erase_client, export_client
from feedback.reporting.facts import build
from feedback.reporting.models import FactInvitationDaily
from feedback.responses.models import Answer, Response
from feedback.security import client_hash
from tests.factories import make_sent_invitation, make_setup
from tests.reporting.helpers import add_contact, at, rating


def _client(db):
    """client-1 (make_sent_invitation's n=1): one invitation still held with its email, and an
    answered one; client-2: someone else."""
    _program, version, _rule = make_setup()
    held = make_sent_invitation(version, "tok-1", n=1)
    answered = add_contact(
        version,
        sent_at=at("2026-11-01 10:00"),
        completed_at=at("2026-11-01 10:05"),
        answers={"overall": rating(4), "comment": {"value_text": "Bien"}},
    )
    answered.client_hash = answered.event.client_hash = client_hash("client-1")
    db.session.add(
        InvitationTransition(invitation_id=answered.id, to_status="completed", reason="web")
    )
    other = make_sent_invitation(version, "tok-2", n=2)
    db.session.add(OptOut(channel="*", client_hash=client_hash("client-1"), source="admin"))
    db.session.commit()
    return held, answered, other


def test_export_holds_events_invitations_transitions_answers_and_opt_outs(db):
    held, answered, other = _client(db)
    data = export_client("CLIENT-1 ")  # matched by the normalised keyed hash
    assert {e["id"] for e in data["events"]} == {held.event_id, answered.event_id}
    invitations = {i["id"]: i for i in data["invitations"]}
    assert set(invitations) == {held.id, answered.id}
    assert invitations[held.id]["email"] == "client1@example.org"
    assert invitations[answered.id]["transitions"][-1]["to"] == "completed"
    (response,) = data["responses"]
    assert {a["question"] for a in response["answers"]} == {"overall", "comment"}
    assert data["opt_outs"][0]["source"] == "admin"
    json.dumps(data)


def test_erase_deletes_the_clients_data_keeps_others_facts_and_the_opt_out(db, app):
    held, answered, other = _client(db)
    build.refresh(at("2026-11-01 00:00").date(), at("2026-11-01 00:00").date())
    db.session.commit()
    facts = db.session.scalar(select(func.sum(FactInvitationDaily.sent)))

    result = app.test_cli_runner().invoke(args=["privacy", "erase", "--client", "client-1"])
    assert result.exit_code == 0, result.output
    assert "kept 1 opt-out(s): erasing them would resume surveys" in result.output

    assert db.session.scalars(select(Invitation.id)).all() == [other.id]
    assert db.session.scalar(select(func.count()).select_from(ContactEvent)) == 1
    assert db.session.scalar(select(func.count()).select_from(Response)) == 0
    assert db.session.scalar(select(func.count()).select_from(Answer)) == 0
    assert db.session.scalar(select(func.count()).select_from(OptOut)) == 1
    assert db.session.scalar(select(func.sum(FactInvitationDaily.sent))) == facts
    assert erase_client("client-1").invitations == 0


def test_the_export_command_writes_json(db, app, tmp_path):
    _client(db)
    out = tmp_path / "client.json"
    result = app.test_cli_runner().invoke(
        args=["privacy", "export", "--client", "client-1", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert len(json.loads(out.read_text())["invitations"]) == 2
