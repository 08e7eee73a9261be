"""Distribution: decide whether and how to survey a contact, and record why."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select

from feedback.channels.registry import get_channel
from feedback.contacts.models import ContactEvent
from feedback.db_types import utcnow
from feedback.delivery.models import Invitation, InvitationStatus
from feedback.delivery.services import is_opted_out, record_transition
from feedback.distribution.models import DistributionRule
from feedback.extensions import db
from feedback.security import address_hash

# Statuses that count as "this client was surveyed" for the fatigue rule.
SURVEYED = (
    InvitationStatus.SCHEDULED,
    InvitationStatus.SENDING,
    InvitationStatus.SENT,
    InvitationStatus.OPENED,
    InvitationStatus.COMPLETED,
    InvitationStatus.EXPIRED,
)


@dataclass(frozen=True)
class ClientDetails:
    email: str | None
    phone: str | None
    timezone: str | None


def find_rule(program_id: str, contact_type: str) -> DistributionRule | None:
    """A rule for the exact contact type wins over the program's catch-all rule."""
    rules = db.session.scalars(
        select(DistributionRule).where(
            DistributionRule.program_id == program_id,
            DistributionRule.active.is_(True),
            or_(
                DistributionRule.contact_type == contact_type,
                DistributionRule.contact_type.is_(None),
            ),
        )
    ).all()
    exact = [r for r in rules if r.contact_type == contact_type]
    return (exact or list(rules) or [None])[0]


def sampled_in(event_id: str, rate: float) -> bool:
    """Deterministic per event, so a replayed decision comes out the same."""
    if rate >= 1:
        return True
    bucket = int(hashlib.sha256(event_id.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return bucket < rate


def recently_surveyed(client_hash: str, days: int, now: datetime) -> bool:
    if days <= 0:
        return False
    found = db.session.scalar(
        select(Invitation.id)
        .where(
            Invitation.client_hash == client_hash,
            Invitation.status.in_(SURVEYED),
            Invitation.created_at >= now - timedelta(days=days),
        )
        .limit(1)
    )
    return found is not None


def outside_quiet_hours(
    moment: datetime, zone: str, start: int | None, end: int | None
) -> datetime:
    """The first moment at or after `moment` that is not within [start, end) local hours."""
    if start is None or end is None or start == end:
        return moment
    local = moment.astimezone(ZoneInfo(zone))
    hour = local.hour
    quiet = (start <= hour < end) if start < end else (hour >= start or hour < end)
    if not quiet:
        return moment
    resume = local.replace(hour=end, minute=0, second=0, microsecond=0)
    if resume <= local:
        resume += timedelta(days=1)
    return resume.astimezone(moment.tzinfo)


def plan_invitation(event: ContactEvent, client: ClientDetails) -> Invitation:
    """Create the event's invitation: scheduled with a due time, or skipped with a reason."""
    now = utcnow()
    invitation = Invitation(
        event_id=event.id,
        program_id=event.program_id,
        language=event.language,
        client_hash=event.client_hash,
        timezone=client.timezone,
        created_at=now,
    )
    rule = find_rule(event.program_id, event.contact_type)
    reason = _skip_reason(event, client, rule, invitation, now)
    if reason is None:
        assert rule is not None
        due = max(event.occurred_at + timedelta(minutes=rule.delay_minutes), now)
        zone = client.timezone or event.program.timezone
        invitation.due_at = outside_quiet_hours(
            due, zone, rule.quiet_start_hour, rule.quiet_end_hour
        )
        invitation.expires_at = invitation.due_at + timedelta(days=rule.expiry_days)
        invitation.status = InvitationStatus.SCHEDULED
    else:
        invitation.status = InvitationStatus.SKIPPED
        invitation.reason = reason
        invitation.email = invitation.phone = None
    db.session.add(invitation)
    db.session.flush()
    record_transition(invitation, None, invitation.status, invitation.reason)
    return invitation


def _skip_reason(
    event: ContactEvent,
    client: ClientDetails,
    rule: DistributionRule | None,
    invitation: Invitation,
    now: datetime,
) -> str | None:
    if rule is None:
        return "no_rule"
    invitation.rule_id = rule.id
    invitation.channel = rule.channel
    invitation.questionnaire_version_id = rule.questionnaire_version_id
    channel = get_channel(rule.channel)
    if channel is None:
        return "channel_unavailable"
    if not channel.can_reach(client.email, client.phone):
        return "no_contact_details"
    invitation.email = client.email if "email" in channel.requires else None
    invitation.phone = client.phone if "phone" in channel.requires else None
    address = invitation.email or invitation.phone
    invitation.address_hash = address_hash(address) if address else None
    if is_opted_out(rule.channel, invitation.address_hash, event.client_hash):
        return "opted_out"
    if event.occurred_at + timedelta(days=rule.expiry_days) < now:
        return "stale_event"
    if not sampled_in(event.id, rule.sampling_rate):
        return "not_sampled"
    if recently_surveyed(event.client_hash, rule.fatigue_days, now):
        return "fatigue"
    return None
