"""`feedback twilio-sign`: sign a webhook request as Twilio would, to reply by hand."""

from __future__ import annotations

import click
from feedback_twilio_common.cli import echo_signed, enabled_channel
from flask.cli import with_appcontext

from feedback_sms_twilio.channel import INBOUND_PATH, TwilioChannel


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
    channel = enabled_channel(TwilioChannel)
    target = url or channel.hook_url(INBOUND_PATH)
    echo_signed(channel, target, params, ["curl", "-sS", "-X", "POST"] if curl else None)
