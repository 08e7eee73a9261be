"""The email to a program's managers when a follow-up opens: bilingual, with a link to the item
and nothing about the client (no name, address, phone number or answer).

It goes through the SMTP server the email channel uses, with that plugin's settings as it
resolves them (SMTP_HOST, SMTP_PORT, SMTP_STARTTLS, SMTP_USERNAME, SMTP_PASSWORD, SMTP_TIMEOUT,
MAIL_FROM), so that one configuration serves invitations and staff notices alike; in
development the SMTP sink of `feedback dev` catches both.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping, Sequence
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale

from feedback.channels.registry import channel_settings, discover, get_channel, load_class
from feedback.follow_ups.models import FollowUp

#: The channel whose SMTP settings staff emails share.
EMAIL_CHANNEL = "email"
LANGUAGES = ("en", "fr")


class MailNotConfigured(RuntimeError):
    """No email channel is installed: there is no SMTP configuration to send with."""


def smtp_settings() -> Mapping[str, Any]:
    """The email channel's settings: the enabled channel's own, else as the installed plugin
    would read them (app config, then environment, then its defaults)."""
    channel = get_channel(EMAIL_CHANNEL)
    if channel is not None:
        return channel.config
    entry_point = discover().get(EMAIL_CHANNEL)
    if entry_point is None:
        raise MailNotConfigured("no email channel plugin is installed")
    cls = load_class(entry_point)
    return cls(channel_settings(cls, current_app.config)).config


def item_url(item: FollowUp) -> str:
    path = current_app.url_map.bind("localhost").build("follow_ups.item", {"item_id": item.id})
    return f"{current_app.config['PUBLIC_BASE_URL']}{path}"


def compose(item: FollowUp, recipients: Sequence[str], sender: str) -> EmailMessage:
    """One message to every recipient (the program's managers, colleagues), English first."""
    context = {"item": item, "url": item_url(item)}
    subjects, bodies = [], []
    for language in LANGUAGES:
        with force_locale(language):
            context["program"] = item.program.name(language)
            subjects.append(render_template("follow_ups/email_subject.txt", **context).strip())
            bodies.append(render_template("follow_ups/email.txt", **context).strip())
    message = EmailMessage()
    message["Subject"] = " / ".join(subjects)
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Message-ID"] = make_msgid(domain="feedback.follow-ups")
    message.set_content("\n\n----------\n\n".join(bodies) + "\n")
    return message


def send(message: EmailMessage) -> None:
    """Hand the message to the SMTP server; an OSError (smtplib's included) means try later."""
    config = smtp_settings()
    with smtplib.SMTP(
        config["SMTP_HOST"], int(config["SMTP_PORT"]), timeout=float(config["SMTP_TIMEOUT"])
    ) as smtp:
        if config["SMTP_STARTTLS"]:
            smtp.starttls(context=ssl.create_default_context())
        if config["SMTP_USERNAME"]:
            smtp.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"])
        smtp.send_message(message)
