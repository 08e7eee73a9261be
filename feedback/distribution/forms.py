"""The forms of the rule pages: a distribution rule, and a sample contact event to simulate.

Field names are those of :class:`feedback.distribution.rules.RuleSpec`, so that the errors of
:class:`~feedback.distribution.rules.RuleError` (keyed by field) land beside the right input. The
form checks what it must to build a RuleSpec (numbers are numbers, dates are dates); the service
checks the rest (bounds, combinations), once, for the pages, the command line and the seed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    Field,
    FloatField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import Select, TextInput

from feedback.accounts.forms import CheckboxesField
from feedback.channels.base import Channel
from feedback.channels.registry import channel_title, enabled_channels
from feedback.distribution.models import DistributionRule
from feedback.distribution.rules import RuleError, RuleSpec
from feedback.extensions import db
from feedback.i18n import current_locale
from feedback.invitations.models import InvitationMode
from feedback.programs.models import Program
from feedback.questionnaires.models import Questionnaire, QuestionnaireVersion

MODE_LABELS = {
    InvitationMode.LINK: _l("Send a link to the web survey"),
    InvitationMode.CONVERSATION: _l("Ask the questions one at a time on the channel"),
    InvitationMode.CALLBACK: _l("Call the client back to answer on the keypad"),
}
PERIOD_LABELS = {"day": _l("per day"), "month": _l("per month")}
LANGUAGE_LABELS = {"en": _l("English"), "fr": _l("French")}
LATEST, VERSION = "latest", "version"
#: The form field showing a service error about something that has no field of its own.
ERROR_FIELDS = {
    "version": "questionnaire",
    "sampling_rate": "sampling_percent",
    "quiet_hours": "quiet_start_hour",
    "channel_options": "channel",
}


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def parse_pairs(text: str | None) -> dict[str, list[str]]:
    """`name=value` lines as {name: [values]} (a name given twice keeps both values).

    Raises ValueError naming the first line that is not `name=value`.
    """
    pairs: dict[str, list[str]] = {}
    for number, line in enumerate((text or "").splitlines(), 1):
        if not line.strip():
            continue
        name, sep, value = line.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise ValueError(number)
        values = pairs.setdefault(name.strip(), [])
        if value.strip() not in values:
            values.append(value.strip())
    return pairs


def pairs_text(pairs: Mapping[str, Iterable[str]] | None) -> str:
    """{name: [values]} back as `name=value` lines, for a form's initial text."""
    return "\n".join(
        f"{name}={value}" for name, values in (pairs or {}).items() for value in values
    )


class PairsField(TextAreaField):
    """`name=value` lines; `data` is {name: [values]}."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.raw = valuelist[0] if valuelist else ""
        try:
            self.data = parse_pairs(self.raw)
        except ValueError as exc:
            self.data = {}
            raise ValueError(
                _l("Line %(number)s is not written as name=value.", number=exc.args[0])
            ) from exc

    def process_data(self, value: Any) -> None:
        self.data = value or {}
        self.raw = pairs_text(self.data)

    def _value(self) -> str:
        return self.raw


class _SelectOrText:
    """A select when the field has choices, else a text input (free text)."""

    def __call__(self, field: ChoiceOrTextField, **kwargs: Any) -> Any:
        if field.choices:
            return Select()(field, **kwargs)
        return TextInput()(field, **kwargs)


class ChoiceOrTextField(SelectField):
    """One of the choices when there are any; any text when there are none (a program that
    lists no contact types yet)."""

    widget = _SelectOrText()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, choices=[], filters=[_strip], **kwargs)

    def pre_validate(self, form: Any) -> None:
        if self.choices:
            super().pre_validate(form)

    def _value(self) -> str:
        return self.data or ""


def _hours() -> list[SelectChoice]:
    return [SelectChoice("", _l("The channel's default"))] + [
        SelectChoice(str(hour), f"{hour:02d}:00") for hour in range(24)
    ]


def _optional_int(value: Any) -> int | None:
    return None if value in (None, "") else int(value)


class RuleForm(FlaskForm):
    """A distribution rule of one program (the program is chosen before the form)."""

    contact_type = ChoiceOrTextField(
        _l("Contact type"), validators=[Length(max=64, message=_l("At most 64 characters."))]
    )
    questionnaire = SelectField(
        _l("Questionnaire"),
        choices=[],
        validators=[DataRequired(message=_l("Choose a published questionnaire."))],
    )
    channel = SelectField(_l("Channel"), choices=[])
    fallback_channel = SelectField(_l("Fall-back channel"), choices=[])
    mode = RadioField(
        _l("How the client answers"),
        choices=[SelectChoice(mode.value, label) for mode, label in MODE_LABELS.items()],
        default=InvitationMode.LINK.value,
        validators=[InputRequired(message=_l("Choose how the client answers."))],
    )
    delay_minutes = IntegerField(
        _l("Delay after the contact, in minutes"),
        default=0,
        validators=[
            InputRequired(message=_l("Enter a delay in minutes (0 to send at once).")),
        ],
    )
    sampling_percent = FloatField(
        _l("Share of contacts surveyed, in percent"),
        default=100,
        validators=[
            InputRequired(message=_l("Enter a percentage above 0 and at most 100.")),
            NumberRange(0.01, 100, message=_l("Enter a percentage above 0 and at most 100.")),
        ],
    )
    quota_limit = IntegerField(_l("At most this many invitations"), validators=[Optional()])
    quota_period = SelectField(
        _l("Quota period"),
        choices=[SelectChoice(code, label) for code, label in PERIOD_LABELS.items()],
        default="day",
    )
    quiet_start_hour = SelectField(
        _l("Quiet hours start at"), choices=_hours(), coerce=_optional_int, default=""
    )
    quiet_end_hour = SelectField(
        _l("Quiet hours end at"), choices=_hours(), coerce=_optional_int, default=""
    )
    fatigue_days = IntegerField(
        _l("At most one survey per client in this many days"),
        default=30,
        validators=[
            InputRequired(message=_l("Enter a number of days (0 for no limit).")),
        ],
    )
    attribute_filters = PairsField(_l("Only contacts with these attributes"))
    excluded_contact_types = CheckboxesField(_l("Never survey these contact types"), choices=[])
    excluded_attributes = PairsField(_l("Never survey contacts with these attributes"))
    reminder_after_days = IntegerField(
        _l("Send one reminder after this many days"), validators=[Optional()]
    )
    expiry_days = IntegerField(
        _l("Days the client has to answer"),
        default=14,
        validators=[
            InputRequired(message=_l("Enter a number of days.")),
        ],
    )
    active_from = DateField(_l("Active from"), validators=[Optional()])
    active_until = DateField(_l("Active until"), validators=[Optional()])

    def spec(self, program: Program) -> RuleSpec:
        """What the submitted form says, as the service's RuleSpec."""
        follows, _sep, ident = self.questionnaire.data.partition(":")
        channel = enabled_channels()[self.channel.data]
        options = {
            key: self[option_field_name(self.channel.data, key)].data
            for key in channel.rule_options
            if self[option_field_name(self.channel.data, key)].data is not None
        }
        return RuleSpec(
            program=program,
            questionnaire=db.session.get(Questionnaire, ident) if follows == LATEST else None,
            version=db.session.get(QuestionnaireVersion, ident) if follows == VERSION else None,
            channel=self.channel.data,
            contact_type=self.contact_type.data or None,
            mode=InvitationMode(self.mode.data),
            fallback_channel=self.fallback_channel.data or None,
            delay_minutes=self.delay_minutes.data,
            sampling_rate=round(self.sampling_percent.data / 100, 6),
            expiry_days=self.expiry_days.data,
            fatigue_days=self.fatigue_days.data,
            quiet_start_hour=self.quiet_start_hour.data,
            quiet_end_hour=self.quiet_end_hour.data,
            channel_options=options,
            attribute_filters=self.attribute_filters.data,
            excluded_contact_types=list(self.excluded_contact_types.data or []),
            excluded_attributes=self.excluded_attributes.data,
            quota_limit=self.quota_limit.data,
            quota_period=self.quota_period.data,
            reminder_after_days=self.reminder_after_days.data,
            active_from=self.active_from.data,
            active_until=self.active_until.data,
        )

    def show_errors(self, error: RuleError) -> None:
        """Each of the service's errors beside its field."""
        for key, message in error.errors.items():
            name = ERROR_FIELDS.get(key, key)
            target = self._fields.get(name, self.questionnaire)
            target.errors = [*target.errors, message[:1].upper() + message[1:]]


def option_field_name(channel: str, option: str) -> str:
    return f"option-{channel}-{option}"


def _option_field(option_type: type, default: Any) -> Field:
    """A form field for a channel's rule option of type bool, int or str."""
    if option_type is bool:
        return BooleanField(default=default)
    if option_type is int:
        return IntegerField(default=default, validators=[Optional()])
    return StringField(default=default, filters=[_strip])


def _rule_form_class(channels: Mapping[str, Channel]) -> type[RuleForm]:
    """RuleForm with a field for each option the enabled channels offer rules."""
    fields = {
        option_field_name(name, key): _option_field(option.type, option.default)
        for name, channel in channels.items()
        for key, option in channel.rule_options.items()
    }
    return type("ChannelRuleForm", (RuleForm,), fields) if fields else RuleForm


class SimulateForm(FlaskForm):
    """A sample contact event, as a system would send it."""

    program = SelectField(_l("Program"), choices=[])
    contact_type = StringField(
        _l("Contact type"),
        filters=[_strip],
        validators=[
            DataRequired(message=_l("Enter the contact type.")),
            Length(max=64, message=_l("At most 64 characters.")),
        ],
    )
    attributes = PairsField(_l("Attributes"))
    client_ref = StringField(
        _l("Client reference"),
        validators=[
            DataRequired(message=_l("Enter the client's reference.")),
            Length(max=200, message=_l("At most 200 characters.")),
        ],
        filters=[_strip],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    email = StringField(
        _l("Email address"),
        validators=[Optional(), Length(max=320, message=_l("The email address is too long."))],
        filters=[_strip],
        render_kw={"autocomplete": "off", "spellcheck": "false", "type": "email"},
    )
    phone = StringField(
        _l("Phone number"),
        validators=[Optional(), Length(max=32, message=_l("At most 32 characters."))],
        filters=[_strip],
        render_kw={"autocomplete": "off", "type": "tel"},
    )
    language = RadioField(
        _l("Language"),
        choices=[SelectChoice(code, label) for code, label in LANGUAGE_LABELS.items()],
        default="en",
        validators=[InputRequired(message=_l("Choose a language."))],
    )
    timezone = StringField(
        _l("Client's time zone"),
        validators=[Optional()],
        filters=[_strip],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    occurred_at = DateTimeLocalField(
        _l("Contact time"),
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        validators=[
            InputRequired(message=_l("Enter the date and time of the contact.")),
        ],
    )

    def validate_occurred_at(self, field: DateTimeLocalField) -> None:
        if field.data is not None and not 2000 <= field.data.year <= 2100:
            raise ValidationError(_l("Enter a contact time between the years 2000 and 2100."))

    def validate_timezone(self, field: StringField) -> None:
        try:
            ZoneInfo(field.data)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValidationError(
                _l("Enter a time zone like America/Toronto, or leave it empty.")
            ) from exc


def _contact_type_choices(program: Program, language: str) -> list[SelectChoice]:
    return [
        SelectChoice(item["code"], f"{item.get(language) or item['code']} ({item['code']})")
        for item in program.contact_types or []
    ]


def _questionnaire_choices(program: Program, language: str) -> dict[str, list[SelectChoice]]:
    """The program's published questionnaires, grouped: follow the latest, or one version."""
    groups: dict[str, list[SelectChoice]] = {}
    questionnaires = db.session.scalars(
        select(Questionnaire)
        .where(Questionnaire.program_id == program.id)
        .order_by(Questionnaire.code)
    )
    for questionnaire in questionnaires:
        published = [v for v in questionnaire.versions if v.is_published]
        if not published:
            continue
        latest = published[-1]
        title = latest.title(language)
        groups[f"{title} ({questionnaire.code})"] = [
            SelectChoice(
                f"{LATEST}:{questionnaire.id}",
                _(
                    "%(title)s: always the latest published version (now version %(number)s)",
                    title=title,
                    number=latest.number,
                ),
            ),
            *(
                SelectChoice(
                    f"{VERSION}:{version.id}",
                    _(
                        "%(title)s: version %(number)s only",
                        title=version.title(language),
                        number=version.number,
                    ),
                )
                for version in reversed(published)
            ),
        ]
    return groups


def _needs(channel: Channel) -> str:
    """What a channel needs of a client, for its name in the channel lists."""
    if channel.requires == {"email"}:
        return _("needs an email address")
    if channel.requires == {"phone"}:
        return _("needs a phone number")
    if channel.requires:
        return _("needs an email address and a phone number")
    return _("needs no contact details")


def rule_form(program: Program, rule: DistributionRule | None = None) -> RuleForm:
    """The rule form of `program`, its choices filled in; with `rule`'s settings on a GET."""
    channels = enabled_channels()
    form_class = _rule_form_class(channels)
    form = form_class(data=_initial(rule) if rule is not None and request.method == "GET" else None)
    language = current_locale()
    types = _contact_type_choices(program, language)
    if types and rule is not None and rule.contact_type not in {None, *(t.value for t in types)}:
        types.append(SelectChoice(rule.contact_type, rule.contact_type))  # no longer listed
    form.contact_type.choices = [SelectChoice("", _("Every contact type")), *types] if types else []
    form.excluded_contact_types.choices = types
    form.questionnaire.choices = _questionnaire_choices(program, language)
    channel_choices = [
        SelectChoice(name, f"{channel_title(name, language)} ({_needs(channel)})")
        for name, channel in channels.items()
    ]
    form.channel.choices = channel_choices
    form.fallback_channel.choices = [SelectChoice("", _("No fall-back")), *channel_choices]
    return form


def _initial(rule: DistributionRule) -> dict[str, Any]:
    """The form's values for an existing rule."""
    if rule.questionnaire_version_id is None:
        questionnaire = f"{LATEST}:{rule.questionnaire_id}"
    else:
        questionnaire = f"{VERSION}:{rule.questionnaire_version_id}"
    data: dict[str, Any] = {
        name: getattr(rule, name)
        for name in (
            "contact_type", "channel", "delay_minutes", "quota_limit", "quota_period",
            "quiet_start_hour", "quiet_end_hour", "fatigue_days", "attribute_filters",
            "excluded_contact_types", "excluded_attributes", "reminder_after_days",
            "expiry_days", "active_from", "active_until",
        )
    }  # fmt: skip
    data.update(
        questionnaire=questionnaire,
        fallback_channel=rule.fallback_channel or "",
        mode=rule.mode.value,
        sampling_percent=round(rule.sampling_rate * 100, 2),
    )
    for key, value in (rule.channel_options or {}).items():
        data[option_field_name(rule.channel, key)] = value
    return data
