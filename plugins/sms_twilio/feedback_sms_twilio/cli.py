"""`feedback twilio-sign`: sign a webhook request as Twilio would, to reply by hand."""

from __future__ import annotations

import shlex

import click
from flask.cli import with_appcontext
from twilio.request_validator import RequestValidator
from werkzeug.datastructures import MultiDict

from feedback.channels import api
from feedback_sms_twilio.channel import INBOUND_PATH, TwilioChannel


def _pairs(params: tuple[str, ...]) -> list[tuple[str, str]]:
    pairs = []
    for param in params:
        name, separator, value = param.partition("=")
        if not separator or not name:
            raise click.BadParameter(f"{param!r} is not NAME=VALUE", param_hint="PARAMS")
        pairs.append((name, value))
    return pairs


@click.command("twilio-sign")
@click.argument("params", nargs=-1)
@click.option(
    "--url",
    help="The public URL the request is for.  [default: the inbound webhook under PUBLIC_BASE_URL]",
)
@click.option("--curl", is_flag=True, help="Print a curl command that posts the signed request.")
@with_appcontext
def sign_command(params: tuple[str, ...], url: str | None, curl: bool) -> None:
    """Print the X-Twilio-Signature of a POST of PARAMS (NAME=VALUE ...) to the webhook.

    \b
    Example, a client's reply to the conversation:
      feedback twilio-sign From=+16135550123 Body=4 --curl | sh
    """
    channel = api.enabled_channel(TwilioChannel.name)
    if not isinstance(channel, TwilioChannel):
        raise click.ClickException("sms_twilio is not enabled: add it to FEEDBACK_CHANNELS")
    if not channel.auth_token:
        raise click.ClickException("TWILIO_AUTH_TOKEN is not set: nothing to sign with")
    target = url or channel.hook_url(INBOUND_PATH)
    form = MultiDict(_pairs(params))
    signature = RequestValidator(channel.auth_token).compute_signature(target, form)
    if not curl:
        click.echo(signature)
        return
    words = ["curl", "-sS", "-X", "POST", target, "-H", f"X-Twilio-Signature: {signature}"]
    for name, value in form.items(multi=True):
        words += ["--data-urlencode", f"{name}={value}"]
    click.echo(shlex.join(words))
