"""The email channel: bilingual invitations over SMTP, every fault reported as an outcome."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping, Sequence
from email.utils import parseaddr
from ipaddress import ip_address
from typing import Any, ClassVar

from flask import Blueprint

from feedback import plugin_api as api
from feedback.channels import Channel, DeliveryResult, Invitation
from feedback_email.message import compose

AUTH_REQUIRED = 530


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def _enhanced_status(reply: bytes | str) -> str:
    """The RFC 3463 status (e.g. 5.1.1) that opens a reply, if any.

    Only this is kept of a server's reply: its free text often repeats the recipient's address.
    """
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
    first = text.split(maxsplit=1)[0] if text.strip() else ""
    parts = first.split(".")
    if len(parts) == 3 and parts[0] in {"2", "4", "5"} and all(p.isdigit() for p in parts):
        return first
    return ""


def _by_code(what: str, code: int, reply: bytes | str) -> DeliveryResult:
    detail = f"{what}: {code} {_enhanced_status(reply)}".rstrip()
    if 500 <= code < 600:
        return DeliveryResult.permanent(detail)
    return DeliveryResult.transient(detail)


def classify(exc: OSError) -> DeliveryResult:
    """Turn an SMTP or network failure into an outcome.

    Only a refusal about this recipient or this message (5xx) is permanent. Configuration
    problems (authentication, TLS, missing extensions) stay transient so that fixing the
    configuration lets the invitation go out, instead of burning the client's one chance.
    """
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return DeliveryResult.transient(
            f"SMTP authentication failed ({exc.smtp_code}): check SMTP_USERNAME and SMTP_PASSWORD"
        )
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        # smtplib's own wording, e.g. "STARTTLS extension not supported by server."
        return DeliveryResult.transient(f"SMTP configuration: {exc}")
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, reply = next(iter(exc.recipients.values()))
        return _by_code("recipient refused", code, reply)
    if isinstance(exc, smtplib.SMTPSenderRefused):
        if exc.smtp_code == AUTH_REQUIRED:
            return DeliveryResult.transient(
                "SMTP server requires authentication: set SMTP_USERNAME and SMTP_PASSWORD"
            )
        return _by_code("sender refused", exc.smtp_code, exc.smtp_error)
    if isinstance(exc, smtplib.SMTPDataError):
        return _by_code("message refused", exc.smtp_code, exc.smtp_error)
    if isinstance(exc, smtplib.SMTPResponseException):  # greeting, HELO: the server, not the client
        return DeliveryResult.transient(f"SMTP server error: {exc.smtp_code}")
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return DeliveryResult.transient("SMTP server closed the connection")
    if isinstance(exc, smtplib.SMTPException):
        # smtplib raises a bare SMTPException only with fixed texts (e.g. no AUTH method fits)
        return DeliveryResult.transient(f"SMTP error: {exc}")
    if isinstance(exc, ssl.SSLError):
        return DeliveryResult.transient(f"TLS failure: {exc.reason or type(exc).__name__}")
    if isinstance(exc, TimeoutError):
        return DeliveryResult.transient("SMTP server timed out")
    return DeliveryResult.transient(
        f"cannot reach SMTP server: {exc.strerror or type(exc).__name__}"
    )


class EmailChannel(Channel):
    """Sends one bilingual multipart email per invitation through an SMTP server."""

    name: ClassVar[str] = "email"
    titles: ClassVar[Mapping[str, str]] = {"en": "email", "fr": "courriel"}
    requires: ClassVar[frozenset[str]] = frozenset({"email"})
    settings: ClassVar[Mapping[str, Any]] = {
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": 8025,
        "SMTP_STARTTLS": False,
        "SMTP_USERNAME": "",
        "SMTP_PASSWORD": "",
        "SMTP_TIMEOUT": 10,
        "MAIL_FROM": "Client feedback <no-reply@feedback.localhost>",
    }

    def check_config(self) -> None:
        config = self.config
        if not config["SMTP_HOST"]:
            raise ValueError("SMTP_HOST is empty")
        if not 0 < int(config["SMTP_PORT"]) < 65536:
            raise ValueError(f"SMTP_PORT {config['SMTP_PORT']} is not a TCP port")
        if int(config["SMTP_TIMEOUT"]) <= 0:
            raise ValueError("SMTP_TIMEOUT must be a positive number of seconds")
        if bool(config["SMTP_USERNAME"]) != bool(config["SMTP_PASSWORD"]):
            raise ValueError("set both SMTP_USERNAME and SMTP_PASSWORD, or neither")
        if (
            config["SMTP_USERNAME"]
            and not config["SMTP_STARTTLS"]
            and not _is_loopback(config["SMTP_HOST"])
        ):
            raise ValueError(
                "SMTP_USERNAME is set but SMTP_STARTTLS is off: the password would cross "
                "the network in clear text"
            )
        if "@" not in parseaddr(config["MAIL_FROM"])[1]:
            raise ValueError("MAIL_FROM must hold an email address, e.g. 'Name <no-reply@x.ca>'")

    def blueprint(self) -> Blueprint:
        # No routes yet: the blueprint makes the plugin's templates visible to the app.
        return Blueprint("feedback_email", __name__, template_folder="templates")

    def send(self, invitation: Invitation) -> DeliveryResult:
        return self.send_many([invitation])[0]

    def send_many(self, invitations: Sequence[Invitation]) -> list[DeliveryResult]:
        """One SMTP session for the whole batch. After a fault the session is closed (it may be
        broken) and the next message opens another; once the server cannot be reached, the
        rest of the batch waits for a later attempt instead of timing out one by one."""
        results: list[DeliveryResult] = []
        smtp: smtplib.SMTP | None = None
        unreachable: DeliveryResult | None = None
        try:
            for invitation in invitations:
                if not invitation.email:
                    results.append(DeliveryResult.permanent("no email address"))
                    continue
                if smtp is None and unreachable is None:
                    try:
                        smtp = self._connect()
                    except OSError as exc:  # smtplib's, sockets, TLS, timeouts: all OSErrors
                        unreachable = classify(exc)
                if smtp is None:
                    assert unreachable is not None
                    results.append(self._undelivered(invitation, unreachable))
                    continue
                message = compose(invitation, self.config["MAIL_FROM"])
                try:
                    smtp.send_message(message)
                except OSError as exc:
                    smtp.close()  # the session may be broken: the next message opens another
                    smtp = None
                    results.append(self._undelivered(invitation, classify(exc)))
                else:
                    results.append(DeliveryResult.sent(message["Message-ID"]))
        finally:
            if smtp is not None:
                _quit(smtp)
        return results

    def _undelivered(self, invitation: Invitation, result: DeliveryResult) -> DeliveryResult:
        return api.log_undelivered(self.log, "email not delivered", invitation, result)

    def _connect(self) -> smtplib.SMTP:
        config = self.config
        smtp = smtplib.SMTP(
            config["SMTP_HOST"], int(config["SMTP_PORT"]), timeout=float(config["SMTP_TIMEOUT"])
        )
        try:
            if config["SMTP_STARTTLS"]:
                smtp.starttls(context=ssl.create_default_context())
            if config["SMTP_USERNAME"]:
                smtp.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"])
        except OSError:
            smtp.close()
            raise
        return smtp


def _quit(smtp: smtplib.SMTP) -> None:
    # A message is accepted once DATA succeeds: a failing QUIT must not turn that into a retry
    # (and a duplicate email).
    try:
        smtp.quit()
    except OSError:
        smtp.close()
