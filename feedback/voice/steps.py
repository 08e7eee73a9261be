"""What a call does next, in terms every voice provider can render: what to say, in which
language, and what to collect (keys or a recording), or whether to hang up."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

#: The rule option (see Channel.rule_options) of a voice channel that can record spoken answers:
#: when a rule sets it, free-text questions are asked too, and the caller answers aloud.
RECORD_ANSWERS = "record_answers"

#: The locale each language is spoken in (text-to-speech voices, prompts).
LOCALES = {"en": "en-CA", "fr": "fr-CA"}


@dataclass(frozen=True)
class Speech:
    text: str
    language: str  # "en" or "fr"

    @property
    def locale(self) -> str:
        return LOCALES[self.language]


@dataclass(frozen=True)
class Keys:
    """Collect keypad digits: up to `max_digits`, or fewer ended by `finish_on_key`; after
    `timeout` seconds without a key, whatever was pressed (maybe nothing) is the reply."""

    max_digits: int
    timeout: int
    finish_on_key: str | None = None


@dataclass(frozen=True)
class Recording:
    """Record the caller's spoken answer, ended by `finish_on_key` or `silence` seconds of
    silence; the provider keeps the audio, the survey only a reference to it."""

    max_seconds: int = 60
    silence: int = 5
    finish_on_key: str = "#"


@dataclass(frozen=True)
class Pending:
    """A call that waits for the caller to choose a language before its contact is recorded.

    Nothing personal: the provider carries it from one request to the next (Twilio in the
    menu's action URL, the JSON protocol as `state`), so no server-side session is needed.
    """

    program: str
    contact_type: str
    attempt: int = 0

    def as_params(self) -> dict[str, str]:
        return {
            "program": self.program,
            "contact_type": self.contact_type,
            "attempt": str(self.attempt),
        }

    @classmethod
    def from_params(cls, params: Mapping[str, object]) -> Pending:
        """ValueError when the parameters are not a Pending's."""
        program, contact_type = params.get("program"), params.get("contact_type")
        if not isinstance(program, str) or not isinstance(contact_type, str):
            raise ValueError("program and contact_type are required")
        try:
            attempt = int(str(params.get("attempt", 0)))
        except ValueError as exc:
            raise ValueError("attempt must be a number") from exc
        return cls(program, contact_type, attempt)


@dataclass(frozen=True)
class VoiceStep:
    """One turn of the call: say `say` in order, then collect `keys` or a `recording`, or hang
    up when `end` is set. `pending` is set while the next keys answer the language menu.

    `step` names the question this turn asks (and how often it was asked): the provider sends
    it back with the reply, so that a reply sent twice (a provider's retry, a replay) or late
    is recognised as not answering the current question, and changes nothing.
    """

    say: tuple[Speech, ...]
    language: str | None = None  # the call's language once known
    keys: Keys | None = None
    recording: Recording | None = None
    end: bool = False
    pending: Pending | None = None
    step: str | None = None


class CallOutcome(enum.StrEnum):
    """How a call ended, as the provider reports it."""

    COMPLETED = "completed"  # answered, then hung up (by the caller or after the thank-you)
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    VOICEMAIL = "voicemail"  # an answering machine (or a fax) picked up
    FAILED = "failed"  # the call could not be placed (bad number, network refusal)
    CANCELED = "canceled"  # hung up by us before it was answered


@dataclass(frozen=True)
class CallStart:
    """How a call reaches the survey: exactly one way of finding its contact is used.

    * `invitation_id`: a call-back the survey placed (its channel's send());
    * `source` + `external_id`: a contact the call centre recorded through the API before
      transferring the caller;
    * `program` + `contact_type`: a contact the survey records itself from the call, with the
      caller's number as the client's reference; in `language`, else after the language menu.
    """

    call_id: str
    caller: str | None = None
    invitation_id: str | None = None
    source: str | None = None
    external_id: str | None = None
    program: str | None = None
    contact_type: str | None = None
    language: str | None = None
    #: An answering machine (or a fax) picked up a call-back.
    machine: bool = False
