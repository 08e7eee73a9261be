"""The email channel against real SMTP servers (aiosmtpd), in both languages."""

from __future__ import annotations

import logging
import re
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from feedback_email import EmailChannel
from flask import Flask

from feedback.channels import Outcome
from feedback.channels.registry import discover
from feedback.channels.testing import channel_from


def channel_for(server: Any, **config: Any) -> EmailChannel:
    channel = channel_from(
        EmailChannel, {"SMTP_HOST": server.host, "SMTP_PORT": server.port, **config}
    )
    channel.check_config()
    return channel


def received_message(server: Any) -> EmailMessage:
    (envelope,) = server.handler.received
    return message_from_bytes(envelope.original_content, policy=policy.default)


def parts(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html


ENGLISH_HEADING = "Tell us about your recent contact with Passport Program"
FRENCH_HEADING = "Parlez-nous de votre récent échange avec Programme de passeport"


@pytest.mark.parametrize(
    ("language", "first", "second", "subject_start", "announce"),
    [
        (
            "en",
            ENGLISH_HEADING,
            FRENCH_HEADING,
            "Passport Program: tell us how we did",
            "La version française suit.",
        ),
        (
            "fr",
            FRENCH_HEADING,
            ENGLISH_HEADING,
            "Programme de passeport\u00a0: donnez-nous",
            "The English version follows.",
        ),
    ],
)
def test_bilingual_message_puts_the_clients_language_first(
    app_context: Flask,
    smtp_server: Any,
    make_invitation: Any,
    language: str,
    first: str,
    second: str,
    subject_start: str,
    announce: str,
) -> None:
    result = channel_for(smtp_server).send(make_invitation(language=language))

    assert result.outcome is Outcome.SENT
    message = received_message(smtp_server)
    assert smtp_server.handler.received[0].rcpt_tos == ["client@example.ca"]
    assert result.provider_ref == message["Message-ID"]
    assert message.get_content_type() == "multipart/alternative"
    assert message["Subject"].startswith(subject_start)
    assert " / " in message["Subject"]
    other = "fr" if language == "en" else "en"
    assert message["Content-Language"] == f"{language}, {other}"
    assert message["List-Unsubscribe"] == "<http://survey.test/u/unsub-code-123>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    text, html = parts(message)
    for body in (text, html):
        assert body.index(announce) < body.index(first) < body.index(second)
        assert "http://survey.test/s/tok_0123456789abcdefghijklmnopqrstuvwxyzABCDEF" in body
        assert "http://survey.test/u/unsub-code-123" in body
    assert f'<html lang="{language}">' in html
    assert html.index(f'lang="{language}"') < html.index(f'<div id="{other}" lang="{other}">')
    # the survey link has real text, in each language
    assert re.search(
        r'<a href="http://survey.test/s/tok_[^"]+"[^>]*>Answer the questionnaire '
        r"“Your visit”</a>",
        html,
    )
    assert re.search(
        r'<a href="http://survey.test/s/tok_[^"]+"[^>]*>Répondre au questionnaire '
        "«\u00a0Votre visite\u00a0»</a>",
        html,
    )


def test_french_part_is_french_with_canadian_dates_in_the_clients_zone(
    app_context: Flask, smtp_server: Any, make_invitation: Any
) -> None:
    channel_for(smtp_server).send(make_invitation(language="fr"))
    text, _html = parts(received_message(smtp_server))
    french, english = text.split("-" * 70)

    # 10:31 UTC on May 3, 2025 is 6:31 in Toronto
    assert (
        "Ce lien vous est réservé. Il est valide jusqu’au samedi 3 mai 2025 à 06 h 31 "
        "(heure de l’Est)." in french
    )
    assert "Pour ne plus recevoir de demandes de rétroaction" in french
    assert "Programme de passeport" in french and "Passport Program" not in french
    assert "It works until Saturday, May 3, 2025 at 6:31\u202fa.m. (Eastern Time)." in english
    assert "To stop receiving feedback requests:" in english


def test_without_expiry_the_sentence_is_left_out(
    app_context: Flask, smtp_server: Any, make_invitation: Any
) -> None:
    channel_for(smtp_server).send(make_invitation(expires_at=None))
    text, html = parts(received_message(smtp_server))
    assert "works until" not in text and "valide jusqu" not in html


def test_starttls_and_login(app_context: Flask, tls_smtp_server: Any, make_invitation: Any) -> None:
    server = tls_smtp_server
    channel = channel_for(
        server, SMTP_STARTTLS=True, SMTP_USERNAME=server.login, SMTP_PASSWORD=server.password
    )
    result = channel.send(make_invitation())

    assert result.outcome is Outcome.SENT
    (session,) = server.handler.sessions
    assert session.ssl is not None  # the message went over TLS
    assert session.authenticated


def test_wrong_password_is_transient_and_never_shown(
    app_context: Flask,
    tls_smtp_server: Any,
    make_invitation: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    server = tls_smtp_server
    wrong = server.password + "-typo"
    channel = channel_for(
        server, SMTP_STARTTLS=True, SMTP_USERNAME=server.login, SMTP_PASSWORD=wrong
    )
    with caplog.at_level(logging.WARNING, logger="feedback.plugins.email"):
        result = channel.send(make_invitation())

    assert result.outcome is Outcome.TRANSIENT
    assert "authentication failed" in result.detail
    assert server.handler.received == []
    logged = " ".join(f"{r.getMessage()} {getattr(r, 'fields', '')}" for r in caplog.records)
    assert "authentication failed" in logged
    for secret in (wrong, server.password, "client@example.ca", "tok_0123456789"):
        assert secret not in result.detail
        assert secret not in logged


def test_starttls_required_but_not_offered_is_transient(
    app_context: Flask, smtp_server: Any, make_invitation: Any
) -> None:
    result = channel_for(smtp_server, SMTP_STARTTLS=True).send(make_invitation())
    assert result.outcome is Outcome.TRANSIENT
    assert "STARTTLS" in result.detail
    assert smtp_server.handler.received == []


def test_untrusted_certificate_is_transient(
    app_context: Flask,
    tls_smtp_server: Any,
    make_invitation: Any,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Any,
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "no-such-ca.pem"))
    server = tls_smtp_server
    channel = channel_for(
        server, SMTP_STARTTLS=True, SMTP_USERNAME=server.login, SMTP_PASSWORD=server.password
    )
    result = channel.send(make_invitation())
    assert result.outcome is Outcome.TRANSIENT
    assert result.detail.startswith("TLS failure: CERTIFICATE_VERIFY_FAILED")


@pytest.mark.parametrize(
    ("reply", "outcome", "detail"),
    [
        (
            "550 5.1.1 <client@example.ca>: mailbox unavailable",
            Outcome.PERMANENT,
            "recipient refused: 550 5.1.1",
        ),
        (
            "451 4.7.1 <client@example.ca>: greylisted, try later",
            Outcome.TRANSIENT,
            "recipient refused: 451 4.7.1",
        ),
    ],
)
def test_recipient_refusal_by_code(
    app_context: Flask,
    smtp_server: Any,
    make_invitation: Any,
    reply: str,
    outcome: Outcome,
    detail: str,
) -> None:
    smtp_server.handler.rcpt_reply = reply
    result = channel_for(smtp_server).send(make_invitation())
    assert result.outcome is outcome
    assert result.detail == detail  # the server's text (which repeats the address) is dropped


def test_refused_content_is_permanent(
    app_context: Flask, smtp_server: Any, make_invitation: Any
) -> None:
    smtp_server.handler.data_reply = "554 5.7.1 message refused as spam"
    result = channel_for(smtp_server).send(make_invitation())
    assert (result.outcome, result.detail) == (Outcome.PERMANENT, "message refused: 554 5.7.1")


def test_connection_refused_is_transient(
    app_context: Flask, unused_port: int, make_invitation: Any
) -> None:
    channel = channel_from(EmailChannel, {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": unused_port})
    result = channel.send(make_invitation())
    assert result.outcome is Outcome.TRANSIENT
    assert result.detail.startswith("cannot reach SMTP server")


def test_invitation_without_address_is_permanent(app_context: Flask, make_invitation: Any) -> None:
    result = channel_from(EmailChannel, {}).send(make_invitation(email=None))
    assert result.outcome is Outcome.PERMANENT


@pytest.mark.parametrize(
    ("config", "problem"),
    [
        ({"SMTP_USERNAME": "sender"}, "SMTP_PASSWORD"),
        ({"SMTP_PASSWORD": "secret"}, "SMTP_USERNAME"),
        (
            {"SMTP_HOST": "smtp.example.ca", "SMTP_USERNAME": "u", "SMTP_PASSWORD": "p"},
            "clear text",
        ),
        ({"SMTP_PORT": 0}, "SMTP_PORT"),
        ({"SMTP_TIMEOUT": 0}, "SMTP_TIMEOUT"),
        ({"MAIL_FROM": "Client feedback"}, "MAIL_FROM"),
        ({"SMTP_HOST": ""}, "SMTP_HOST"),
    ],
)
def test_impossible_configuration_is_refused(config: dict[str, Any], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        channel_from(EmailChannel, config).check_config()


def test_accepted_configurations() -> None:
    channel_from(EmailChannel, {}).check_config()  # the development defaults
    channel_from(
        EmailChannel, {"SMTP_USERNAME": "u", "SMTP_PASSWORD": "p"}
    ).check_config()  # loopback
    channel_from(
        EmailChannel,
        {
            "SMTP_HOST": "smtp.example.ca",
            "SMTP_STARTTLS": True,
            "SMTP_USERNAME": "u",
            "SMTP_PASSWORD": "p",
        },
    ).check_config()


def test_discovered_through_its_entry_point_with_templates_mounted(app: Flask) -> None:
    assert discover()["email"].load() is EmailChannel
    assert isinstance(app.extensions["feedback.channels"]["email"], EmailChannel)
    assert "channel_email" in app.blueprints
    assert app.jinja_env.get_template("feedback_email/invitation.html")


def test_a_batch_goes_through_one_smtp_session(
    app_context: Flask, smtp_server: Any, make_invitation: Any
) -> None:
    batch = [make_invitation(id=f"inv-{n}", email=f"client{n}@example.ca") for n in range(5)]
    results = channel_for(smtp_server).send_many(batch)
    assert [r.outcome for r in results] == [Outcome.SENT] * 5
    assert len({r.provider_ref for r in results}) == 5
    assert [e.rcpt_tos for e in smtp_server.handler.received] == [[i.email] for i in batch]
    assert len({id(session) for session in smtp_server.handler.sessions}) == 1


def test_a_refusal_in_a_batch_costs_only_its_invitation(
    app_context: Flask, smtp_server: Any, make_invitation: Any
) -> None:
    handler = smtp_server.handler
    accept = handler.handle_RCPT

    async def refuse_one(server, session, envelope, address, options):  # aiosmtpd's hook
        if address == "bad@example.ca":
            return "550 5.1.1 <bad@example.ca>: no such user"
        return await accept(server, session, envelope, address, options)

    handler.handle_RCPT = refuse_one
    emails = ["a@example.ca", "bad@example.ca", None, "c@example.ca"]
    batch = [make_invitation(id=f"inv-{n}", email=email) for n, email in enumerate(emails)]
    results = channel_for(smtp_server).send_many(batch)
    assert [r.outcome for r in results] == [
        Outcome.SENT,
        Outcome.PERMANENT,
        Outcome.PERMANENT,
        Outcome.SENT,
    ]
    assert [e.rcpt_tos for e in handler.received] == [["a@example.ca"], ["c@example.ca"]]


def test_an_unreachable_server_fails_the_batch_transiently_at_once(
    app_context: Flask, unused_port: int, make_invitation: Any
) -> None:
    channel = channel_from(EmailChannel, {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": unused_port})
    results = channel.send_many([make_invitation(id=f"inv-{n}") for n in range(3)])
    assert {r.outcome for r in results} == {Outcome.TRANSIENT}
    assert all(r.detail.startswith("cannot reach SMTP server") for r in results)
