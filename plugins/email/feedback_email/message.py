"""Composition of the bilingual invitation email: the client's language first, the other below.

Each language section is rendered under ``flask_babel.force_locale`` with the plugin's own
translation domain, so this works in the worker (app context, no request) as in a request.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_date, format_time, get_timezone_name
from flask import render_template
from flask_babel import Domain, force_locale
from markupsafe import Markup

from feedback.channels import Invitation

LANGUAGES = ("en", "fr")
TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"

#: The plugin's own catalogue (translations/<lang>/LC_MESSAGES/feedback_email.mo).
domain = Domain(translation_directories=[str(TRANSLATIONS_DIR)], domain="feedback_email")
_ = domain.gettext


@dataclass(frozen=True)
class Section:
    """One language's part of the message, already rendered."""

    lang: str
    subject: str
    announce: str  # "The French version follows.", written in this section's language
    text: str
    html: Markup


def language_order(language: str) -> tuple[str, str]:
    first = language if language in LANGUAGES else LANGUAGES[0]
    second = next(lang for lang in LANGUAGES if lang != first)
    return first, second


def _client_zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def expiry_parts(expires_at: datetime, zone_name: str | None, lang: str) -> dict[str, str]:
    """Date, time and zone name of the expiry, in the client's time zone, Canadian conventions."""
    zone = _client_zone(zone_name)
    local = expires_at.astimezone(zone)
    locale = f"{lang}_CA"
    zone_label = "UTC" if zone.key == "UTC" else get_timezone_name(zone, locale=locale)
    return {
        "date": format_date(local, "full", locale=locale),
        "time": format_time(local, "short", locale=locale),
        "zone": zone_label,
    }


def _pick(texts: Mapping[str, str], lang: str) -> str:
    """A text in `lang`, falling back to any non-empty one rather than showing nothing."""
    return texts.get(lang) or next((value for value in texts.values() if value), "")


def render_section(invitation: Invitation, lang: str) -> Section:
    with force_locale(lang):
        context = {
            "_": domain.gettext,  # the plugin's catalogue, not the core's
            "lang": lang,
            "program": _pick(invitation.program_name, lang),
            "title": _pick(invitation.questionnaire_title, lang),
            "survey_url": invitation.survey_url,
            "unsubscribe_url": invitation.unsubscribe_url,
            "reminder": invitation.reminder,
            "expires": (
                expiry_parts(invitation.expires_at, invitation.timezone, lang)
                if invitation.expires_at
                else None
            ),
        }
        announce = (
            _("The English version follows.") if lang == "en" else _("The French version follows.")
        )
        return Section(
            lang=lang,
            subject=(
                _("Reminder: %(program)s: tell us how we did", program=context["program"])
                if invitation.reminder
                else _("%(program)s: tell us how we did", program=context["program"])
            ),
            announce=announce,
            text=render_template("feedback_email/_section.txt", **context).strip(),
            html=Markup(render_template("feedback_email/_section.html", **context)),
        )


def sender_domain(mail_from: str) -> str:
    address = parseaddr(mail_from)[1]
    return address.rpartition("@")[2] or "localhost"


def compose(invitation: Invitation, mail_from: str) -> EmailMessage:
    """The complete message, with a fresh Message-ID (the provider reference)."""
    sections = [render_section(invitation, lang) for lang in language_order(invitation.language)]
    subject = " / ".join(section.subject for section in sections)

    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = mail_from
    message["To"] = invitation.email  # validated at ingest; the server has the last word
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain=sender_domain(mail_from))
    message["List-Unsubscribe"] = f"<{invitation.unsubscribe_url}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["Auto-Submitted"] = "auto-generated"  # asks mail servers not to auto-reply
    message.set_content(
        render_template("feedback_email/invitation.txt", sections=sections).strip() + "\n"
    )
    message.add_alternative(
        render_template("feedback_email/invitation.html", sections=sections, subject=subject),
        subtype="html",
    )
    # After the content: set_content() drops every Content-* header already present.
    message["Content-Language"] = ", ".join(section.lang for section in sections)
    return message
