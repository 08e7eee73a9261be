"""Steps of the survey as TwiML, built with the official library.

Keys are gathered with ``actionOnEmptyResult`` so that a silence comes back to the same action
(with no Digits) and the survey can ask once more. A recording is followed by a redirect to its
action: Twilio goes on to it when nothing was recorded. A question's actions carry its step
(``?step=…``, signed by Twilio with the rest of the URL), so that a request Twilio sends again
is known to answer a step already answered.
"""

from __future__ import annotations

from pathlib import Path

from flask_babel import Domain, force_locale
from twilio.twiml.voice_response import Gather, VoiceResponse

from feedback.plugin_api import Speech, VoiceStep
from feedback_voice_twilio.channel import (
    KEYS_PATH,
    LANGUAGE_PATH,
    RECORDING_PATH,
    VoiceTwilioChannel,
)

TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"
#: The plugin's own catalogue (translations/<lang>/LC_MESSAGES/feedback_voice_twilio.mo).
domain = Domain(translation_directories=[str(TRANSLATIONS_DIR)], domain="feedback_voice_twilio")
_ = domain.gettext


def call_back_greeting(language: str) -> Speech:
    """What a call-back says first, before the survey's introduction."""
    with force_locale(language):
        return Speech(_("Hello, this is an automated call."), language)


def render(step: VoiceStep, channel: VoiceTwilioChannel) -> str:
    """The TwiML document for one step."""
    response = VoiceResponse()
    answers = {"step": step.step} if step.step else None
    if step.keys is not None:
        params = step.pending.as_params() if step.pending else answers
        action = channel.hook_url(LANGUAGE_PATH if step.pending else KEYS_PATH, params)
        gather = Gather(
            input="dtmf",
            action=action,
            method="POST",
            num_digits=step.keys.max_digits,
            timeout=step.keys.timeout,
            finish_on_key=step.keys.finish_on_key or "",
            action_on_empty_result=True,
        )
        _say(gather, step.say, channel)
        response.append(gather)
    else:
        _say(response, step.say, channel)
    if step.recording is not None:
        action = channel.hook_url(RECORDING_PATH, answers)
        response.record(
            action=action,
            method="POST",
            max_length=step.recording.max_seconds,
            timeout=step.recording.silence,
            finish_on_key=step.recording.finish_on_key,
            play_beep=True,
            trim="trim-silence",
        )
        response.redirect(action, method="POST")
    if step.end:
        response.hangup()
    return str(response)


def _say(verb: VoiceResponse | Gather, speeches: tuple[Speech, ...], channel: VoiceTwilioChannel):
    for speech in speeches:
        verb.say(speech.text, language=speech.locale, voice=channel.voice(speech.language))
