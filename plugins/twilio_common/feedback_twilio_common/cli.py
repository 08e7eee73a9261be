"""Signing a webhook request as Twilio would, for the Twilio plugins' signing commands."""

from __future__ import annotations

import shlex
from typing import TypeVar

import click
from twilio.request_validator import RequestValidator
from werkzeug.datastructures import MultiDict

from feedback import plugin_api as api
from feedback_twilio_common.channel import TwilioChannelBase

T = TypeVar("T", bound=TwilioChannelBase)


def enabled_channel(kind: type[T]) -> T:
    """The enabled channel of class `kind`, in development or testing, with a secret to sign
    with, or a ClickException."""
    channel = api.enabled_channel(kind.name)
    if not isinstance(channel, kind):
        raise click.ClickException(f"{kind.name} is not enabled: add it to FEEDBACK_CHANNELS")
    development_only(channel)
    if not channel.auth_token:
        raise click.ClickException("TWILIO_AUTH_TOKEN is not set: nothing to sign with")
    return channel


def development_only(channel: TwilioChannelBase) -> None:
    """Signing requests by hand plays a client's part: never against a production database."""
    if not channel.platform.local:
        raise click.ClickException(
            f"this is a development tool; FEEDBACK_ENV is {channel.platform.environment!r}"
        )


def _pairs(params: tuple[str, ...]) -> list[tuple[str, str]]:
    pairs = []
    for param in params:
        name, separator, value = param.partition("=")
        if not separator or not name:
            raise click.BadParameter(f"{param!r} is not NAME=VALUE", param_hint="PARAMS")
        pairs.append((name, value))
    return pairs


def echo_signed(
    channel: TwilioChannelBase,
    target: str,
    params: tuple[str, ...],
    curl: list[str] | None,
) -> None:
    """Print the X-Twilio-Signature of a POST of `params` (NAME=VALUE ...) to `target`, or,
    when `curl` is given (the command's words before the URL), a curl command posting it."""
    form = MultiDict(_pairs(params))
    signature = RequestValidator(channel.auth_token).compute_signature(target, form)
    if curl is None:
        click.echo(signature)
        return
    words = [*curl, target, "-H", f"X-Twilio-Signature: {signature}"]
    for name, value in form.items(multi=True):
        words += ["--data-urlencode", f"{name}={value}"]
    click.echo(shlex.join(words))
