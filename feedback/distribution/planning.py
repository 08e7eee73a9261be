"""Planning: decide whether and how to survey a contact (rule, channel, mode, when), and why.

Events are planned a batch at a time (a single event is a batch of one): what the decisions read
(the rules and the versions they send, the opt-outs of the batch's clients and addresses, the
clients surveyed lately, the quotas of the batch's rules) is loaded once per batch into
:class:`Lookups`, each event is then decided in memory and in order, and the invitations are
stored together by :func:`lifecycle.start_many`.

:func:`decide` is the one decision: ingest calls it through :func:`plan_invitations`, and the
simulation (:mod:`feedback.distribution.simulate`) calls it with a :data:`Trace` that collects
each check in order and with read-only lookups (no quota reserved, nothing stored).

Quotas: a rule with ``quota_limit`` plans at most that many invitations per local day or
month of its program (counted when planned). Each (rule, period) has a counter row in
``rule_quota_usage``; a batch reads its rules' rows with one ``INSERT ... ON CONFLICT DO UPDATE
... RETURNING`` that also locks them until the batch commits (in a fixed order, so no
deadlock), counts within the batch in memory, and adds what it planned with one UPDATE. A
concurrent batch of the same rule waits for that commit and then reads the new count: the
limit is never exceeded, at the cost of batches of one quota rule taking turns for the end of
their transaction. (SQLite has one writer at a time anyway.)
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, func, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite

from feedback.bulk import among, on_postgres
from feedback.channels.base import Channel
from feedback.channels.registry import enabled_channels, get_channel
from feedback.consent.opt_outs import KnownOptOuts, known_opt_outs
from feedback.db_types import new_id, utcnow
from feedback.distribution.models import DistributionRule, RuleQuotaUsage
from feedback.distribution.quiet_hours import outside_quiet_hours, quiet_window
from feedback.extensions import db
from feedback.invitations import lifecycle
from feedback.invitations.lifecycle import NewInvitation
from feedback.invitations.models import Invitation, InvitationMode, InvitationStatus
from feedback.questionnaires.models import QuestionnaireVersion
from feedback.security import address_hash, keyed_hasher

__all__ = [
    "ClientDetails",
    "Lookups",
    "NewEvent",
    "Plan",
    "RuleSnapshot",
    "Rules",
    "Trace",
    "decide",
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
QUOTAS = RuleQuotaUsage.__table__

#: The checks of one decision in order, each a code and its details (see simulate.py for
#: their wording); None when nobody asked (ingest).
Trace = list[tuple[str, dict[str, Any]]] | None


def _note(trace: Trace, code: str, **details: Any) -> None:
    if trace is not None:
        trace.append((code, details))


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
    #: The program's time zone: quiet hours for a client who gave none, active dates, quotas.
    program_timezone: str
    #: The event's attributes (filters and exclusions read them, as text).
    attributes: Mapping[str, Any] = field(default_factory=dict)


class Plan(NamedTuple):
    """One event's invitation as decided, its first status and the reason (what
    :func:`lifecycle.start_many` records)."""

    invitation: NewInvitation
    status: InvitationStatus
    reason: str | None


def _matches(values: Mapping[str, Sequence[str]], attributes: Mapping[str, Any]) -> bool:
    """Whether the event's attributes hold one of the values for every attribute named."""
    return all(
        name in attributes and str(attributes[name]) in allowed for name, allowed in values.items()
    )


def _latest_published_version() -> Any:
    """The latest published version of the rule's questionnaire (a correlated subquery)."""
    return (
        select(QuestionnaireVersion.id)
        .where(
            QuestionnaireVersion.questionnaire_id == DistributionRule.questionnaire_id,
            QuestionnaireVersion.published_at.is_not(None),
        )
        .order_by(QuestionnaireVersion.number.desc())
        .limit(1)
        .correlate(DistributionRule)
        .scalar_subquery()
    )


@dataclass(frozen=True, slots=True)
class RuleSnapshot:
    """What planning reads of an active rule, copied from its row once a batch: a decision reads
    some thirty of these, and a plain attribute costs a fraction of an ORM-instrumented one.
    Empty JSON settings are {} or [], never None."""

    id: str
    program_id: str
    contact_type: str | None
    channel: str
    mode: InvitationMode
    fallback_channel: str | None
    delay_minutes: int
    sampling_rate: float
    expiry_days: int
    fatigue_days: int
    quiet_start_hour: int | None
    quiet_end_hour: int | None
    attribute_filters: Mapping[str, Sequence[str]]
    excluded_contact_types: Sequence[str]
    excluded_attributes: Mapping[str, Sequence[str]]
    quota_limit: int | None
    quota_period: str
    active_from: date | None
    active_until: date | None
    #: The version the rule sends now: its own, or its questionnaire's latest published.
    version_id: str | None

    @classmethod
    def of(cls, rule: DistributionRule, version_id: str | None) -> RuleSnapshot:
        return cls(
            id=rule.id,
            program_id=rule.program_id,
            contact_type=rule.contact_type,
            channel=rule.channel,
            mode=rule.mode,
            fallback_channel=rule.fallback_channel,
            delay_minutes=rule.delay_minutes,
            sampling_rate=rule.sampling_rate,
            expiry_days=rule.expiry_days,
            fatigue_days=rule.fatigue_days,
            quiet_start_hour=rule.quiet_start_hour,
            quiet_end_hour=rule.quiet_end_hour,
            attribute_filters=rule.attribute_filters or {},
            excluded_contact_types=rule.excluded_contact_types or [],
            excluded_attributes=rule.excluded_attributes or {},
            quota_limit=rule.quota_limit,
            quota_period=rule.quota_period,
            active_from=rule.active_from,
            active_until=rule.active_until,
            version_id=version_id,
        )


class Rules:
    """The active rules of some programs and the version each sends, read in one query."""

    def __init__(self, program_ids: Iterable[str]) -> None:
        ids = set(program_ids)
        rows = (
            db.session.execute(
                select(
                    DistributionRule,
                    func.coalesce(
                        DistributionRule.questionnaire_version_id, _latest_published_version()
                    ),
                )
                .where(DistributionRule.program_id.in_(ids), DistributionRule.active.is_(True))
                .order_by(DistributionRule.id)
            ).all()
            if ids
            else []
        )
        self.all: list[RuleSnapshot] = [RuleSnapshot.of(rule, version) for rule, version in rows]
        self._candidates: dict[tuple[str, str], list[RuleSnapshot]] = {}

    def candidates(self, program_id: str, contact_type: str) -> list[RuleSnapshot]:
        """The rules that may take a contact, best first: for its exact type before the
        catch-all, narrowed by more attributes before fewer."""
        wanted = (program_id, contact_type)
        if wanted not in self._candidates:
            mine = [r for r in self.all if r.program_id == program_id]
            exact = [r for r in mine if r.contact_type == contact_type]
            catch_all = [r for r in mine if r.contact_type is None]
            self._candidates[wanted] = [
                *sorted(exact, key=lambda r: -len(r.attribute_filters)),
                *sorted(catch_all, key=lambda r: -len(r.attribute_filters)),
            ]
        return self._candidates[wanted]

    def find(
        self, program_id: str, contact_type: str, attributes: Mapping[str, Any] | None = None
    ) -> RuleSnapshot | None:
        """The rule for a contact: the first candidate whose filters its attributes meet."""
        for rule in self.candidates(program_id, contact_type):
            if not rule.attribute_filters or _matches(rule.attribute_filters, attributes or {}):
                return rule
        return None

    @property
    def any_quota(self) -> bool:
        """Whether one of the rules has a quota (else a batch has no counter to read)."""
        return any(rule.quota_limit is not None for rule in self.all)


def sampled_in(event_id: str, rate: float) -> bool:
    """Deterministic per event, so a replayed decision comes out the same."""
    if rate >= 1:
        return True
    bucket = int(hashlib.sha256(event_id.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return bucket < rate


def invalid_phone_acceptable(rule: RuleSnapshot | None) -> bool:
    """Whether an event with an invalid phone (and an email) may still be surveyed under `rule`.

    Only when the rule names a fallback channel that reaches clients by email; otherwise the
    invalid phone is reported to the sender as a per-field error.
    """
    fallback = get_channel(rule.fallback_channel) if rule and rule.fallback_channel else None
    return fallback is not None and fallback.requires <= {"email"}


def local_date(moment: datetime, zone: str) -> date:
    return moment.astimezone(ZoneInfo(zone)).date()


def quota_period(rule: RuleSnapshot, moment: datetime, zone: str) -> str:
    """The quota period `moment` falls in, in the program's zone: "2026-11-30" or "2026-11"."""
    day = local_date(moment, zone)
    return day.strftime("%Y-%m") if rule.quota_period == "month" else day.isoformat()


class Lookups:
    """What the decisions of one batch read, loaded once: its rules, the opt-outs of its clients
    and addresses, when each of its clients was last surveyed (for the fatigue rule, across all
    programs and channels), and the quotas of its rules.

    With `reserve` (ingest), the quota counters are locked until the transaction ends and
    :meth:`write_quotas` adds what the batch planned; without (simulation), they are only read.
    """

    def __init__(
        self,
        rules: Rules,
        events: Sequence[tuple[NewEvent, ClientDetails]],
        now: datetime,
        *,
        reserve: bool = True,
    ) -> None:
        self.rules = rules
        #: The enabled channels, looked up once (each look-up goes through the app context).
        self.channels: Mapping[str, Channel] = enabled_channels()
        hashed = keyed_hasher("address")
        self._address_hashes = {
            address: hashed(address)
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
        wanted = set()
        if rules.any_quota:
            for event, _ in events:
                rule = rules.find(event.program_id, event.contact_type, event.attributes)
                if rule is not None and rule.quota_limit is not None:
                    wanted.add((rule.id, quota_period(rule, now, event.program_timezone)))
        self._used = _quota_usage(sorted(wanted), lock=reserve) if wanted else {}
        self._planned: Counter[tuple[str, str]] = Counter()

    def address_hash(self, address: str) -> str:
        return self._address_hashes.get(address) or address_hash(address)

    def last_surveyed(self, client_hash: str, days: int, now: datetime) -> datetime | None:
        """When the client was surveyed within the last `days` days (any program, channel)."""
        if days <= 0:
            return None
        last = self._last_surveyed.get(client_hash)
        return last if last is not None and last >= now - timedelta(days=days) else None

    def surveyed(self, client_hash: str, at: datetime) -> None:
        """An invitation was scheduled for this client: a later event of the batch sees it."""
        self._last_surveyed[client_hash] = at

    def quota_used(self, rule: RuleSnapshot, period: str) -> int:
        """Invitations the rule planned in `period`, this batch's included."""
        key = (rule.id, period)
        return self._used.get(key, 0) + self._planned[key]

    def planned(self, rule: RuleSnapshot, period: str) -> None:
        self._planned[(rule.id, period)] += 1

    def write_quotas(self) -> None:
        """Add what the batch planned to the counters it locked (one statement)."""
        rows = [
            {"q_rule": rule_id, "q_period": period, "q_n": n}
            for (rule_id, period), n in sorted(self._planned.items())
            if n
        ]
        if rows:
            db.session.execute(
                update(QUOTAS)
                .where(
                    QUOTAS.c.rule_id == bindparam("q_rule"),
                    QUOTAS.c.period == bindparam("q_period"),
                )
                .values(used=QUOTAS.c.used + bindparam("q_n")),
                rows,
            )


def _quota_usage(keys: list[tuple[str, str]], *, lock: bool) -> dict[tuple[str, str], int]:
    """Each (rule, period) counter. With `lock`, missing counters are created and all of them
    locked, in the order of `keys`, until the transaction ends (one statement)."""
    if not lock:
        rows = db.session.execute(
            select(QUOTAS.c.rule_id, QUOTAS.c.period, QUOTAS.c.used).where(
                tuple_(QUOTAS.c.rule_id, QUOTAS.c.period).in_(keys)
            )
        )
        return {(rule_id, period): used for rule_id, period, used in rows}
    insert = postgresql.insert(QUOTAS) if on_postgres() else sqlite.insert(QUOTAS)
    statement = (
        insert.values([{"rule_id": r, "period": p, "used": 0} for r, p in keys])
        .on_conflict_do_update(
            index_elements=[QUOTAS.c.rule_id, QUOTAS.c.period], set_={"used": QUOTAS.c.used}
        )
        .returning(QUOTAS.c.rule_id, QUOTAS.c.period, QUOTAS.c.used)
    )
    return {(rule_id, period): used for rule_id, period, used in db.session.execute(statement)}


def _last_surveyed(client_hashes: set[str], since: datetime) -> dict[str, datetime]:
    """The latest invitation since `since` that counts as a survey, by client, whatever its
    program or channel."""
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
    the batch counts for the fatigue rule of that client's later events, and for its rule's
    quota."""
    now = now or utcnow()
    lookups = Lookups(rules, events, now)
    plans = [decide(event, client, lookups, now) for event, client in events]
    lookups.write_quotas()
    lifecycle.start_many(plans)
    return plans


def decide(
    event: NewEvent,
    client: ClientDetails,
    lookups: Lookups,
    now: datetime,
    trace: Trace = None,
) -> Plan:
    """One event's invitation: scheduled (channel, mode, due time) or skipped with the reason;
    each check noted in `trace` when one is given. Counts it in `lookups` (fatigue, quota)."""
    invitation = NewInvitation(
        id=new_id(),
        event_id=event.id,
        program_id=event.program_id,
        language=event.language,
        client_hash=event.client_hash,
        timezone=client.timezone,
        created_at=now,
    )
    rule, no_rule = _rule(event, lookups.rules, trace)
    if rule is None:
        return Plan(invitation, InvitationStatus.SKIPPED, no_rule)
    skip, note = _checks(event, client, rule, invitation, lookups, now, trace)
    if skip is not None:
        return Plan(invitation, InvitationStatus.SKIPPED, skip)
    channel = lookups.channels[invitation.channel or ""]
    zone = client.timezone or event.program_timezone
    delayed = max(event.occurred_at + timedelta(minutes=rule.delay_minutes), now)
    quiet = quiet_window(rule, channel)
    invitation.due_at = outside_quiet_hours(delayed, zone, *quiet)
    invitation.expires_at = invitation.due_at + timedelta(days=rule.expiry_days)
    _note(
        trace,
        "due",
        delay_minutes=rule.delay_minutes,
        delayed=delayed,
        due=invitation.due_at,
        quiet=quiet,
        zone=zone,
        expires=invitation.expires_at,
    )
    lookups.surveyed(event.client_hash, now)
    if rule.quota_limit is not None:
        lookups.planned(rule, quota_period(rule, now, event.program_timezone))
    return Plan(invitation, InvitationStatus.SCHEDULED, note)


def _rule(event: NewEvent, rules: Rules, trace: Trace) -> tuple[RuleSnapshot | None, str | None]:
    """The event's rule, or None and why: no rule for its type, or none whose filters its
    attributes meet."""
    rule = rules.find(event.program_id, event.contact_type, event.attributes)
    if rule is not None:
        _note(trace, "rule", rule=rule)
        return rule, None
    candidates = rules.candidates(event.program_id, event.contact_type)
    if not candidates:
        _note(trace, "no_rule", contact_type=event.contact_type)
        return None, "no_rule"
    filters = [candidate.attribute_filters for candidate in candidates]
    _note(trace, "filtered", filters=filters, attributes=dict(event.attributes))
    return None, "filtered"


def invitation_mode(mode: InvitationMode, channel: Channel) -> InvitationMode:
    """The rule's mode if the channel can carry it, else a link."""
    if (mode is InvitationMode.CONVERSATION and channel.conversations) or (
        mode is InvitationMode.CALLBACK and channel.calls_back
    ):
        return mode
    return InvitationMode.LINK


def _reachable_channel(
    rule: RuleSnapshot, client: ClientDetails, channels: Mapping[str, Channel]
) -> tuple[Channel | None, str | None]:
    """The rule's channel, or its fallback when the rule's cannot reach the client.

    Returns the channel (None when there is none) and the reason it was chosen or refused.
    """
    channel = channels.get(rule.channel)
    if channel is None:
        return None, "channel_unavailable"
    if channel.can_reach(client.email, client.phone):
        return channel, None
    why = "invalid_phone" if client.phone_invalid and "phone" in channel.requires else None
    fallback = channels.get(rule.fallback_channel) if rule.fallback_channel else None
    if fallback is not None and fallback.can_reach(client.email, client.phone):
        return fallback, f"fallback_{why or 'no_contact_details'}"
    return None, why or "no_contact_details"


def _audience(event: NewEvent, rule: RuleSnapshot, trace: Trace) -> str | None:
    """Why the rule does not take this event (active dates, exclusions); None if it does."""
    if rule.active_from or rule.active_until:
        day = local_date(event.occurred_at, event.program_timezone)
        if (rule.active_from and day < rule.active_from) or (
            rule.active_until and day > rule.active_until
        ):
            _note(trace, "inactive_rule", day=day, start=rule.active_from, end=rule.active_until)
            return "inactive_rule"
    if event.contact_type in rule.excluded_contact_types:
        _note(trace, "excluded_contact_type", contact_type=event.contact_type)
        return "excluded_contact_type"
    for name, values in rule.excluded_attributes.items():
        if _matches({name: values}, event.attributes):
            _note(trace, "excluded_attribute", name=name, value=str(event.attributes[name]))
            return "excluded_attribute"
    return None


def _checks(
    event: NewEvent,
    client: ClientDetails,
    rule: RuleSnapshot,
    invitation: NewInvitation,
    lookups: Lookups,
    now: datetime,
    trace: Trace,
) -> tuple[str | None, str | None]:
    """(why the event is not surveyed under `rule`, None if it is; a note such as a fallback's
    reason). Fills in the invitation's rule, version, channel, mode and address."""
    invitation.rule_id = rule.id
    invitation.channel = rule.channel
    skip = _audience(event, rule, trace)
    if skip is not None:
        return skip, None
    invitation.questionnaire_version_id = rule.version_id
    if invitation.questionnaire_version_id is None:
        _note(trace, "no_published_version")
        return "no_published_version", None
    channel, decision = _reachable_channel(rule, client, lookups.channels)
    if channel is None:
        _note(trace, decision or "no_contact_details", channel=rule.channel)
        return decision, None
    _note(trace, "channel", channel=channel.name, rule_channel=rule.channel, why=decision)
    invitation.channel = channel.name
    invitation.mode = invitation_mode(rule.mode, channel)
    invitation.email = client.email if "email" in channel.requires else None
    invitation.phone = client.phone if "phone" in channel.requires else None
    address = invitation.email or invitation.phone
    invitation.address_hash = lookups.address_hash(address) if address else None
    return _limits(event, rule, invitation, lookups, now, trace), decision


def _limits(
    event: NewEvent,
    rule: RuleSnapshot,
    invitation: NewInvitation,
    lookups: Lookups,
    now: datetime,
    trace: Trace,
) -> str | None:
    """Why a reachable client is not surveyed (opt-out, a stale event, sampling, fatigue, the
    quota); None if they are."""
    channel = invitation.channel or ""
    if lookups.opt_outs.covers(channel, invitation.address_hash, event.client_hash):
        _note(trace, "opted_out", channel=channel)
        return "opted_out"
    if event.occurred_at + timedelta(days=rule.expiry_days) < now:
        _note(trace, "stale_event", days=rule.expiry_days)
        return "stale_event"
    if not sampled_in(event.id, rule.sampling_rate):
        _note(trace, "not_sampled", rate=rule.sampling_rate)
        return "not_sampled"
    _note(trace, "sampled_in", rate=rule.sampling_rate)
    last = lookups.last_surveyed(event.client_hash, rule.fatigue_days, now)
    if last is not None:
        _note(trace, "fatigue", last=last, days=rule.fatigue_days)
        return "fatigue"
    _note(trace, "not_fatigued", days=rule.fatigue_days)
    if rule.quota_limit is not None:
        period = quota_period(rule, now, event.program_timezone)
        used = lookups.quota_used(rule, period)
        if used >= rule.quota_limit:
            _note(trace, "quota_full", limit=rule.quota_limit, period=period, used=used)
            return "quota_full"
        _note(trace, "quota_left", limit=rule.quota_limit, period=period, used=used)
    return None
