"""Planning: decide whether and how to survey a contact (rule, channel, mode, when), and why."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select

from feedback.channels.base import Channel
from feedback.channels.registry import get_channel
from feedback.consent.opt_outs import is_opted_out
from feedback.contacts.models import ContactEvent
from feedback.db_types import utcnow
from feedback.distribution.models import DistributionRule
from feedback.distribution.quiet_hours import outside_quiet_hours, quiet_window
from feedback.extensions import db
from feedback.invitations import lifecycle
from feedback.invitations.models import Invitation, InvitationMode, InvitationStatus
from feedback.security import address_hash

__all__ = [
    "ClientDetails",
    "find_rule",
    "invalid_phone_acceptable",
    "outside_quiet_hours",
    "plan_invitation",
    "sampled_in",
]

# Statuses that count as "this client was surveyed" for the fatigue rule.
SURVEYED = (
    InvitationStatus.SCHEDULED,
    InvitationStatus.SENDING,
    InvitationStatus.SENT,
    InvitationStatus.DELIVERED,
    InvitationStatus.OPENED,
    InvitationStatus.COMPLETED,
    InvitationStatus.EXPIRED,
)


@dataclass(frozen=True)
class ClientDetails:
    email: str | None
    phone: str | None
    timezone: str | None
    #: A phone number was given but was not valid (and so is None above).
    phone_invalid: bool = False


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


def invalid_phone_acceptable(program_id: str, contact_type: str) -> bool:
    """Whether an event with an invalid phone (and an email) may still be surveyed.

    Only when its rule names a fallback channel that reaches clients by email; otherwise the
    invalid phone is reported to the sender as a per-field error.
    """
    rule = find_rule(program_id, contact_type)
    fallback = get_channel(rule.fallback_channel) if rule and rule.fallback_channel else None
    return fallback is not None and fallback.requires <= {"email"}


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
    skip, note = _decide(event, client, rule, invitation, now)
    if skip is None:
        assert rule is not None
        channel = get_channel(invitation.channel or "")
        due = max(event.occurred_at + timedelta(minutes=rule.delay_minutes), now)
        zone = client.timezone or event.program.timezone
        invitation.due_at = outside_quiet_hours(due, zone, *quiet_window(rule, channel))
        invitation.expires_at = invitation.due_at + timedelta(days=rule.expiry_days)
        lifecycle.start(invitation, InvitationStatus.SCHEDULED, note)
    else:
        lifecycle.start(invitation, InvitationStatus.SKIPPED, skip)
    return invitation


def invitation_mode(mode: InvitationMode, channel: Channel) -> InvitationMode:
    """The rule's mode if the channel can carry it, else a link."""
    if (mode is InvitationMode.CONVERSATION and channel.conversations) or (
        mode is InvitationMode.CALLBACK and channel.calls_back
    ):
        return mode
    return InvitationMode.LINK


def _reachable_channel(
    rule: DistributionRule, client: ClientDetails
) -> tuple[Channel | None, str | None]:
    """The rule's channel, or its fallback when the rule's cannot reach the client.

    Returns the channel (None when there is none) and the reason it was chosen or refused.
    """
    channel = get_channel(rule.channel)
    if channel is None:
        return None, "channel_unavailable"
    if channel.can_reach(client.email, client.phone):
        return channel, None
    why = "invalid_phone" if client.phone_invalid and "phone" in channel.requires else None
    fallback = get_channel(rule.fallback_channel) if rule.fallback_channel else None
    if fallback is not None and fallback.can_reach(client.email, client.phone):
        return fallback, f"fallback_{why or 'no_contact_details'}"
    return None, why or "no_contact_details"


def _decide(
    event: ContactEvent,
    client: ClientDetails,
    rule: DistributionRule | None,
    invitation: Invitation,
    now: datetime,
) -> tuple[str | None, str | None]:
    """(why the event is not surveyed, None if it is; a note such as a fallback's reason)."""
    if rule is None:
        return "no_rule", None
    invitation.rule_id = rule.id
    invitation.channel = rule.channel
    invitation.questionnaire_version_id = rule.questionnaire_version_id
    channel, decision = _reachable_channel(rule, client)
    if channel is None:
        return decision, None
    invitation.channel = channel.name
    invitation.mode = invitation_mode(rule.mode, channel)
    invitation.email = client.email if "email" in channel.requires else None
    invitation.phone = client.phone if "phone" in channel.requires else None
    address = invitation.email or invitation.phone
    invitation.address_hash = address_hash(address) if address else None
    skip = None
    if is_opted_out(channel.name, invitation.address_hash, event.client_hash):
        skip = "opted_out"
    elif event.occurred_at + timedelta(days=rule.expiry_days) < now:
        skip = "stale_event"
    elif not sampled_in(event.id, rule.sampling_rate):
        skip = "not_sampled"
    elif recently_surveyed(event.client_hash, rule.fatigue_days, now):
        skip = "fatigue"
    return skip, decision
