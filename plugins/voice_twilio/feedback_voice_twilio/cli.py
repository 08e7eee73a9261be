"""`feedback twilio-voice-sign`: sign a voice webhook request as Twilio would, to play a call
by hand against a running platform."""

from __future__ import annotations

import shlex

import click
from flask.cli import with_appcontext
from twilio.request_validator import RequestValidator
from werkzeug.datastructures import MultiDict

from feedback.channels import api
from feedback_voice_twilio.channel import VoiceTwilioChannel


def _pairs(params: tuple[str, ...]) -> list[tuple[str, str]]:
    pairs = []
    for param in params:
        name, separator, value = param.partition("=")
        if not separator or not name:
            raise click.BadParameter(f"{param!r} is not NAME=VALUE", param_hint="PARAMS")
        pairs.append((name, value))
    return pairs


@click.command("twilio-voice-sign")
@click.argument("path")
@click.argument("params", nargs=-1)
@click.option("--curl", is_flag=True, help="Print a curl command that posts the signed request.")
@with_appcontext
def sign_command(path: str, params: tuple[str, ...], curl: bool) -> None:
    """Print the X-Twilio-Signature of a POST of PARAMS (NAME=VALUE ...) to a voice webhook.

    PATH is the webhook's path under /hooks/voice_twilio, with its query string (e.g. /keys,
    or '/call?program=passport&contact_type=call'); the URL signed is the public one, under
    PUBLIC_BASE_URL, as Twilio would sign it.

    \b
    Example, a caller transferred at the end of a call, then pressing 4:
      feedback twilio-voice-sign '/call?program=passport&contact_type=call&lang=en' \\
          CallSid=CA01 From=+16135550123 --curl | sh
      feedback twilio-voice-sign /keys CallSid=CA01 Digits=4 --curl | sh
    """
    channel = api.enabled_channel(VoiceTwilioChannel.name)
    if not isinstance(channel, VoiceTwilioChannel):
        raise click.ClickException("voice_twilio is not enabled: add it to FEEDBACK_CHANNELS")
    if not channel.auth_token:
        raise click.ClickException("TWILIO_AUTH_TOKEN is not set: nothing to sign with")
    if not path.startswith("/"):
        raise click.BadParameter("start with /, e.g. /keys", param_hint="PATH")
    route, _, query = path.partition("?")
    target = channel.public_url(f"/hooks/{channel.name}{route}", query)
    form = MultiDict(_pairs(params))
    signature = RequestValidator(channel.auth_token).compute_signature(target, form)
    if not curl:
        click.echo(signature)
        return
    words = ["curl", "-sS", "-w", "\\n", "-X", "POST", target]
    words += ["-H", f"X-Twilio-Signature: {signature}"]
    for name, value in form.items(multi=True):
        words += ["--data-urlencode", f"{name}={value}"]
    click.echo(shlex.join(words))
