"""`feedback twilio-voice-sign`: sign a voice webhook request as Twilio would, to play a call
by hand against a running platform."""

from __future__ import annotations

import click
from feedback_twilio_common.cli import echo_signed, enabled_channel
from flask.cli import with_appcontext

from feedback_voice_twilio.channel import VoiceTwilioChannel


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
    channel = enabled_channel(VoiceTwilioChannel)
    if not path.startswith("/"):
        raise click.BadParameter("start with /, e.g. /keys", param_hint="PATH")
    route, _, query = path.partition("?")
    target = channel.hook_url(route, query)
    echo_signed(
        channel, target, params, ["curl", "-sS", "-w", "\\n", "-X", "POST"] if curl else None
    )
