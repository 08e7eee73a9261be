"""Simulate: a sample contact event decided by the planning code ingest uses, with each reason
in words (in English and French), and nothing written."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask_babel import force_locale
from sqlalchemy import event as sa_event

from feedback.consent.models import OptOut
from feedback.contacts.services import ingest
from feedback.db_types import utcnow
from feedback.distribution.rules import RuleSpec, create_rule
from feedback.distribution.simulate import SampleEvent, simulate
from feedback.invitations.models import InvitationMode
from feedback.questionnaires.authoring import find_version
from feedback.security import client_hash
from tests.apps import migrated_app
from tests.factories import event_payload, make_program, make_questionnaire


@pytest.fixture(scope="module")
def app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Flask:
    """This module's app enables an SMS channel too (no provider is called)."""
    return migrated_app(
        database_url,
        tmp_path_factory.mktemp("simulate-instance"),
        {"FEEDBACK_CHANNELS": ["email", "sms_twilio"]},
        keep_celery=True,
    )


@pytest.fixture()
def program(db):
    program = make_program()
    make_questionnaire(program)
    db.session.commit()
    return program


def _rule(db, program, **fields: Any):
    version = find_version("after-contact", program.code, None)
    spec = {"program": program, "version": version, "channel": "email", **fields}
    rule = create_rule(RuleSpec(**spec))
    db.session.commit()
    return rule


def _sample(program, **changes: Any) -> SampleEvent:
    sample = SampleEvent(
        program=program,
        contact_type="call",
        attributes={},
        client_ref="client-1",
        email="client1@example.org",
        phone=None,
        language="en",
        timezone="America/Toronto",
        occurred_at=utcnow() - timedelta(minutes=5),
    )
    return replace(sample, **changes)


def test_an_invitation_says_which_rule_channel_and_when(db, program):
    rule = _rule(db, program, delay_minutes=60)
    result = simulate(_sample(program))
    assert (result.outcome, result.rule, result.channel) == ("invite", rule, "email")
    assert result.mode is InvitationMode.LINK
    assert result.send_at is not None and result.expires_at - result.send_at == timedelta(days=14)
    assert result.steps[0] == "The program's rule for every contact type applies."
    assert "Sent by email." in result.reason  # the email channel's title
    assert "Due 60 minutes after the contact" in result.reason


def test_quiet_hours_and_a_fallback_are_explained(app: Flask, db, program):
    _rule(
        db,
        program,
        channel="sms_twilio",
        fallback_channel="email",
        quiet_start_hour=21,
        quiet_end_hour=8,
    )
    night = datetime(2026, 11, 24, 3, 30, tzinfo=UTC)  # 22:30 in Toronto
    result = simulate(_sample(program, occurred_at=night), now=night)
    assert result.channel == "email" and result.code == "fallback_no_contact_details"
    assert "the rule's fallback" in result.reason
    assert "quiet hours (21:00 to 08:00" in result.reason
    assert result.send_at == datetime(2026, 11, 24, 13, 0, tzinfo=UTC)


SKIPS: dict[str, tuple[dict[str, Any], dict[str, Any], str]] = {
    # reason: (rule fields, sample changes, words in the reason)
    "no_rule": ({"contact_type": "visit"}, {}, "No active rule covers “{call}” contacts"),
    "filtered": (
        {"attribute_filters": {"region": ["east"]}},
        {"attributes": {"region": "west"}},
        "none of their filters (region: east)",
    ),
    "excluded_contact_type": (
        {"excluded_contact_types": ["call"]}, {}, "never surveys “{call}” contacts"
    ),
    "excluded_attribute": (
        {"excluded_attributes": {"decision": ["refused"]}},
        {"attributes": {"decision": "refused"}},
        "whose decision is “refused”",
    ),
    "inactive_rule": (
        {"active_from": (utcnow() + timedelta(days=5)).date()}, {}, "Outside the rule's active"
    ),
    "not_sampled": ({"sampling_rate": 0.000001}, {}, "Not sampled: the rule surveys"),
    "no_contact_details": ({}, {"email": None}, "No contact details"),
    "invalid_phone": (
        {"channel": "sms_twilio"}, {"email": None, "phone": "123"}, "The phone number is not"
    ),
    "stale_event": ({}, {"occurred_at": utcnow() - timedelta(days=30)}, "Too late"),
}  # fmt: skip


@pytest.mark.parametrize("code", list(SKIPS))
def test_each_reason_to_skip_is_explained(db, program, code):
    rule, sample, words = SKIPS[code]
    _rule(db, program, **rule)
    result = simulate(_sample(program, **sample))
    assert (result.outcome, result.code) == ("skip", code)
    words = words.replace("{call}", program.contact_type_label("call", "en"))
    assert words in result.reason, result.reason
    assert result.reason == result.steps[-1]
    assert result.channel is None and result.send_at is None


def test_opted_out(db, program):
    _rule(db, program)
    db.session.add(OptOut(channel="email", client_hash=client_hash("client-1"), source="web"))
    db.session.commit()
    result = simulate(_sample(program))
    assert (result.outcome, result.code) == ("skip", "opted_out")
    assert "Opted out" in result.reason


def test_fatigue_names_the_day_the_client_was_surveyed(db, program):
    _rule(db, program, fatigue_days=30)
    ingest([event_payload(1)])  # client-1, surveyed today
    result = simulate(_sample(program))
    assert (result.outcome, result.code) == ("skip", "fatigue")
    assert "this client was surveyed on" in result.reason
    assert "within 30 days (in any program, by any channel)" in result.reason
    other = simulate(_sample(program, client_ref="client-2"))
    assert other.outcome == "invite"
    assert "Not surveyed in the last 30 days" in " ".join(other.steps)


def test_quota_full_and_left(db, program):
    _rule(db, program, quota_limit=1)
    before = simulate(_sample(program))
    assert before.outcome == "invite"
    assert "Quota: 0 of 1 invitations" in " ".join(before.steps)
    ingest([event_payload(5)])
    result = simulate(_sample(program, client_ref="client-9"))
    assert (result.outcome, result.code) == ("skip", "quota_full")
    assert "Quota full: 1 of 1 invitations already planned" in result.reason


def test_in_french(app, db, program):
    _rule(db, program, excluded_contact_types=["call"])
    with app.test_request_context(), force_locale("fr"):
        result = simulate(_sample(program))
    label = program.contact_type_label("call", "fr")
    assert result.reason == f"Exclu : la règle ne sonde jamais les contacts de type « {label} »."


def test_simulating_writes_nothing(app: Flask, db, program):
    _rule(db, program, quota_limit=5)
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement.lstrip().split()[0].upper())

    sa_event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert simulate(_sample(program)).outcome == "invite"
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", count)
    assert set(statements) <= {"SELECT", "WITH"}, statements
    assert not db.session.new and not db.session.dirty


def test_the_command_line_prints_the_outcome_and_each_step(app: Flask, db, program):
    _rule(db, program, excluded_attributes={"decision": ["refused"]})
    args = ["simulate", "--program", "passport", "--contact-type", "call", "--client", "c-1"]
    result = app.test_cli_runner().invoke(
        args=[*args, "--email", "c1@example.org", "--attribute", "decision=refused"]
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith("skip: Excluded: the rule never surveys contacts whose")
    assert "  1. The program's rule for every contact type applies." in result.output
