"""A client's request received by phone or letter, recorded by an administrator: no more surveys
by any channel (or by one), and their pending surveys stop."""

from __future__ import annotations

from feedback.consent.models import OptOut
from feedback.contacts.services import ingest
from feedback.invitations.models import InvitationStatus
from tests.factories import event_payload, make_setup

S = InvitationStatus


def _invite(n: int, reference: str = "client-1"):
    payload = event_payload(n)
    payload["client"]["reference"] = reference
    [result] = ingest([payload])
    return result.event.invitation


def test_an_administrator_records_a_clients_request(app, db):
    make_setup()
    pending = _invite(1)
    someone_else = _invite(2, "client-2")
    result = app.test_cli_runner().invoke(args=["opt-out", "--client", "client-1"])
    assert result.exit_code == 0, result.output
    assert "1 pending survey(s) stopped" in result.output
    db.session.refresh(pending)
    db.session.refresh(someone_else)
    assert (pending.status, pending.reason) == (S.OPTED_OUT, "opt_out_admin")
    assert someone_else.status is S.SCHEDULED
    [opt_out] = OptOut.query.all()
    assert (opt_out.channel, opt_out.client_hash, opt_out.source) == (
        "all",
        pending.client_hash,
        "admin",
    )
    later = _invite(3)
    assert (later.status, later.reason) == (S.SKIPPED, "opted_out")


def test_the_reference_is_never_stored_and_bad_input_is_refused(app, db):
    make_setup()
    runner = app.test_cli_runner()
    assert runner.invoke(args=["opt-out", "--client", "  "]).exit_code == 2
    refused = runner.invoke(args=["opt-out", "--client", "c", "--channel", "pigeon"])
    assert refused.exit_code == 2 and "not an enabled channel" in refused.output
    assert runner.invoke(args=["opt-out", "--client", "client-9"]).exit_code == 0
    [opt_out] = OptOut.query.all()
    assert "client-9" not in (opt_out.client_hash or "") and len(opt_out.client_hash) == 64
