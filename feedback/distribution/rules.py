"""Distribution rules as a service: validate a rule, and make it the active one for its contacts.

The command line (`feedback add-rule`), the demo seed, the tests and (next) the rule pages all
call :func:`create_rule`; every error names the field it is about, so that a form can show it
beside the field and the command line can print it. The new rule, and the one it replaces, are
written to the audit log.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from feedback.audit.services import record
from feedback.channels.registry import get_channel
from feedback.distribution.models import DistributionRule
from feedback.extensions import db
from feedback.invitations.models import InvitationMode
from feedback.programs.models import Program
from feedback.questionnaires.models import QuestionnaireVersion

MAX_DELAY_MINUTES = 60 * 24 * 90
MAX_EXPIRY_DAYS = 365
MAX_FATIGUE_DAYS = 3650


class RuleError(ValueError):
    """A rule that cannot work; `errors` maps each field to what is wrong with it."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{key}: {message}" for key, message in self.errors.items()))


@dataclass(frozen=True)
class RuleSpec:
    """What a rule says: which contacts of a program get which questionnaire, how and when."""

    program: Program
    version: QuestionnaireVersion
    channel: str
    #: None matches every contact type of the program; a rule for a type wins over it.
    contact_type: str | None = None
    mode: InvitationMode = InvitationMode.LINK
    #: For clients the channel cannot reach (no phone, an invalid one).
    fallback_channel: str | None = None
    delay_minutes: int = 0
    sampling_rate: float = 1.0
    expiry_days: int = 14
    #: At most one survey per client per this many days, across programs (0: no limit).
    fatigue_days: int = 30
    #: Local hours with no sending; both None take the channel's default, equal hours none.
    quiet_start_hour: int | None = None
    quiet_end_hour: int | None = None
    #: Options of the channel, declared and validated by its plugin (Channel.rule_options).
    channel_options: Mapping[str, Any] = field(default_factory=dict)


def _channel_errors(spec: RuleSpec, errors: dict[str, str]) -> dict[str, Any]:
    """Check the channels and the mode; the channel's cleaned options."""
    channel = get_channel(spec.channel)
    if channel is None:
        errors["channel"] = f"channel {spec.channel!r} is not enabled (FEEDBACK_CHANNELS)"
    if spec.fallback_channel is not None:
        if spec.fallback_channel == spec.channel:
            errors["fallback_channel"] = "the fallback must be another channel"
        elif get_channel(spec.fallback_channel) is None:
            errors["fallback_channel"] = (
                f"fallback channel {spec.fallback_channel!r} is not enabled"
            )
    if channel is None:
        return {}
    if spec.mode is InvitationMode.CONVERSATION and not channel.conversations:
        errors["mode"] = f"channel {spec.channel!r} cannot hold a conversation"
    if spec.mode is InvitationMode.CALLBACK and not channel.calls_back:
        errors["mode"] = f"channel {spec.channel!r} cannot call clients back"
    try:
        return channel.validate_rule_options(spec.channel_options)
    except ValueError as exc:
        errors["channel_options"] = str(exc)
        return {}


def _bounded(errors: dict[str, str], name: str, value: float, low: float, high: float) -> None:
    if not low <= value <= high:
        errors[name] = f"must be from {low:g} to {high:g}, not {value:g}"


def validate(spec: RuleSpec) -> dict[str, Any]:
    """Raise RuleError listing everything wrong with `spec`; its channel's cleaned options."""
    errors: dict[str, str] = {}
    if spec.version.questionnaire.program_id != spec.program.id:
        errors["questionnaire"] = "the questionnaire belongs to another program"
    elif not spec.version.is_published:
        errors["questionnaire"] = "the questionnaire version is not published"
    if spec.contact_type is not None and not spec.contact_type.strip():
        errors["contact_type"] = "give a contact type, or none for every type"
    options = _channel_errors(spec, errors)
    _bounded(errors, "delay_minutes", spec.delay_minutes, 0, MAX_DELAY_MINUTES)
    if not 0 < spec.sampling_rate <= 1:
        errors["sampling_rate"] = f"must be above 0 and at most 1, not {spec.sampling_rate:g}"
    _bounded(errors, "expiry_days", spec.expiry_days, 1, MAX_EXPIRY_DAYS)
    _bounded(errors, "fatigue_days", spec.fatigue_days, 0, MAX_FATIGUE_DAYS)
    hours = (spec.quiet_start_hour, spec.quiet_end_hour)
    if (hours[0] is None) != (hours[1] is None):
        errors["quiet_hours"] = "give both the start and the end hour, or neither"
    elif any(hour is not None and not 0 <= hour <= 23 for hour in hours):
        errors["quiet_hours"] = "hours go from 0 to 23"
    if errors:
        raise RuleError(errors)
    return options


def active_rules(program: Program, contact_type: str | None) -> list[DistributionRule]:
    """The active rules for exactly these contacts (a type, or the catch-all when None)."""
    return list(
        db.session.scalars(
            select(DistributionRule).where(
                DistributionRule.program_id == program.id,
                DistributionRule.active.is_(True),
                DistributionRule.contact_type.is_(None)
                if contact_type is None
                else DistributionRule.contact_type == contact_type,
            )
        )
    )


def create_rule(spec: RuleSpec) -> DistributionRule:
    """Validate `spec` and make it the active rule for its contacts, replacing the one active
    before (kept, inactive, for the invitations that name it). The caller commits."""
    options = validate(spec)
    for old in active_rules(spec.program, spec.contact_type):
        old.active = False
        record("rule.deactivate", old, {"active": True}, {"active": False})
    rule = DistributionRule(
        program_id=spec.program.id,
        contact_type=spec.contact_type,
        questionnaire_version_id=spec.version.id,
        channel=spec.channel,
        mode=spec.mode,
        fallback_channel=spec.fallback_channel,
        delay_minutes=spec.delay_minutes,
        sampling_rate=spec.sampling_rate,
        expiry_days=spec.expiry_days,
        fatigue_days=spec.fatigue_days,
        quiet_start_hour=spec.quiet_start_hour,
        quiet_end_hour=spec.quiet_end_hour,
        channel_options=options,
    )
    db.session.add(rule)
    db.session.flush()
    record("rule.create", rule, None, _snapshot(rule, spec))
    return rule


def _snapshot(rule: DistributionRule, spec: RuleSpec) -> dict[str, Any]:
    """What the audit log keeps of a new rule: its settings, the questionnaire by code."""
    names = (
        "contact_type", "channel", "mode", "fallback_channel", "delay_minutes", "sampling_rate",
        "expiry_days", "fatigue_days", "quiet_start_hour", "quiet_end_hour", "channel_options",
    )  # fmt: skip
    return {
        "program": spec.program.code,
        "questionnaire": f"{spec.version.questionnaire.code} v{spec.version.number}",
        **{name: getattr(rule, name) for name in names},
    }
