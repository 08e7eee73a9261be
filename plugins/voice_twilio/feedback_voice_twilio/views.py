"""Twilio's voice webhooks, mounted at /hooks/voice_twilio.

* ``POST /call``: a call reaches the survey. A transferred caller comes with the contact the
  call centre recorded (``?source=…&external_id=…``) or with what the survey needs to record it
  (``?program=…&contact_type=…[&lang=en|fr]``); a call-back comes with ``?invitation=…`` (set
  by the channel when it placed the call) and Twilio's ``AnsweredBy``.
* ``POST /language``, ``/keys``, ``/recording``: the actions of the steps the survey returned;
  ``/keys`` and ``/recording`` carry the step they answer (``?step=…``): a request for a step
  already answered (Twilio's retry, a replay) changes nothing and gets the current question
  again. Without ``step`` (a hand-made request), the reply answers the current question.
* ``POST /status``: the call's status callback, which closes the invitation.

Each request's X-Twilio-Signature is checked first, over the public URL from configuration
(PUBLIC_BASE_URL + path + query), so the check holds behind a proxy or TLS terminator; a request
that fails it is refused with 403 before anything is read or changed.
"""

from __future__ import annotations

from dataclasses import replace

from feedback_twilio_common import verify_signature
from flask import Blueprint, Response, abort, request

from feedback import plugin_api as api
from feedback_voice_twilio.channel import (
    CALL_PATH,
    KEYS_PATH,
    LANGUAGE_PATH,
    RECORDING_PATH,
    STATUS_PATH,
    VoiceTwilioChannel,
)
from feedback_voice_twilio.twiml import call_back_greeting, render

bp = Blueprint("feedback_voice_twilio", __name__)

# Twilio's final CallStatus values; the others (queued, ringing, in-progress) are steps.
FINAL_STATUSES = {
    "completed": api.CallOutcome.COMPLETED,
    "busy": api.CallOutcome.BUSY,
    "no-answer": api.CallOutcome.NO_ANSWER,
    "failed": api.CallOutcome.FAILED,
    "canceled": api.CallOutcome.CANCELED,
}


def _channel() -> VoiceTwilioChannel:
    channel = api.enabled_channel(VoiceTwilioChannel.name)
    assert isinstance(channel, VoiceTwilioChannel)
    return channel


def _machine(answered_by: str) -> bool:
    """Twilio's AnsweredBy: human, unknown, fax, machine_start, machine_end_beep ..."""
    return answered_by == "fax" or answered_by.startswith("machine")


def _twiml(step: api.VoiceStep) -> Response:
    return Response(render(step, _channel()), mimetype="application/xml")


@bp.before_request
def _verify_signature() -> None:
    verify_signature(_channel())


@bp.post(CALL_PATH)
def call() -> Response:
    args, form = request.args, request.form
    start = api.CallStart(
        call_id=form.get("CallSid", ""),
        caller=form.get("From") or None,
        invitation_id=args.get("invitation"),
        source=args.get("source"),
        external_id=args.get("external_id"),
        program=args.get("program"),
        contact_type=args.get("contact_type"),
        language=args.get("lang"),
        machine=_machine(form.get("AnsweredBy", "")),
    )
    step = api.start_call(_channel().name, start, can_record=True)
    if start.invitation_id and step.language and (step.keys or step.recording):
        step = replace(step, say=(call_back_greeting(step.language), *step.say))
    return _twiml(step)


@bp.post(LANGUAGE_PATH)
def language() -> Response:
    """The language menu's keys; the menu's state is in the query string Twilio signed."""
    try:
        pending = api.Pending.from_params(request.args)
    except ValueError:
        abort(400, description="The language menu's parameters are missing.")
    form = request.form
    step = api.press_keys(
        _channel().name,
        form.get("CallSid", ""),
        form.get("Digits", ""),
        caller=form.get("From") or None,
        pending=pending,
        can_record=True,
    )
    return _twiml(step)


@bp.post(KEYS_PATH)
def keys() -> Response:
    form = request.form
    step = api.press_keys(
        _channel().name,
        form.get("CallSid", ""),
        form.get("Digits", ""),
        can_record=True,
        step=request.args.get("step"),
    )
    return _twiml(step)


@bp.post(RECORDING_PATH)
def recording() -> Response:
    """A spoken answer: Twilio keeps the audio, the answer keeps its URL. Without a
    RecordingUrl (the redirect after an empty recording), the caller said nothing."""
    form = request.form
    recorded = form.get("RecordingUrl") if form.get("RecordingDuration", "") != "0" else None
    step = api.record_answer(
        _channel().name,
        form.get("CallSid", ""),
        recorded or None,
        step=request.args.get("step"),
    )
    return _twiml(step)


@bp.post(STATUS_PATH)
def status() -> tuple[str, int]:
    """The call ended (Twilio's status callback): its invitation is closed."""
    form = request.form
    outcome = FINAL_STATUSES.get(form.get("CallStatus", ""))
    if outcome is api.CallOutcome.COMPLETED and _machine(form.get("AnsweredBy", "")):
        outcome = api.CallOutcome.VOICEMAIL
    if outcome is not None and form.get("CallSid"):
        api.end_call(_channel().name, form["CallSid"], outcome)
    return "", 204
