"""The rule fields of the program manager's workspace, as ingest applies them: the latest
published version, attribute filters, exclusions, active dates, a quota per day or month (never
exceeded, even by concurrent batches), fatigue across programs and channels; and ingest still
takes the same few statements whatever the batch's size."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event as sa_event
from sqlalchemy import func, select

from feedback.contacts.services import ingest
from feedback.db_types import utcnow
from feedback.distribution.models import DistributionRule, RuleQuotaUsage
from feedback.distribution.planning import local_date
from feedback.distribution.rules import RuleError, RuleSpec, create_rule, validate
from feedback.invitations.models import Invitation, InvitationMode, InvitationStatus
from feedback.questionnaires import authoring
from tests.factories import event_payload, make_program, make_questionnaire, make_rule

S = InvitationStatus


@pytest.fixture()
def setup(db):
    program = make_program()
    version = make_questionnaire(program)
    db.session.commit()
    return program, version


def _spec(setup, **fields: Any) -> RuleSpec:
    program, version = setup
    return RuleSpec(**{"program": program, "version": version, "channel": "email", **fields})


def _rule(db, setup, **fields: Any):
    rule = create_rule(_spec(setup, **fields))
    db.session.commit()
    return rule


def _ingest(*payloads: dict[str, Any]) -> list[Invitation]:
    results = ingest(list(payloads))
    assert all(r.status == "created" for r in results), [r.errors for r in results]
    return [r.event.invitation for r in results]


def _outcome(invitation: Invitation) -> tuple[InvitationStatus, str | None]:
    return invitation.status, invitation.reason


# --- Validation ----------------------------------------------------------------------------

INVALID = {
    "no questionnaire": ({"version": None}, "questionnaire", "choose a questionnaire"),
    "filters not lists": ({"attribute_filters": {"region": "east"}}, "attribute_filters", "list"),
    "filter without values": (
        {"attribute_filters": {"region": [" "]}}, "attribute_filters", "at least one value"
    ),
    "exclusion not lists": ({"excluded_attributes": {"x": 1}}, "excluded_attributes", "list"),
    "own type excluded": (
        {"contact_type": "call", "excluded_contact_types": ["call"]},
        "excluded_contact_types",
        "cannot exclude",
    ),
    "quota 0": ({"quota_limit": 0}, "quota_limit", "from 1 to"),
    "quota per week": (
        {"quota_limit": 5, "quota_period": "week"}, "quota_period", "day or a month"
    ),
    "reminder after expiry": (
        {"reminder_after_days": 14}, "reminder_after_days", "before the invitation expires"
    ),
    "reminder 0": ({"reminder_after_days": 0}, "reminder_after_days", "from 1 to 13"),
    "dates reversed": (
        {"active_from": date(2026, 12, 1), "active_until": date(2026, 11, 1)},
        "active_until",
        "on or after",
    ),
}  # fmt: skip


@pytest.mark.parametrize(("change", "field", "message"), INVALID.values(), ids=list(INVALID))
def test_each_invalid_new_field_is_named(setup, change, field, message):
    with pytest.raises(RuleError) as refused:
        validate(_spec(setup, **change))
    assert list(refused.value.errors) == [field]
    assert message in refused.value.errors[field]


def test_a_reminder_needs_the_link_mode(app, setup):
    program, version = setup
    spec = RuleSpec(
        program=program,
        version=version,
        channel="email",
        mode=InvitationMode.CALLBACK,
        reminder_after_days=3,
    )
    with pytest.raises(RuleError) as refused:
        validate(spec)
    assert "reminder_after_days" in refused.value.errors


def test_a_rule_following_the_latest_version_needs_a_published_one(db, setup):
    program, _version = setup
    draft_only = authoring.create_questionnaire(program, "draft", {"en": "T", "fr": "T"})
    with pytest.raises(RuleError) as refused:
        validate(RuleSpec(program=program, questionnaire=draft_only.questionnaire, channel="email"))
    assert "no published version" in refused.value.errors["questionnaire"]


def test_values_are_cleaned_and_stored(db, setup):
    rule = _rule(
        db,
        setup,
        attribute_filters={" region ": ["east", " east", "north"]},
        excluded_contact_types=["visit", "visit", " "],
        excluded_attributes={"decision": ["refused"]},
        quota_limit=10,
        quota_period="month",
        reminder_after_days=3,
        active_from=date(2026, 1, 1),
    )
    assert rule.attribute_filters == {"region": ["east", "north"]}
    assert rule.excluded_contact_types == ["visit"]
    assert (rule.quota_limit, rule.quota_period, rule.reminder_after_days) == (10, "month", 3)


# --- Effects at ingest ---------------------------------------------------------------------


def test_a_rule_follows_the_latest_published_version(db, setup):
    program, version = setup
    rule = create_rule(
        RuleSpec(program=program, questionnaire=version.questionnaire, channel="email")
    )
    db.session.commit()
    assert rule.questionnaire_version_id is None
    [first] = _ingest(event_payload(1))
    assert first.questionnaire_version_id == version.id
    draft = authoring.new_draft(version.questionnaire)
    authoring.publish(draft)
    db.session.commit()
    [second] = _ingest(event_payload(2))
    assert second.questionnaire_version_id == draft.id != version.id
    pinned = _rule(db, setup, contact_type="call")  # pinned to version 1
    [third] = _ingest(event_payload(3))
    assert (third.rule_id, third.questionnaire_version_id) == (pinned.id, version.id)


def test_attribute_filters_narrow_a_rule_and_the_narrowest_wins(db, setup):
    broad = _rule(db, setup)
    east = _rule(db, setup, attribute_filters={"region": ["east"]}, delay_minutes=5)
    # A narrowed rule does not replace the broad one (another audience).
    assert broad.active and east.active
    in_east, in_west, no_region = _ingest(
        event_payload(1, attributes={"region": "east"}),
        event_payload(2, attributes={"region": "west"}),
        event_payload(3),
    )
    assert (in_east.rule_id, in_west.rule_id, no_region.rule_id) == (east.id, broad.id, broad.id)
    broad.active = False
    db.session.commit()
    [west] = _ingest(event_payload(4, attributes={"region": "west"}))
    assert _outcome(west) == (S.SKIPPED, "filtered")


def test_excluded_contact_types_and_attribute_values_are_never_surveyed(db, setup):
    _rule(
        db,
        setup,
        excluded_contact_types=["visit"],
        excluded_attributes={"decision": ["refused"], "file": ["sensitive"]},
    )
    visit, refused, sensitive, other = _ingest(
        event_payload(1, contact_type="visit"),
        event_payload(2, attributes={"decision": "refused"}),
        event_payload(3, attributes={"decision": "granted", "file": "sensitive"}),
        event_payload(4, attributes={"decision": "granted"}),
    )
    assert _outcome(visit) == (S.SKIPPED, "excluded_contact_type")
    assert _outcome(refused) == (S.SKIPPED, "excluded_attribute")
    assert _outcome(sensitive) == (S.SKIPPED, "excluded_attribute")
    assert _outcome(other) == (S.SCHEDULED, None)
    assert visit.email is None  # nothing kept for a contact we will not survey


def test_active_dates_bound_the_contacts_a_rule_takes(db, setup):
    program, _ = setup
    occurred = utcnow() - timedelta(days=1)
    day = local_date(occurred, program.timezone)
    rule = _rule(db, setup, active_from=day + timedelta(days=1))
    [early] = _ingest(event_payload(1, occurred_at=occurred.isoformat()))
    assert _outcome(early) == (S.SKIPPED, "inactive_rule")
    rule.active_from, rule.active_until = day, day
    db.session.commit()
    [inside] = _ingest(event_payload(2, occurred_at=occurred.isoformat()))
    assert _outcome(inside) == (S.SCHEDULED, None)
    rule.active_from, rule.active_until = None, day - timedelta(days=1)
    db.session.commit()
    [late] = _ingest(event_payload(3, occurred_at=occurred.isoformat()))
    assert _outcome(late) == (S.SKIPPED, "inactive_rule")


def test_a_quota_per_day_counts_within_a_batch_and_across_batches(db, setup):
    rule = _rule(db, setup, quota_limit=3)
    first = _ingest(*(event_payload(i) for i in range(5)))
    assert [_outcome(i)[1] for i in first] == [None, None, None, "quota_full", "quota_full"]
    second = _ingest(*(event_payload(i) for i in range(10, 12)))
    assert {_outcome(i) for i in second} == {(S.SKIPPED, "quota_full")}
    # Skipped events do not count; the counter is the rule's, for today in the program's zone.
    usage = db.session.scalars(select(RuleQuotaUsage)).all()
    today = local_date(utcnow(), setup[0].timezone)
    assert [(u.rule_id, u.period, u.used) for u in usage] == [(rule.id, today.isoformat(), 3)]


def test_a_quota_per_month_and_skipped_events_do_not_count(db, setup):
    _rule(db, setup, quota_limit=2, quota_period="month", excluded_contact_types=["visit"])
    invitations = _ingest(
        event_payload(1, contact_type="visit"),
        event_payload(2),
        event_payload(3),
        event_payload(4),
    )
    reasons = [_outcome(i)[1] for i in invitations]
    assert reasons == ["excluded_contact_type", None, None, "quota_full"]
    [usage] = db.session.scalars(select(RuleQuotaUsage)).all()
    assert (len(usage.period), usage.used) == (7, 2)  # "2026-11"


def test_a_quota_is_never_exceeded_by_concurrent_batches(app: Flask, db, setup):
    """Four batches of 30 events at once against a quota of 50: exactly 50 invitations."""
    rule_id = _rule(db, setup, quota_limit=50).id
    db.session.remove()
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def batch(n: int) -> None:
        try:
            with app.app_context():
                start.wait(timeout=30)
                results = ingest([event_payload(n * 100 + i) for i in range(30)])
                assert all(r.status == "created" for r in results)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=batch, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    counts = dict(
        db.session.execute(
            select(Invitation.status, func.count()).group_by(Invitation.status)
        ).all()
    )
    assert counts == {S.SCHEDULED: 50, S.SKIPPED: 70}
    assert db.session.scalar(select(RuleQuotaUsage.used)) == 50
    assert (
        db.session.scalar(
            select(func.count()).where(
                Invitation.reason == "quota_full", Invitation.rule_id == rule_id
            )
        )
        == 70
    )


def test_fatigue_holds_across_programs_and_channels(db, setup):
    """A client surveyed by another program, through another channel, is not surveyed again
    within the rule's days."""
    _rule(db, setup, fatigue_days=30)
    other = make_program("other")
    other_version = make_questionnaire(other)
    make_rule(other, other_version, fatigue_days=0)
    db.session.commit()
    [elsewhere] = _ingest(event_payload(1, program="other"))
    elsewhere.channel = "sms_twilio"  # as if surveyed by text message
    db.session.commit()
    same_client = event_payload(2)
    same_client["client"]["reference"] = "client-1"
    [here] = _ingest(same_client)
    assert _outcome(here) == (S.SKIPPED, "fatigue")


def test_ingest_statements_do_not_grow_with_the_batch(app: Flask, db, setup):
    """With every new field set (a quota among them), a batch of 10 and one of 200 take the
    same statements."""
    program, version = setup
    create_rule(
        RuleSpec(
            program=program,
            questionnaire=version.questionnaire,
            channel="email",
            attribute_filters={"region": ["east", "west"]},
            excluded_contact_types=["visit"],
            excluded_attributes={"decision": ["refused"]},
            quota_limit=40,
            reminder_after_days=3,
            active_from=date(2020, 1, 1),
        )
    )
    _rule(db, setup, quota_limit=1000, quota_period="month")
    ingest([event_payload(0)])
    counted: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        counted.append(statement)

    def payloads(start: int, size: int) -> list[dict[str, Any]]:
        regions = ("east", "west", "north")
        return [
            event_payload(
                start + i,
                contact_type="visit" if i % 7 == 0 else "call",
                attributes={
                    "region": regions[i % 3],
                    "decision": "refused" if i % 5 == 0 else "ok",
                },
            )
            for i in range(size)
        ]

    sa_event.listen(db.engine, "before_cursor_execute", count)
    try:
        sizes = {}
        for start, size in ((100, 10), (1000, 200)):
            counted.clear()
            ingest(payloads(start, size))
            sizes[size] = len(counted)
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", count)
    assert sizes[10] == sizes[200] <= 14, sizes
    reasons = dict(
        db.session.execute(
            select(Invitation.reason, func.count()).group_by(Invitation.reason)
        ).all()
    )
    assert reasons["quota_full"] > 0 and reasons["excluded_attribute"] > 0


def test_replacing_a_rule_keeps_its_narrowed_siblings(db, setup):
    broad = _rule(db, setup)
    east = _rule(db, setup, attribute_filters={"region": ["east"]})
    new_east = create_rule(replace(_spec(setup), attribute_filters={"region": ["east"]}))
    db.session.commit()
    db.session.expire_all()
    assert (broad.active, east.active, new_east.active) == (True, False, True)


def test_add_rule_on_the_command_line_takes_the_new_fields(app: Flask, db, setup):
    result = app.test_cli_runner().invoke(
        args=[
            "add-rule", "--program", "passport", "--questionnaire", "after-contact",
            "--channel", "email", "--latest", "--only", "region=east,west",
            "--exclude-type", "visit", "--exclude", "decision=refused", "--quota", "5",
            "--quota-period", "month", "--reminder-days", "3", "--active-from", "2026-01-01",
        ]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rule = db.session.scalars(select(DistributionRule)).one()
    assert rule.questionnaire_version_id is None and rule.questionnaire_id is not None
    assert rule.attribute_filters == {"region": ["east", "west"]}
    assert (rule.excluded_contact_types, rule.excluded_attributes) == (
        ["visit"],
        {"decision": ["refused"]},
    )
    assert (rule.quota_limit, rule.quota_period, rule.reminder_after_days) == (5, "month", 3)
    assert rule.active_from == date(2026, 1, 1)
