"""Simulate: what would happen to a sample contact event, and why, written nowhere.

The sample is decided by :func:`planning.decide`, the very decision ingest takes, over lookups
read the same way (the program's active rules and the versions they send, the client's opt-outs
and last survey in any program, the rule's quota) but read-only: no counter is reserved, no
event or invitation stored. Each check the decision made is noted in a trace and put in words
here, in the page's language.

One difference with ingest is in the nature of a sample: sampling draws by the event's id, and
a sample has a new id each time, so a rule that surveys part of the contacts may say "sampled"
once and "not sampled" the next.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from flask_babel import format_date, format_percent, ngettext
from flask_babel import gettext as _

from feedback.channels.registry import channel_title
from feedback.contacts.validation import normalise_phone
from feedback.db_types import new_id, utcnow
from feedback.distribution.models import DistributionRule
from feedback.distribution.planning import (
    ClientDetails,
    Lookups,
    NewEvent,
    Rules,
    RuleSnapshot,
    decide,
)
from feedback.extensions import db
from feedback.i18n import current_locale
from feedback.invitations.models import InvitationMode, InvitationStatus
from feedback.programs.models import Program
from feedback.security import client_hash


@dataclass(frozen=True)
class SampleEvent:
    """A contact event as the API would receive it (the client's reference in clear)."""

    program: Program
    contact_type: str
    attributes: Mapping[str, str]
    client_ref: str
    email: str | None
    phone: str | None
    language: str
    timezone: str | None
    occurred_at: datetime


@dataclass(frozen=True)
class Simulation:
    """What would happen: an invitation (channel, mode, when) or a skip, and why."""

    rule: DistributionRule | None
    outcome: str  # "invite" or "skip"
    channel: str | None
    mode: InvitationMode | None
    send_at: datetime | None
    expires_at: datetime | None
    #: Why it is skipped, or which channel and when (translated).
    reason: str
    #: Each check in the order the decision made it (translated).
    steps: list[str] = field(default_factory=list)
    #: What ingest would record: the skip's reason ("fatigue", "quota_full" ...), or the
    #: channel's note (e.g. "fallback_no_contact_details"), None for a plain invitation.
    code: str | None = None


def simulate(sample: SampleEvent, now: datetime | None = None) -> Simulation:
    """Decide `sample` as ingest would at `now`, writing nothing; the outcome and its reasons."""
    now = now or utcnow()
    program = sample.program
    phone, phone_invalid = _phone(sample.phone)
    event = NewEvent(
        id=new_id(),
        program_id=program.id,
        contact_type=sample.contact_type,
        occurred_at=sample.occurred_at,
        language=sample.language,
        client_hash=client_hash(sample.client_ref),
        program_timezone=program.timezone,
        attributes=dict(sample.attributes),
    )
    client = ClientDetails(sample.email or None, phone, sample.timezone or None, phone_invalid)
    lookups = Lookups(Rules([program.id]), [(event, client)], now, reserve=False)
    trace: list[tuple[str, dict[str, Any]]] = []
    plan = decide(event, client, lookups, now, trace)
    steps = [(code, _step(code, details, program)) for code, details in trace]
    snapshot = next((details["rule"] for code, details in trace if code == "rule"), None)
    rule = db.session.get(DistributionRule, snapshot.id) if snapshot is not None else None
    texts = [text for _code, text in steps]
    if plan.status is InvitationStatus.SKIPPED:
        return Simulation(rule, "skip", None, None, None, None, texts[-1], texts, plan.reason)
    invitation = plan.invitation
    return Simulation(
        rule,
        "invite",
        invitation.channel,
        invitation.mode,
        invitation.due_at,
        invitation.expires_at,
        " ".join(text for code, text in steps if code in ("channel", "due")),
        texts,
        plan.reason,
    )


def _phone(raw: str | None) -> tuple[str | None, bool]:
    """The phone in E.164 form, and whether one was given that is not valid."""
    if not raw:
        return None, False
    try:
        return normalise_phone(raw), False
    except ValueError:
        return None, True


def _when(moment: datetime, zone: str) -> str:
    """A moment in `zone`, in the page's language, with the zone's name."""
    text = format_datetime(moment, "medium", tzinfo=ZoneInfo(zone), locale=current_locale())
    return f"{text} ({zone})"


def _day(day: date) -> str:
    return format_date(day, "medium")


def _values(pairs: Mapping[str, Sequence[str]]) -> str:
    """{"region": ["east", "north"]} as "region: east, north"."""
    return "; ".join(f"{name}: {', '.join(values)}" for name, values in pairs.items())


def _type(program: Program, code: str) -> str:
    return program.contact_type_label(code, current_locale())


def _rule_step(rule: RuleSnapshot, program: Program) -> str:
    if rule.contact_type is None:
        text = _("The program's rule for every contact type applies.")
    else:
        text = _(
            "The rule for “%(type)s” contacts applies.", type=_type(program, rule.contact_type)
        )
    if rule.attribute_filters:
        text += " " + _(
            "It is narrowed to events with %(filters)s.", filters=_values(rule.attribute_filters)
        )
    return text


def _dates_step(details: Mapping[str, Any]) -> str:
    day, start, end = _day(details["day"]), details["start"], details["end"]
    if start and end:
        return _(
            "Outside the rule's active dates: it takes contacts from %(start)s to %(end)s, and "
            "this one was on %(day)s.",
            start=_day(start),
            end=_day(end),
            day=day,
        )
    if start:
        return _(
            "Outside the rule's active dates: it takes contacts from %(start)s, and this one "
            "was on %(day)s.",
            start=_day(start),
            day=day,
        )
    return _(
        "Outside the rule's active dates: it takes contacts until %(end)s, and this one was "
        "on %(day)s.",
        end=_day(end),
        day=day,
    )


def _title(channel: str) -> str:
    return channel_title(channel, current_locale())


def _channel_step(details: Mapping[str, Any]) -> str:
    why = details["why"]
    if why is None:
        return _("Sent by %(channel)s.", channel=_title(details["channel"]))
    if why == "fallback_invalid_phone":
        return _(
            "Sent by %(channel)s, the rule's fallback: the phone number is not valid for "
            "%(first)s.",
            channel=_title(details["channel"]),
            first=_title(details["rule_channel"]),
        )
    return _(
        "Sent by %(channel)s, the rule's fallback: %(first)s cannot reach the client with the "
        "contact details given.",
        channel=_title(details["channel"]),
        first=_title(details["rule_channel"]),
    )


def _due_step(details: Mapping[str, Any]) -> str:
    zone = details["zone"]
    minutes = details["delay_minutes"]
    texts = [
        ngettext(
            "Due %(num)s minute after the contact: %(time)s.",
            "Due %(num)s minutes after the contact: %(time)s.",
            minutes,
            time=_when(details["delayed"], zone),
        )
        if minutes
        else _("Due right after the contact: %(time)s.", time=_when(details["delayed"], zone))
    ]
    if details["due"] != details["delayed"]:
        start, end = details["quiet"]
        texts.append(
            _(
                "That is within the quiet hours (%(start)s to %(end)s, the client's time): it "
                "waits until %(time)s.",
                start=f"{start:02d}:00",
                end=f"{end:02d}:00",
                time=_when(details["due"], zone),
            )
        )
    texts.append(_("The link works until %(time)s.", time=_when(details["expires"], zone)))
    return " ".join(texts)


def _sampling_step(rate: float, sampled: bool) -> str:
    share = format_percent(rate, "#,##0.##%")
    if sampled and rate >= 1:
        return _("Every contact is surveyed (no sampling).")
    if sampled:
        return _("Sampled: the rule surveys %(share)s of contacts.", share=share)
    return _(
        "Not sampled: the rule surveys %(share)s of contacts, and this one was not drawn.",
        share=share,
    )


def _fatigue_step(details: Mapping[str, Any], surveyed: bool) -> str:
    days = details["days"]
    if surveyed:
        return ngettext(
            "Fatigue: this client was surveyed on %(date)s, within %(num)s day (in any program, "
            "by any channel).",
            "Fatigue: this client was surveyed on %(date)s, within %(num)s days (in any "
            "program, by any channel).",
            days,
            date=_day(details["last"].date()),
        )
    if days <= 0:
        return _("The rule sets no limit on surveys per client.")
    return ngettext(
        "Not surveyed in the last %(num)s day (in any program, by any channel).",
        "Not surveyed in the last %(num)s days (in any program, by any channel).",
        days,
    )


def _quota_step(details: Mapping[str, Any], full: bool) -> str:
    values = {"used": details["used"], "limit": details["limit"], "period": details["period"]}
    if full:
        return _(
            "Quota full: %(used)s of %(limit)s invitations already planned for %(period)s.",
            **values,
        )
    return _("Quota: %(used)s of %(limit)s invitations planned so far for %(period)s.", **values)


def _step(code: str, details: Mapping[str, Any], program: Program) -> str:
    """One check of the decision in words."""
    simple = {
        "no_published_version": lambda: _("The rule's questionnaire has no published version."),
        "no_rule": lambda: _(
            "No active rule covers “%(type)s” contacts of this program.",
            type=_type(program, details["contact_type"]),
        ),
        "filtered": lambda: _(
            "Rules cover this contact type, but the event's attributes meet none of their "
            "filters (%(filters)s).",
            filters=" | ".join(_values(f) for f in details["filters"]),
        ),
        "excluded_contact_type": lambda: _(
            "Excluded: the rule never surveys “%(type)s” contacts.",
            type=_type(program, details["contact_type"]),
        ),
        "excluded_attribute": lambda: _(
            "Excluded: the rule never surveys contacts whose %(name)s is “%(value)s”.",
            name=details["name"],
            value=details["value"],
        ),
        "channel_unavailable": lambda: _(
            "The rule's channel %(channel)s is not enabled.", channel=_title(details["channel"])
        ),
        "no_contact_details": lambda: _(
            "No contact details: neither the rule's channel (%(channel)s) nor its fallback can "
            "reach the client.",
            channel=_title(details["channel"]),
        ),
        "invalid_phone": lambda: _(
            "The phone number is not valid, and no fallback channel can reach the client."
        ),
        "opted_out": lambda: _(
            "Opted out: the client asked not to receive surveys by %(channel)s.",
            channel=_title(details["channel"]),
        ),
        "stale_event": lambda: ngettext(
            "Too late: the contact is older than the %(num)s day an invitation stays open.",
            "Too late: the contact is older than the %(num)s days an invitation stays open.",
            details["days"],
        ),
    }
    if code in simple:
        return simple[code]()
    if code == "rule":
        return _rule_step(details["rule"], program)
    if code == "inactive_rule":
        return _dates_step(details)
    if code == "channel":
        return _channel_step(details)
    if code in ("sampled_in", "not_sampled"):
        return _sampling_step(details["rate"], code == "sampled_in")
    if code in ("fatigue", "not_fatigued"):
        return _fatigue_step(details, code == "fatigue")
    if code in ("quota_full", "quota_left"):
        return _quota_step(details, code == "quota_full")
    if code == "due":
        return _due_step(details)
    raise ValueError(f"no wording for the planning step {code!r}")
