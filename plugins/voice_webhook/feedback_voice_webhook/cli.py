"""`feedback voice-webhook-sign`: sign a JSON voice webhook request as the platform would, to
play a call by hand against a running platform."""

from __future__ import annotations

import json
import shlex
import time

import click
from flask.cli import with_appcontext

from feedback import plugin_api as api
from feedback_voice_webhook.channel import VoiceWebhookChannel
from feedback_voice_webhook.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from feedback_voice_webhook.views import CALL_PATH


@click.command("voice-webhook-sign")
@click.argument("body")
@click.option("--curl", is_flag=True, help="Print a curl command that posts the signed request.")
@with_appcontext
def sign_command(body: str, curl: bool) -> None:
    """Print the headers that sign BODY (a JSON object) for the JSON voice webhook, now.

    Each request must be signed anew: the same signature is refused the second time, and a
    timestamp more than VOICE_WEBHOOK_TOLERANCE seconds old is refused too.

    \b
    Example, a caller transferred at the end of a call, in French, then pressing 4:
      feedback voice-webhook-sign --curl '{"call_id": "call-1", "event": "start",
          "caller": "+16135550123", "program": "passport", "contact_type": "call",
          "language": "fr"}' | sh
      feedback voice-webhook-sign --curl '{"call_id": "call-1", "event": "keys",
          "digits": "4"}' | sh
    """
    channel = api.enabled_channel(VoiceWebhookChannel.name)
    if not isinstance(channel, VoiceWebhookChannel):
        raise click.ClickException("voice_webhook is not enabled: add it to FEEDBACK_CHANNELS")
    if not channel.platform.local:  # it plays a caller's part: never against production
        raise click.ClickException(
            f"this is a development tool; FEEDBACK_ENV is {channel.platform.environment!r}"
        )
    if not channel.secret:
        raise click.ClickException("VOICE_WEBHOOK_SECRET is not set: nothing to sign with")
    try:
        json.loads(body)
    except json.JSONDecodeError as exc:
        raise click.BadParameter(f"not JSON: {exc}", param_hint="BODY") from exc
    timestamp = int(time.time())
    headers = {
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: sign(channel.secret, timestamp, body.encode()),
    }
    if not curl:
        for name, value in headers.items():
            click.echo(f"{name}: {value}")
        return
    url = channel.hook_url(CALL_PATH)
    words = ["curl", "-sS", "-w", "\\n", "-X", "POST", url]
    words += ["-H", "Content-Type: application/json"]
    for name, value in headers.items():
        words += ["-H", f"{name}: {value}"]
    words += ["--data-raw", body]
    click.echo(shlex.join(words))
