"""A distribution rule in words, for the rule list: what it does, one short phrase a setting."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from flask_babel import format_date, format_percent, ngettext
from flask_babel import gettext as _

from feedback.channels.registry import channel_title
from feedback.distribution.models import DistributionRule
from feedback.i18n import current_locale
from feedback.questionnaires.authoring import latest_published


def delay_text(minutes: int) -> str:
    """A delay in the largest whole unit: "2 days", "3 hours", "90 minutes"."""
    if minutes and minutes % 1440 == 0:
        return ngettext("%(num)s day", "%(num)s days", minutes // 1440)
    if minutes and minutes % 60 == 0:
        return ngettext("%(num)s hour", "%(num)s hours", minutes // 60)
    return ngettext("%(num)s minute", "%(num)s minutes", minutes)


def _conditions(pairs: Mapping[str, Sequence[str]]) -> str:
    """{"region": ["east", "north"], "file": ["new"]} as "region: east / north; file: new"."""
    return "; ".join(f"{name}: {' / '.join(values)}" for name, values in pairs.items())


def _questionnaire(rule: DistributionRule, language: str) -> str:
    if rule.questionnaire_version_id is None:
        latest = latest_published(rule.questionnaire)
        title = (latest or rule.questionnaire.versions[-1]).title(language)
        if latest is None:
            return _("“%(title)s”, latest published version (none yet)", title=title)
        return _(
            "“%(title)s”, latest published version (now version %(number)s)",
            title=title,
            number=latest.number,
        )
    version = rule.questionnaire_version
    return _(
        "“%(title)s”, version %(number)s", title=version.title(language), number=version.number
    )


def _contacts(rule: DistributionRule, language: str) -> str:
    program = rule.program
    if rule.contact_type is None:
        text = _("Every contact type")
    else:
        text = _(
            "Contacts of type “%(type)s”",
            type=program.contact_type_label(rule.contact_type, language),
        )
    if rule.excluded_contact_types:
        excluded = ", ".join(
            program.contact_type_label(code, language) for code in rule.excluded_contact_types
        )
        text = _("%(contacts)s, except %(excluded)s", contacts=text, excluded=excluded)
    return text


def title(rule: DistributionRule) -> str:
    """The contacts a rule is for, as its name in lists: "Call centre call (region: east)"."""
    if rule.contact_type is None:
        name = _("Every contact type")
    else:
        name = rule.program.contact_type_label(rule.contact_type, current_locale())
    if rule.attribute_filters:
        return f"{name} ({_conditions(rule.attribute_filters)})"
    return name


def _channels(rule: DistributionRule) -> str:
    if rule.fallback_channel:
        return _(
            "By %(channel)s, else by %(fallback)s when the client cannot be reached that way",
            channel=_title(rule.channel),
            fallback=_title(rule.fallback_channel),
        )
    return _("By %(channel)s", channel=_title(rule.channel))


def _title(channel: str) -> str:
    return channel_title(channel, current_locale())


def _quiet_hours(rule: DistributionRule) -> str:
    start, end = rule.quiet_start_hour, rule.quiet_end_hour
    if start is None or end is None:
        return _("Quiet hours: the channel's default")
    if start == end:
        return _("No quiet hours")
    start_text, end_text = f"{start:02d}:00", f"{end:02d}:00"
    return _(
        "Nothing sent from %(start)s to %(end)s, the client's time", start=start_text, end=end_text
    )


def _active_dates(rule: DistributionRule) -> str | None:
    start, end = rule.active_from, rule.active_until
    if start and end:
        return _(
            "For contacts from %(start)s to %(end)s",
            start=format_date(start, "medium"),
            end=format_date(end, "medium"),
        )
    if start:
        return _("For contacts from %(start)s", start=format_date(start, "medium"))
    if end:
        return _("For contacts until %(end)s", end=format_date(end, "medium"))
    return None


def describe(rule: DistributionRule) -> list[str]:
    """What `rule` does, in the page's language, one phrase a setting, in the form's order."""
    language = current_locale()
    phrases = [_contacts(rule, language)]
    if rule.attribute_filters:
        phrases.append(
            _("Only contacts with %(conditions)s", conditions=_conditions(rule.attribute_filters))
        )
    phrases.append(_questionnaire(rule, language))
    phrases.append(_channels(rule))
    if rule.mode.value == "conversation":
        phrases.append(_("Questions asked one at a time on the channel"))
    elif rule.mode.value == "callback":
        phrases.append(_("The client is called back"))
    if rule.delay_minutes:
        phrases.append(_("Sent %(delay)s after the contact", delay=delay_text(rule.delay_minutes)))
    else:
        phrases.append(_("Sent right after the contact"))
    if rule.sampling_rate >= 1:
        phrases.append(_("Every contact surveyed (no sampling)"))
    else:
        phrases.append(
            _(
                "%(share)s of contacts surveyed",
                share=format_percent(rule.sampling_rate, "#,##0.##%"),
            )
        )
    if rule.quota_limit:
        if rule.quota_period == "month":
            phrases.append(
                ngettext(
                    "At most %(num)s invitation a month",
                    "At most %(num)s invitations a month",
                    rule.quota_limit,
                )
            )
        else:
            phrases.append(
                ngettext(
                    "At most %(num)s invitation a day",
                    "At most %(num)s invitations a day",
                    rule.quota_limit,
                )
            )
    phrases.append(_quiet_hours(rule))
    if rule.fatigue_days:
        phrases.append(
            ngettext(
                "At most one survey per client in %(num)s day, across programs",
                "At most one survey per client in %(num)s days, across programs",
                rule.fatigue_days,
            )
        )
    else:
        phrases.append(_("No limit on surveys per client"))
    if rule.excluded_attributes:
        phrases.append(
            _(
                "Never surveyed: contacts with %(conditions)s",
                conditions=_conditions(rule.excluded_attributes),
            )
        )
    if rule.reminder_after_days:
        phrases.append(
            ngettext(
                "One reminder after %(num)s day",
                "One reminder after %(num)s days",
                rule.reminder_after_days,
            )
        )
    phrases.append(
        ngettext(
            "The invitation expires after %(num)s day",
            "The invitation expires after %(num)s days",
            rule.expiry_days,
        )
    )
    dates = _active_dates(rule)
    if dates:
        phrases.append(dates)
    return phrases
