"""Distribution rules as a service: validate a rule, and make it the active one for its contacts.

The command line (`feedback add-rule`), the demo seed, the tests and the rule pages all call
:func:`create_rule`; every error names the field it is about (translated), so that a form can
show it beside the field and the command line can print it. The new rule, and the one it
replaces, are written to the audit log.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from blinker import Namespace
from flask_babel import gettext as _
from sqlalchemy import select

from feedback.audit.services import record
from feedback.channels.registry import get_channel
from feedback.distribution.models import DistributionRule
from feedback.extensions import db
from feedback.invitations.models import InvitationMode
from feedback.programs.models import Program
from feedback.questionnaires.models import Questionnaire, QuestionnaireVersion

MAX_DELAY_MINUTES = 60 * 24 * 90
MAX_EXPIRY_DAYS = 365
MAX_FATIGUE_DAYS = 3650
MAX_QUOTA = 10_000_000
QUOTA_PERIODS = ("day", "month")
#: Attributes a filter or an exclusion may name, and values per attribute.
MAX_ATTRIBUTES = 20
MAX_VALUES = 200


class RuleError(ValueError):
    """A rule that cannot work; `errors` maps each field to what is wrong with it."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{key}: {message}" for key, message in self.errors.items()))


@dataclass(frozen=True, kw_only=True)
class RuleSpec:
    """What a rule says: which contacts of a program get which questionnaire, how and when.

    Give `version` to pin the rule to one published version, or `questionnaire` alone for a
    rule that follows its latest published version (a newly published version is sent from
    the next batch planned on).
    """

    program: Program
    channel: str
    version: QuestionnaireVersion | None = None
    questionnaire: Questionnaire | None = None
    #: None matches every contact type of the program; a rule for a type wins over it.
    contact_type: str | None = None
    mode: InvitationMode = InvitationMode.LINK
    #: For clients the channel cannot reach (no phone, an invalid one).
    fallback_channel: str | None = None
    delay_minutes: int = 0
    sampling_rate: float = 1.0
    expiry_days: int = 14
    #: At most one survey per client per this many days, across all programs and channels
    #: (0: no limit).
    fatigue_days: int = 30
    #: Local hours with no sending; both None take the channel's default, equal hours none.
    quiet_start_hour: int | None = None
    quiet_end_hour: int | None = None
    #: Options of the channel, declared and validated by its plugin (Channel.rule_options).
    channel_options: Mapping[str, Any] = field(default_factory=dict)
    #: Narrowing: only events whose attribute holds one of the values, for every attribute
    #: named ({"region": ["east"]}); values compared as text. A narrowed rule wins over an
    #: unnarrowed one for the same contact type.
    attribute_filters: Mapping[str, Sequence[str]] = field(default_factory=dict)
    #: Never surveyed: these contact types (on a rule for every type) and these attribute
    #: values (e.g. {"decision": ["refused"]}); their events are recorded as skipped.
    excluded_contact_types: Sequence[str] = ()
    excluded_attributes: Mapping[str, Sequence[str]] = field(default_factory=dict)
    #: At most this many invitations per `quota_period` ("day" or "month", in the program's
    #: time zone); None: no quota.
    quota_limit: int | None = None
    quota_period: str = "day"
    #: One reminder, on the same channel and with the same link, to clients who have not
    #: answered this many days after it was sent (link mode only); None: no reminder.
    reminder_after_days: int | None = None
    #: Only events that occurred on or after / on or before these dates (program's zone).
    active_from: date | None = None
    active_until: date | None = None


def _channel_errors(spec: RuleSpec, errors: dict[str, str]) -> dict[str, Any]:
    """Check the channels and the mode; the channel's cleaned options."""
    channel = get_channel(spec.channel)
    if channel is None:
        errors["channel"] = _(
            "channel %(channel)r is not enabled (FEEDBACK_CHANNELS)", channel=spec.channel
        )
    if spec.fallback_channel is not None:
        if spec.fallback_channel == spec.channel:
            errors["fallback_channel"] = _("the fallback must be another channel")
        elif get_channel(spec.fallback_channel) is None:
            errors["fallback_channel"] = _(
                "fallback channel %(channel)r is not enabled", channel=spec.fallback_channel
            )
    if channel is None:
        return {}
    if spec.mode is InvitationMode.CONVERSATION and not channel.conversations:
        errors["mode"] = _("channel %(channel)r cannot hold a conversation", channel=spec.channel)
    if spec.mode is InvitationMode.CALLBACK and not channel.calls_back:
        errors["mode"] = _("channel %(channel)r cannot call clients back", channel=spec.channel)
    try:
        return channel.validate_rule_options(spec.channel_options)
    except ValueError as exc:
        errors["channel_options"] = str(exc)
        return {}


def _plain(number: float) -> str:
    """A whole number in full (10000000, not 1e+07), else its shortest form."""
    return str(int(number)) if float(number).is_integer() else f"{number:g}"


def _bounded(errors: dict[str, str], name: str, value: float, low: float, high: float) -> None:
    if not low <= value <= high:
        errors[name] = _(
            "must be from %(low)s to %(high)s, not %(value)s",
            low=_plain(low),
            high=_plain(high),
            value=_plain(value),
        )


def _questionnaire_errors(spec: RuleSpec, errors: dict[str, str]) -> None:
    version, questionnaire = spec.version, spec.questionnaire
    if version is None and questionnaire is None:
        errors["questionnaire"] = _("choose a questionnaire")
        return
    if version is not None:
        if questionnaire is not None and version.questionnaire_id != questionnaire.id:
            errors["version"] = _("the version belongs to another questionnaire")
            return
        questionnaire = version.questionnaire
    assert questionnaire is not None
    if questionnaire.program_id != spec.program.id:
        errors["questionnaire"] = _("the questionnaire belongs to another program")
    elif version is not None and not version.is_published:
        errors["questionnaire"] = _("the questionnaire version is not published")
    elif version is None and not any(v.is_published for v in questionnaire.versions):
        errors["questionnaire"] = _("the questionnaire has no published version yet")


def clean_values(raw: Mapping[str, Sequence[Any]]) -> dict[str, list[str]]:
    """{attribute: [values]} with names and values stripped text, empty ones left out, each
    value once; raises ValueError (translated) when it is not of that shape or too large."""
    if not isinstance(raw, Mapping):
        raise ValueError(_("give attribute names, each with a list of values"))
    cleaned: dict[str, list[str]] = {}
    for name, values in raw.items():
        if not isinstance(values, list | tuple) or not str(name).strip():
            raise ValueError(_("give attribute names, each with a list of values"))
        kept = list(dict.fromkeys(str(v).strip() for v in values if str(v).strip()))
        if not kept:
            raise ValueError(_("give at least one value for %(name)s", name=str(name).strip()))
        if len(kept) > MAX_VALUES:
            raise ValueError(_("at most %(count)s values an attribute", count=MAX_VALUES))
        cleaned[str(name).strip()] = kept
    if len(cleaned) > MAX_ATTRIBUTES:
        raise ValueError(_("at most %(count)s attributes", count=MAX_ATTRIBUTES))
    return cleaned


def _audience_errors(spec: RuleSpec, errors: dict[str, str]) -> dict[str, Any]:
    """Check the filters and exclusions; their cleaned values."""
    cleaned: dict[str, Any] = {}
    for name in ("attribute_filters", "excluded_attributes"):
        try:
            cleaned[name] = clean_values(getattr(spec, name))
        except ValueError as exc:
            errors[name] = str(exc)
    raw_types = spec.excluded_contact_types
    if isinstance(raw_types, str):  # one type given as text, not as a list of types
        raw_types = [raw_types]
    types = [str(t).strip() for t in raw_types if str(t).strip()]
    cleaned["excluded_contact_types"] = list(dict.fromkeys(types))
    if spec.contact_type is not None and spec.contact_type in types:
        errors["excluded_contact_types"] = _(
            "the rule is for %(type)r contacts: it cannot exclude them", type=spec.contact_type
        )
    return cleaned


def _limit_errors(spec: RuleSpec, errors: dict[str, str]) -> None:
    """Check the quota, the reminder and the active dates."""
    if spec.quota_limit is not None:
        _bounded(errors, "quota_limit", spec.quota_limit, 1, MAX_QUOTA)
    if spec.quota_period not in QUOTA_PERIODS:
        errors["quota_period"] = _("choose a day or a month")
    if spec.reminder_after_days is not None:
        if spec.mode is not InvitationMode.LINK:
            errors["reminder_after_days"] = _(
                "a reminder repeats the survey link: only a rule in link mode can send one"
            )
        elif not 1 <= spec.reminder_after_days < spec.expiry_days:
            errors["reminder_after_days"] = _(
                "must be from 1 to %(days)s days (before the invitation expires)",
                days=max(spec.expiry_days - 1, 1),
            )
    if spec.active_from and spec.active_until and spec.active_until < spec.active_from:
        errors["active_until"] = _("must be on or after the first active date")


def validate(spec: RuleSpec) -> dict[str, Any]:
    """Raise RuleError listing everything wrong with `spec`; its cleaned values (the channel's
    options, the filters and exclusions)."""
    errors: dict[str, str] = {}
    _questionnaire_errors(spec, errors)
    if spec.contact_type is not None and not spec.contact_type.strip():
        errors["contact_type"] = _("give a contact type, or none for every type")
    options = _channel_errors(spec, errors)
    _bounded(errors, "delay_minutes", spec.delay_minutes, 0, MAX_DELAY_MINUTES)
    if not 0 < spec.sampling_rate <= 1:
        errors["sampling_rate"] = _(
            "must be above 0 and at most 1, not %(value)s", value=f"{spec.sampling_rate:g}"
        )
    _bounded(errors, "expiry_days", spec.expiry_days, 1, MAX_EXPIRY_DAYS)
    _bounded(errors, "fatigue_days", spec.fatigue_days, 0, MAX_FATIGUE_DAYS)
    hours = (spec.quiet_start_hour, spec.quiet_end_hour)
    if (hours[0] is None) != (hours[1] is None):
        errors["quiet_hours"] = _("give both the start and the end hour, or neither")
    elif any(hour is not None and not 0 <= hour <= 23 for hour in hours):
        errors["quiet_hours"] = _("hours go from 0 to 23")
    audience = _audience_errors(spec, errors)
    _limit_errors(spec, errors)
    if errors:
        raise RuleError(errors)
    return {"channel_options": options, **audience}


def active_rules(
    program: Program,
    contact_type: str | None,
    attribute_filters: Mapping[str, Sequence[str]] | None = None,
) -> list[DistributionRule]:
    """The active rules for exactly these contacts (a type, or the catch-all when None, with
    the same attribute filters: none when None)."""
    wanted = _canonical(attribute_filters or {})
    found = db.session.scalars(
        select(DistributionRule).where(
            DistributionRule.program_id == program.id,
            DistributionRule.active.is_(True),
            DistributionRule.contact_type.is_(None)
            if contact_type is None
            else DistributionRule.contact_type == contact_type,
        )
    )
    return [rule for rule in found if _canonical(rule.attribute_filters or {}) == wanted]


def _canonical(filters: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    return {name: sorted(values) for name, values in filters.items()}


#: Sent with each rule a new one replaces (`new=`), once both are flushed: what hangs on a rule
#: (its follow-up settings) moves to the rule that takes over, without this module knowing it.
rule_replaced = Namespace().signal("rule-replaced")


def create_rule(spec: RuleSpec, replacing: DistributionRule | None = None) -> DistributionRule:
    """Validate `spec` and make it the active rule for its contacts (its contact type and
    attribute filters), replacing the one active before, and `replacing` (the rule an edit
    started from, whatever contacts it was for): each is kept, inactive, for the invitations
    that name it. The caller commits."""
    cleaned = validate(spec)
    replaced = active_rules(spec.program, spec.contact_type, cleaned["attribute_filters"])
    if replacing is not None and replacing.active and replacing not in replaced:
        replaced.append(replacing)
    for old in replaced:
        deactivate_rule(old)
    questionnaire = spec.version.questionnaire if spec.version else spec.questionnaire
    assert questionnaire is not None  # validated
    rule = DistributionRule(
        program_id=spec.program.id,
        contact_type=spec.contact_type,
        questionnaire_id=questionnaire.id,
        questionnaire_version_id=spec.version.id if spec.version else None,
        channel=spec.channel,
        mode=spec.mode,
        fallback_channel=spec.fallback_channel,
        delay_minutes=spec.delay_minutes,
        sampling_rate=spec.sampling_rate,
        expiry_days=spec.expiry_days,
        fatigue_days=spec.fatigue_days,
        quiet_start_hour=spec.quiet_start_hour,
        quiet_end_hour=spec.quiet_end_hour,
        quota_limit=spec.quota_limit,
        quota_period=spec.quota_period,
        reminder_after_days=spec.reminder_after_days,
        active_from=spec.active_from,
        active_until=spec.active_until,
        **cleaned,
    )
    db.session.add(rule)
    db.session.flush()
    record("rule.create", rule, None, _snapshot(rule, spec, questionnaire))
    for old in replaced:
        rule_replaced.send(old, new=rule)
    return rule


def deactivate_rule(rule: DistributionRule) -> None:
    """Stop a rule: its contacts are no longer surveyed by it. It is kept, inactive, for the
    invitations that name it (and their reminders). The caller commits."""
    if rule.active:
        rule.active = False
        record("rule.deactivate", rule, {"active": True}, {"active": False})


def _snapshot(
    rule: DistributionRule, spec: RuleSpec, questionnaire: Questionnaire
) -> dict[str, Any]:
    """What the audit log keeps of a new rule: its settings, the questionnaire by code."""
    names = (
        "contact_type", "channel", "mode", "fallback_channel", "delay_minutes", "sampling_rate",
        "expiry_days", "fatigue_days", "quiet_start_hour", "quiet_end_hour", "channel_options",
        "attribute_filters", "excluded_contact_types", "excluded_attributes", "quota_limit",
        "quota_period", "reminder_after_days", "active_from", "active_until",
    )  # fmt: skip
    version = f"v{spec.version.number}" if spec.version else "latest"
    return {
        "program": spec.program.code,
        "questionnaire": f"{questionnaire.code} {version}",
        **{name: getattr(rule, name) for name in names},
    }
