"""Distribution rules: which contacts get an invitation, when, and why the others do not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from feedback.consent.models import OptOut
from feedback.contacts.services import ingest
from feedback.db_types import utcnow
from feedback.distribution.planning import outside_quiet_hours, sampled_in
from feedback.invitations.models import InvitationStatus
from feedback.security import client_hash
from tests.factories import event_payload, make_rule, make_setup


def _invitation(payload):
    [result] = ingest([payload])
    assert result.status == "created", result.errors
    return result.event.invitation


def test_scheduled_after_the_rule_delay(db):
    program, version, rule = make_setup()
    rule.delay_minutes = 60
    db.session.commit()
    occurred = utcnow()
    invitation = _invitation(event_payload(occurred_at=occurred.isoformat()))
    assert invitation.status is InvitationStatus.SCHEDULED
    assert abs((invitation.due_at - occurred) - timedelta(minutes=60)) < timedelta(seconds=1)
    assert invitation.expires_at - invitation.due_at == timedelta(days=rule.expiry_days)
    assert [t.to_status for t in invitation.transitions] == [InvitationStatus.SCHEDULED]


def test_no_rule_is_skipped_with_reason(db):
    program, version, rule = make_setup()
    rule.active = False
    db.session.commit()
    invitation = _invitation(event_payload())
    assert (invitation.status, invitation.reason) == (InvitationStatus.SKIPPED, "no_rule")
    assert invitation.email is None  # nothing kept for a contact we will not survey


def test_specific_contact_type_rule_wins(db):
    program, version, catch_all = make_setup()
    specific = make_rule(program, version, contact_type="call", delay_minutes=5)
    db.session.commit()
    assert _invitation(event_payload()).rule_id == specific.id
    assert _invitation(event_payload(2, contact_type="visit")).rule_id == catch_all.id


def test_fatigue_rule_skips_a_recently_surveyed_client(db):
    make_setup()
    first = _invitation(event_payload(1))
    same_client = event_payload(2)
    same_client["client"]["reference"] = "client-1"
    second = _invitation(same_client)
    assert first.status is InvitationStatus.SCHEDULED
    assert (second.status, second.reason) == (InvitationStatus.SKIPPED, "fatigue")


def test_opted_out_client_is_skipped(db):
    make_setup()
    db.session.add(OptOut(channel="email", client_hash=client_hash("client-1"), source="web"))
    db.session.commit()
    invitation = _invitation(event_payload(1))
    assert (invitation.status, invitation.reason) == (InvitationStatus.SKIPPED, "opted_out")


def test_missing_contact_detail_for_the_channel_is_skipped(db):
    make_setup()
    payload = event_payload(1)
    payload["client"] = {"reference": "c1", "phone": "+1 613 555 0101"}
    invitation = _invitation(payload)
    assert (invitation.status, invitation.reason) == (
        InvitationStatus.SKIPPED,
        "no_contact_details",
    )


def test_stale_event_is_not_surveyed(db):
    make_setup()
    old = (utcnow() - timedelta(days=60)).isoformat()
    invitation = _invitation(event_payload(occurred_at=old))
    assert invitation.reason == "stale_event"


def test_sampling_is_deterministic_and_close_to_the_rate():
    ids = [f"00000000-0000-4000-8000-{n:012d}" for n in range(4000)]
    picked = [sampled_in(i, 0.25) for i in ids]
    assert picked == [sampled_in(i, 0.25) for i in ids]
    assert 0.22 < sum(picked) / len(ids) < 0.28
    assert all(sampled_in(i, 1.0) for i in ids[:10])
    assert not any(sampled_in(i, 0.0) for i in ids[:10])


def test_sampled_out_event_is_skipped(db):
    program, version, rule = make_setup()
    rule.sampling_rate = 0.0
    db.session.commit()
    assert _invitation(event_payload()).reason == "not_sampled"


def test_quiet_hours_wait_until_morning_in_the_clients_zone():
    # 02:30 UTC = 21:30 in Toronto (EST): quiet from 21:00 to 08:00, so 08:00 local = 13:00 UTC.
    moment = datetime(2026, 11, 24, 2, 30, tzinfo=UTC)
    resumed = outside_quiet_hours(moment, "America/Toronto", 21, 8)
    assert resumed == datetime(2026, 11, 24, 13, 0, tzinfo=UTC)
    # 15:00 Toronto is allowed as is; Vancouver 05:00 waits three hours.
    allowed = datetime(2026, 11, 24, 20, 0, tzinfo=UTC)
    assert outside_quiet_hours(allowed, "America/Toronto", 21, 8) == allowed
    early = datetime(2026, 11, 24, 13, 0, tzinfo=UTC)
    assert outside_quiet_hours(early, "America/Vancouver", 21, 8) == datetime(
        2026, 11, 24, 16, 0, tzinfo=UTC
    )
    # A daytime quiet window (12-13) works too, and no window means no change.
    noon = datetime(2026, 11, 24, 17, 30, tzinfo=UTC)  # 12:30 Toronto
    assert outside_quiet_hours(noon, "America/Toronto", 12, 13) == datetime(
        2026, 11, 24, 18, 0, tzinfo=UTC
    )
    assert outside_quiet_hours(noon, "America/Toronto", None, None) == noon


def test_rule_quiet_hours_apply_to_the_due_time(db):
    program, version, rule = make_setup()
    rule.quiet_start_hour, rule.quiet_end_hour = 21, 8
    db.session.commit()
    invitation = _invitation(event_payload(occurred_at=utcnow().isoformat()))
    local_hour = invitation.due_at.astimezone(ZoneInfo("America/Toronto")).hour
    assert 8 <= local_hour < 21
