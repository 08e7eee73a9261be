"""The survey on the phone: what to do with each request of a call, and what the call does next.

A call reaches the survey in one of three ways (see :class:`~feedback.voice.steps.CallStart`),
then the questions are asked one at a time by the conversation engine: each reply is saved as
it comes, a silence or a key that is not an answer gets the question once more, then the survey
moves on. Free-text questions are asked only when the rule asks for voice recordings and the
provider can record; the recording stays with the provider, the answer keeps a reference to it.

The call is found again by its id, kept as the invitation's provider reference. Each function
is one transaction, under a lock on the invitation, and commits.

Each question's step carries its id (:func:`_step_id`), which the provider sends back with the
reply: a reply whose id is not the current one (sent twice, or late) changes nothing and gets
the current question again, so a provider's retry never moves the survey past a question. A
reply without an id answers the current question, whatever it is.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from sqlalchemy import select

from feedback.channels.base import Question as ChannelQuestion
from feedback.consent.opt_outs import is_opted_out_now
from feedback.contacts.models import ContactEvent
from feedback.contacts.services import store
from feedback.conversations import turns
from feedback.conversations.parsing import Invalid
from feedback.db_types import utcnow
from feedback.distribution.models import DistributionRule
from feedback.extensions import db
from feedback.invitations import lifecycle
from feedback.invitations.lifecycle import AWAITING_ANSWER
from feedback.invitations.messages import as_channel_question
from feedback.invitations.models import Invitation, InvitationMode, InvitationStatus
from feedback.questionnaires import kinds
from feedback.questionnaires.kinds.free_text import VoiceRecording
from feedback.questionnaires.models import Question
from feedback.voice import texts
from feedback.voice.keys import KEY_TIMEOUT, keys_for, read_keys
from feedback.voice.steps import (
    RECORD_ANSWERS,
    CallOutcome,
    CallStart,
    Keys,
    Pending,
    Recording,
    Speech,
    VoiceStep,
)

S = InvitationStatus
log = logging.getLogger(__name__)
#: Longest call id and recording reference kept (Twilio's are 34 and about 110 characters).
MAX_CALL_ID = 128
MAX_RECORDING_REF = 500


def _log(event: str, channel: str, outcome: str) -> None:
    log.info(event, extra={"fields": {"channel": channel, "outcome": outcome}})


def _goodbye(lang: str | None) -> VoiceStep:
    return VoiceStep(say=texts.goodbye(lang), language=lang, end=True)


def _call_invitation(channel: str, call_id: str) -> Invitation | None:
    """The invitation this call is answering (its provider reference), locked."""
    found = db.session.scalar(
        select(Invitation.id)
        .where(Invitation.channel == channel, Invitation.provider_ref == call_id)
        .limit(1)
    )
    return lifecycle.locked(found) if found else None


def _records(invitation: Invitation, can_record: bool) -> bool:
    """Whether free-text questions are asked: the provider records and the rule wants it."""
    if not can_record or invitation.rule_id is None:
        return False
    rule = db.session.get(DistributionRule, invitation.rule_id)
    return (
        rule is not None
        and rule.channel == invitation.channel
        and bool(rule.channel_options.get(RECORD_ANSWERS))
    )


def _asked(records: bool) -> turns.Asked:
    return lambda question: records or not kinds.of(question).spoken_answer


# --- Finding the call's invitation -------------------------------------------------------------


def _offer(invitation: Invitation | None, channel: str, call_id: str) -> Invitation | None:
    """The invitation, taken by this call, if the caller may answer it on this channel.

    An invitation for a transferred caller is usually still scheduled (nothing is sent to a
    caller who is on the line) or already marked sent by the worker; either way this call
    becomes its delivery. One taken by another call, closed or refused is not offered.
    """
    if invitation is None or invitation.channel != channel:
        return None
    if invitation.expires_at is not None and invitation.expires_at <= utcnow():
        return None
    if invitation.status in (S.SCHEDULED, S.SENDING):
        if is_opted_out_now(invitation):
            lifecycle.transition(invitation, S.OPTED_OUT, "opted_out_before_send")
            return None
        lifecycle.deliver_by_call(invitation, call_id)
    elif invitation.status not in (S.SENT, S.DELIVERED) or invitation.provider_ref not in (
        None,
        call_id,
    ):
        return None
    invitation.provider_ref = call_id
    return invitation


def _call_back(channel: str, start: CallStart) -> tuple[Invitation | None, str | None]:
    """The call-back this call is, if it still waits for its answers (or is under way on
    this very call), and the client's language."""
    assert start.invitation_id is not None
    invitation = lifecycle.locked(start.invitation_id)
    if invitation is None or invitation.channel != channel:
        return None, None
    ours = invitation.provider_ref in (None, start.call_id)
    waiting = invitation.status in (S.SENT, S.DELIVERED) or (
        invitation.status is S.OPENED and invitation.provider_ref == start.call_id
    )
    if invitation.mode is not InvitationMode.CALLBACK or not ours or not waiting:
        return None, invitation.language
    invitation.provider_ref = start.call_id
    return invitation, invitation.language


def _event_invitation(event_id: str | None) -> Invitation | None:
    found = db.session.scalar(select(Invitation.id).where(Invitation.event_id == event_id))
    return lifecycle.locked(found) if found else None


def _recorded_contact(channel: str, start: CallStart) -> tuple[Invitation | None, str | None]:
    """The invitation of a contact the call centre recorded before transferring the caller,
    if offered to this call, and the contact's language."""
    event = db.session.scalar(
        select(ContactEvent).where(
            ContactEvent.source == start.source, ContactEvent.external_id == start.external_id
        )
    )
    if event is None:
        return None, None
    return _offer(_event_invitation(event.id), channel, start.call_id), event.language


def _new_contact(channel: str, start: CallStart, language: str) -> Invitation | None:
    """Record the call as a contact (once per call: ingest is idempotent on the call id) and
    offer its invitation, planned by the program's rules like any other contact's."""
    payload = {
        "source": channel,
        "external_id": start.call_id,
        "program": start.program,
        "contact_type": start.contact_type,
        "occurred_at": utcnow().isoformat(),
        "language": language,
        "client": {"reference": start.caller or "", "phone": start.caller},
    }
    [result] = store([payload])
    if result.event_id is None:
        # Which fields, never their values (the caller's number is one of them).
        _log("call not recorded as a contact", channel, ",".join(sorted(result.errors)))
        return None
    return _offer(_event_invitation(result.event_id), channel, start.call_id)


# --- Asking ------------------------------------------------------------------------------------


def _step_id(invitation: Invitation) -> str:
    """The id of the step the call is at: the question's position and how often it was re-asked
    (a re-asked question is a new step, its reply counts differently)."""
    conversation = turns.current(invitation)
    return f"{conversation.position}.{conversation.reprompts}"


def _ask(
    invitation: Invitation,
    position: int,
    *,
    lead: tuple[Speech, ...] = (),
    after: str | None = None,
) -> VoiceStep:
    """The question at `position`, with what to collect for it."""
    assert invitation.questionnaire_version is not None
    question = invitation.questionnaire_version.questions[position]
    seen = as_channel_question(question, invitation.channel)
    lang = invitation.language
    say = (*lead, texts.question(seen, lang, after=after))
    step = _step_id(invitation)
    keys = keys_for(seen)
    if keys is None:  # answered aloud
        return VoiceStep(say=say, language=lang, recording=Recording(), step=step)
    return VoiceStep(say=say, language=lang, keys=keys, step=step)


def _following(invitation: Invitation, turn: turns.Turn) -> VoiceStep:
    lang = invitation.language
    if turn.finished:
        return VoiceStep(say=(texts.thanks(lang),), language=lang, end=True)
    return _ask(invitation, turn.position, after=turn.again)


def _open(invitation: Invitation, records: bool) -> VoiceStep:
    """The start of the survey for a caller on the line: the introduction, the first question."""
    lang = invitation.language
    if invitation.status is S.OPENED:  # the same call again: repeat the current question
        return _ask(invitation, turns.current(invitation).position)
    asked = _asked(records)
    assert invitation.questionnaire_version is not None
    if not any(asked(question) for question in invitation.questionnaire_version.questions):
        return _goodbye(lang)  # nothing to ask on the phone: the end of the call closes it
    lifecycle.mark_opened(invitation, "call_answered")
    turn = turns.begin(invitation, asked)
    program = invitation.program
    names = {"en": program.name_en, "fr": program.name_fr}
    return _ask(invitation, turn.position, lead=(texts.introduction(names, lang),))


def _menu(pending: Pending) -> VoiceStep:
    return VoiceStep(
        say=texts.language_menu(again=pending.attempt > 0),
        keys=Keys(max_digits=1, timeout=KEY_TIMEOUT),
        pending=pending,
    )


def _resume(invitation: Invitation, can_record: bool) -> tuple[VoiceStep, str]:
    """A request that starts again a call already under way: its current question."""
    if invitation.status is not S.OPENED:
        return _goodbye(invitation.language), "closed"
    return _open(invitation, _records(invitation, can_record)), "resumed"


def _start(channel: str, start: CallStart, can_record: bool) -> tuple[VoiceStep, str]:
    if start.invitation_id:
        invitation, language = _call_back(channel, start)
        if invitation is None:
            return _goodbye(language), "not_offered"
        if start.machine and invitation.status is not S.OPENED:
            lifecycle.transition(invitation, S.UNDELIVERED, CallOutcome.VOICEMAIL.value)
            return VoiceStep(say=(), end=True), "voicemail"
        return _open(invitation, _records(invitation, can_record)), "opened"
    invitation = _call_invitation(channel, start.call_id)
    if invitation is not None:  # the same call again (a provider's retry, a redirect)
        return _resume(invitation, can_record)
    if start.source and start.external_id:
        invitation, language = _recorded_contact(channel, start)
        if invitation is None:
            return _goodbye(language), "not_offered"
    elif start.program and start.contact_type:
        if start.language not in texts.LANGUAGES:
            return _menu(Pending(start.program, start.contact_type)), "language_menu"
        invitation = _new_contact(channel, start, start.language)
    else:
        return _goodbye(start.language), "no_contact"
    if invitation is None:
        return _goodbye(start.language), "not_offered"
    return _open(invitation, _records(invitation, can_record)), "opened"


def start_call(channel: str, start: CallStart, *, can_record: bool = False) -> VoiceStep:
    """A call reaches the survey: the language menu, the first question, or a goodbye.

    Call it only once the request is authenticated. `can_record` says whether the provider can
    record a spoken answer (free-text questions are skipped otherwise).
    """
    if not start.call_id or len(start.call_id) > MAX_CALL_ID:
        return _goodbye(start.language)
    step, outcome = _start(channel, start, can_record)
    db.session.commit()
    _log("voice call", channel, outcome)
    return step


# --- Replies -----------------------------------------------------------------------------------


def _choose_language(
    channel: str, call_id: str, caller: str | None, pending: Pending, digits: str, records: bool
) -> tuple[VoiceStep, str]:
    language = texts.MENU_KEYS.get(digits)
    if language is None:
        if pending.attempt == 0:
            return _menu(replace(pending, attempt=1)), "menu_again"
        return _goodbye(None), "no_language"
    start = CallStart(
        call_id,
        caller,
        program=pending.program,
        contact_type=pending.contact_type,
        language=language,
    )
    invitation = _new_contact(channel, start, language)
    if invitation is None:
        return _goodbye(language), "not_offered"
    return _open(invitation, _records(invitation, records)), "opened"


def _reply(
    channel: str,
    call_id: str,
    can_record: bool,
    read: turns.Reader,
    *,
    silent: bool,
    step: str | None,
) -> tuple[VoiceStep, str]:
    invitation = _call_invitation(channel, call_id)
    if invitation is None or invitation.status is not S.OPENED:
        return _goodbye(invitation.language if invitation else None), "no_live_call"
    if step is not None and step != _step_id(invitation):
        return _ask(invitation, turns.current(invitation).position), "stale_step"
    turn = turns.take_reply(
        invitation, read, _asked(_records(invitation, can_record)), silent=silent
    )
    return _following(invitation, turn), "answer"


def press_keys(
    channel: str,
    call_id: str,
    digits: str,
    *,
    caller: str | None = None,
    pending: Pending | None = None,
    can_record: bool = False,
    step: str | None = None,
) -> VoiceStep:
    """The keys the caller pressed ('' for none) in reply to the last step.

    `pending` is the last step's, while the keys answer the language menu; `caller` is the
    caller's number, needed then to record the contact. `step` is the last step's id, when the
    provider sent it back: keys for another step than the current one change nothing.
    """
    under_way = _call_invitation(channel, call_id) if pending is not None else None
    if under_way is not None:  # the menu's answer again, once the survey started
        following, outcome = _resume(under_way, can_record)
    elif pending is not None:
        following, outcome = _choose_language(channel, call_id, caller, pending, digits, can_record)
    else:

        def read(_question: Question, seen: ChannelQuestion) -> object:
            return read_keys(seen, digits)

        following, outcome = _reply(
            channel, call_id, can_record, read, silent=not digits, step=step
        )
    db.session.commit()
    _log("voice keys", channel, outcome)
    return following


def record_answer(
    channel: str,
    call_id: str,
    recording_ref: str | None,
    *,
    can_record: bool = True,
    step: str | None = None,
) -> VoiceStep:
    """A spoken answer to the current (free-text) question, as the provider's reference to
    the recording; None when nothing was recorded. `step` as for :func:`press_keys`."""

    def read(question: Question, _seen: ChannelQuestion) -> VoiceRecording:
        if not kinds.of(question).spoken_answer or not recording_ref:
            raise Invalid
        return VoiceRecording(recording_ref)

    if recording_ref is not None and len(recording_ref) > MAX_RECORDING_REF:
        recording_ref = None
    following, outcome = _reply(
        channel, call_id, can_record, read, silent=not recording_ref, step=step
    )
    db.session.commit()
    _log("voice recording", channel, outcome)
    return following


# --- The end of a call -------------------------------------------------------------------------

# How an unanswered call closes its invitation: never as a refusal.
_UNANSWERED = {
    CallOutcome.NO_ANSWER: (S.UNDELIVERED, "no_answer"),
    CallOutcome.BUSY: (S.UNDELIVERED, "busy"),
    CallOutcome.VOICEMAIL: (S.UNDELIVERED, "voicemail"),
    CallOutcome.CANCELED: (S.UNDELIVERED, "canceled"),
    CallOutcome.FAILED: (S.FAILED, "call_failed"),
}


def end_call(channel: str, call_id: str, outcome: CallOutcome) -> bool:
    """The call ended: close its invitation. Whether that changed anything.

    A call answered and hung up before the last question leaves its invitation expired with a
    partial response (the answers given are kept); one never answered is recorded as such
    (no answer, busy, voicemail), which is not a refusal.
    """
    invitation = _call_invitation(channel, call_id)
    changed = invitation is not None and invitation.status in AWAITING_ANSWER
    if changed:
        assert invitation is not None
        if invitation.status is S.SENT and outcome is not CallOutcome.COMPLETED:
            status, reason = _UNANSWERED[outcome]
        else:  # answered: whatever ended the call, the survey stops where it was
            status, reason = S.EXPIRED, "call_ended"
        lifecycle.transition(invitation, status, reason)
    db.session.commit()
    _log("voice call ended", channel, outcome.value if changed else "unchanged")
    return changed
