"""Planning: decide whether and how to survey a contact (rule, channel, mode, when), and why.

Events are planned a batch at a time (a single event is a batch of one): what the decisions read
(the rules, the opt-outs of the batch's clients and addresses, the clients surveyed lately) is
loaded once per batch into :class:`Lookups`, each event is then decided in memory and in order,
and the invitations are stored together by :func:`lifecycle.start_many`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import func, select

from feedback.bulk import among
from feedback.channels.base import Channel
from feedback.channels.registry import get_channel
from feedback.consent.opt_outs import KnownOptOuts, known_opt_outs
from feedback.db_types import new_id, utcnow
from feedback.distribution.models import DistributionRule
from feedback.distribution.quiet_hours import outside_quiet_hours, quiet_window
from feedback.extensions import db
from feedback.invitations import lifecycle
from feedback.invitations.lifecycle import NewInvitation
from feedback.invitations.models import Invitation, InvitationMode, InvitationStatus
from feedback.security import address_hash

__all__ = [
    "ClientDetails",
    "NewEvent",
    "Plan",
    "Rules",
    "invalid_phone_acceptable",
    "outside_quiet_hours",
    "plan_invitations",
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


@dataclass(frozen=True)
class NewEvent:
    """What planning reads of a contact event stored in the same batch (no ORM row is loaded)."""

    id: str
    program_id: str
    contact_type: str
    occurred_at: datetime
    language: str
    client_hash: str
    #: The program's time zone: quiet hours for a client who gave none.
    program_timezone: str


class Plan(NamedTuple):
    """One event's invitation as decided, its first status and the reason (what
    :func:`lifecycle.start_many` records)."""

    invitation: NewInvitation
    status: InvitationStatus
    reason: str | None


class Rules:
    """The active rules of some programs, read in one query."""

    def __init__(self, program_ids: Iterable[str]) -> None:
        ids = set(program_ids)
        found = (
            db.session.scalars(
                select(DistributionRule)
                .where(DistributionRule.program_id.in_(ids), DistributionRule.active.is_(True))
                .order_by(DistributionRule.id)
            ).all()
            if ids
            else []
        )
        self.all: list[DistributionRule] = list(found)
        self._found: dict[tuple[str, str], DistributionRule | None] = {}

    def find(self, program_id: str, contact_type: str) -> DistributionRule | None:
        """A rule for the exact contact type wins over the program's catch-all rule."""
        wanted = (program_id, contact_type)
        if wanted not in self._found:
            mine = [r for r in self.all if r.program_id == program_id]
            exact = [r for r in mine if r.contact_type == contact_type]
            catch_all = [r for r in mine if r.contact_type is None]
            self._found[wanted] = (exact or catch_all or [None])[0]
        return self._found[wanted]


def sampled_in(event_id: str, rate: float) -> bool:
    """Deterministic per event, so a replayed decision comes out the same."""
    if rate >= 1:
        return True
    bucket = int(hashlib.sha256(event_id.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return bucket < rate


def invalid_phone_acceptable(rule: DistributionRule | None) -> bool:
    """Whether an event with an invalid phone (and an email) may still be surveyed under `rule`.

    Only when the rule names a fallback channel that reaches clients by email; otherwise the
    invalid phone is reported to the sender as a per-field error.
    """
    fallback = get_channel(rule.fallback_channel) if rule and rule.fallback_channel else None
    return fallback is not None and fallback.requires <= {"email"}


class Lookups:
    """What the decisions of one batch read, loaded once: its rules, the opt-outs of its clients
    and addresses, and when each of its clients was last surveyed (for the fatigue rule)."""

    def __init__(
        self, rules: Rules, events: Sequence[tuple[NewEvent, ClientDetails]], now: datetime
    ) -> None:
        self.rules = rules
        self._address_hashes = {
            address: address_hash(address)
            for _, client in events
            for address in (client.email, client.phone)
            if address
        }
        clients = {event.client_hash for event, _ in events}
        self.opt_outs: KnownOptOuts = known_opt_outs(clients, set(self._address_hashes.values()))
        days = max((rule.fatigue_days for rule in rules.all), default=0)
        self._last_surveyed = (
            _last_surveyed(clients, now - timedelta(days=days)) if days > 0 else {}
        )

    def address_hash(self, address: str) -> str:
        return self._address_hashes.get(address) or address_hash(address)

    def recently_surveyed(self, client_hash: str, days: int, now: datetime) -> bool:
        if days <= 0:
            return False
        last = self._last_surveyed.get(client_hash)
        return last is not None and last >= now - timedelta(days=days)

    def surveyed(self, client_hash: str, at: datetime) -> None:
        """An invitation was scheduled for this client: a later event of the batch sees it."""
        self._last_surveyed[client_hash] = at


def _last_surveyed(client_hashes: set[str], since: datetime) -> dict[str, datetime]:
    """The latest invitation since `since` that counts as a survey, by client."""
    if not client_hashes:
        return {}
    rows = db.session.execute(
        select(Invitation.client_hash, func.max(Invitation.created_at))
        .where(
            among(Invitation.client_hash, client_hashes),
            Invitation.status.in_(SURVEYED),
            Invitation.created_at >= since,
        )
        .group_by(Invitation.client_hash)
    )
    return {client: at for client, at in rows}


def plan_invitations(
    events: Sequence[tuple[NewEvent, ClientDetails]], rules: Rules, now: datetime | None = None
) -> list[Plan]:
    """Plan the invitations of newly stored events, in their order, and start them (scheduled
    with a due time, or skipped with a reason). An invitation scheduled for a client earlier in
    the batch counts for the fatigue rule of that client's later events."""
    now = now or utcnow()
    lookups = Lookups(rules, events, now)
    plans = [_plan(event, client, lookups, now) for event, client in events]
    lifecycle.start_many(plans)
    return plans


def _plan(event: NewEvent, client: ClientDetails, lookups: Lookups, now: datetime) -> Plan:
    invitation = NewInvitation(
        id=new_id(),
        event_id=event.id,
        program_id=event.program_id,
        language=event.language,
        client_hash=event.client_hash,
        timezone=client.timezone,
        created_at=now,
    )
    rule = lookups.rules.find(event.program_id, event.contact_type)
    skip, note = _decide(event, client, rule, invitation, lookups, now)
    if skip is not None:
        return Plan(invitation, InvitationStatus.SKIPPED, skip)
    assert rule is not None
    channel = get_channel(invitation.channel or "")
    due = max(event.occurred_at + timedelta(minutes=rule.delay_minutes), now)
    zone = client.timezone or event.program_timezone
    invitation.due_at = outside_quiet_hours(due, zone, *quiet_window(rule, channel))
    invitation.expires_at = invitation.due_at + timedelta(days=rule.expiry_days)
    lookups.surveyed(event.client_hash, now)
    return Plan(invitation, InvitationStatus.SCHEDULED, note)


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
    event: NewEvent,
    client: ClientDetails,
    rule: DistributionRule | None,
    invitation: NewInvitation,
    lookups: Lookups,
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
    invitation.address_hash = lookups.address_hash(address) if address else None
    skip = None
    if lookups.opt_outs.covers(channel.name, invitation.address_hash, event.client_hash):
        skip = "opted_out"
    elif event.occurred_at + timedelta(days=rule.expiry_days) < now:
        skip = "stale_event"
    elif not sampled_in(event.id, rule.sampling_rate):
        skip = "not_sampled"
    elif lookups.recently_surveyed(event.client_hash, rule.fatigue_days, now):
        skip = "fatigue"
    return skip, decision
