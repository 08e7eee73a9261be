"""The JSON voice webhook, mounted at /hooks/voice_webhook: ``POST /call`` for every event of
a call (``start``, ``keys``, ``end``), answered with the next prompt (see README.md).

Each request's signature, timestamp and novelty are checked first; a request that fails any of
them is refused with 403 before its body is parsed, and changes nothing. A response that asks a
question names its `step`; a `keys` event that sends back another step than the current one
(sent again, newly signed, or late) changes nothing and gets the current question again.
"""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, abort, request

from feedback import plugin_api as api
from feedback_voice_webhook.channel import VoiceWebhookChannel
from feedback_voice_webhook.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, Refused, verify

bp = Blueprint("feedback_voice_webhook", __name__)
CALL_PATH = "/call"
KEYS = re.compile(r"^[0-9*#]{0,20}$")
OUTCOMES = {outcome.value: outcome for outcome in api.CallOutcome}


def _channel() -> VoiceWebhookChannel:
    channel = api.enabled_channel(VoiceWebhookChannel.name)
    assert isinstance(channel, VoiceWebhookChannel)
    return channel


@bp.before_request
def _verify() -> None:
    channel = _channel()
    signature = request.headers.get(SIGNATURE_HEADER)
    try:
        timestamp = verify(
            channel.secret,
            request.headers.get(TIMESTAMP_HEADER),
            signature,
            request.get_data(),
            int(time.time()),
            channel.tolerance,
        )
    except Refused as refused:
        abort(403, description=str(refused))
    assert signature is not None
    until = datetime.fromtimestamp(timestamp + channel.tolerance, UTC)
    if not api.first_use(channel.name, signature, until):
        abort(403, description="This request was already received: sign each request anew.")


def _text(body: dict[str, Any], key: str, *, required: bool = False) -> str | None:
    value = body.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value or len(value) > 128:
        abort(400, description=f"{key!r} must be a string of 1 to 128 characters.")
    return value


def _start(body: dict[str, Any], call_id: str) -> api.CallStart:
    contact = body.get("contact")
    if contact is not None and not isinstance(contact, dict):
        abort(400, description="'contact' must be an object with source and external_id.")
    language = body.get("language")
    if language not in (None, "en", "fr"):
        abort(400, description="'language' must be 'en', 'fr' or null.")
    return api.CallStart(
        call_id=call_id,
        caller=_text(body, "caller"),
        source=_text(contact, "source", required=True) if contact else None,
        external_id=_text(contact, "external_id", required=True) if contact else None,
        program=_text(body, "program"),
        contact_type=_text(body, "contact_type"),
        language=language,
    )


def _pending(body: dict[str, Any]) -> api.Pending | None:
    state = body.get("state")
    if state is None:
        return None
    if not isinstance(state, dict):
        abort(400, description="'state' must be the object of the last response, unchanged.")
    try:
        return api.Pending.from_params(state)
    except ValueError:
        abort(400, description="'state' must be the object of the last response, unchanged.")


def _step_sent(body: dict[str, Any]) -> str | None:
    step = body.get("step")
    if step is not None and (not isinstance(step, str) or not 0 < len(step) <= 32):
        abort(400, description="'step' must be the 'step' of the last response, unchanged.")
    return step


def _json(body: dict[str, Any]) -> Response:
    """UTF-8 JSON, accents as they are: what the platform reads is what it says."""
    return Response(json.dumps(body, ensure_ascii=False), mimetype="application/json")


def _step(call_id: str, step: api.VoiceStep) -> Response:
    collect = None
    if step.keys is not None:
        collect = {
            "max_digits": step.keys.max_digits,
            "timeout_seconds": step.keys.timeout,
            "finish_on_key": step.keys.finish_on_key,
        }
    body: dict[str, Any] = {
        "call_id": call_id,
        "say": [
            {"text": speech.text, "language": speech.language, "locale": speech.locale}
            for speech in step.say
        ],
        "language": step.language,
        "collect": collect,
        "end": step.end,
        "state": step.pending.as_params() if step.pending else None,
    }
    if step.step:
        body["step"] = step.step
    return _json(body)


@bp.post(CALL_PATH)
def call() -> Response:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(400, description="The body must be a JSON object.")
    call_id = _text(body, "call_id", required=True)
    assert call_id is not None
    name = _channel().name
    event = body.get("event")
    if event == "start":
        return _step(call_id, api.start_call(name, _start(body, call_id)))
    if event == "keys":
        digits = body.get("digits", "")
        if not isinstance(digits, str) or not KEYS.match(digits):
            abort(400, description="'digits' must be the keys pressed (0-9, * and #), or ''.")
        # The finish key, if the platform passes it on, is not part of the answer.
        keys = digits.removesuffix("#") if len(digits) > 1 else digits
        step = api.press_keys(
            name,
            call_id,
            keys,
            caller=_text(body, "caller"),
            pending=_pending(body),
            step=_step_sent(body),
        )
        return _step(call_id, step)
    if event == "end":
        outcome = OUTCOMES.get(body.get("outcome", "completed"))
        if outcome is None:
            abort(400, description=f"'outcome' must be one of {', '.join(OUTCOMES)}.")
        return _json({"call_id": call_id, "closed": api.end_call(name, call_id, outcome)})
    abort(400, description="'event' must be 'start', 'keys' or 'end'.")
