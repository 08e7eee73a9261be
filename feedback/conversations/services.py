"""The conversation engine: what to do with one text a client sent, and what to text back.

Order of precedence, for every inbound text:

1. STOP and its variants: an opt-out for the number at once (for every channel of the medium),
   every live invitation to it stopped, one confirmation; a repeated STOP gets no reply.
2. START from a number that opted out: the opt-out lifted, one confirmation. (From any other
   number it is an ordinary reply: "Start" answers "Reply OK to start".)
3. A number that opted out gets nothing else, whatever it sends.
4. HELP / AIDE: who is writing and how to stop.
5. A reply to a live invitation in conversation mode answers its current question.
6. Anything else (unknown numbers, a survey closed or answered, link-mode invitations): nothing.

Each call is one transaction, under a lock on the invitation, so two texts arriving together
are answered one after the other.
"""

from __future__ import annotations

import logging

from sqlalchemy import select

from feedback.consent.opt_outs import (
    channels_of_scope,
    is_opted_out,
    opt_in_address,
    opt_out_address,
    stop_live_invitations,
)
from feedback.contacts.validation import normalise_phone
from feedback.conversations import texts, turns
from feedback.conversations.parsing import Keyword, KeywordMatch, keyword, parse_answer
from feedback.db_types import utcnow
from feedback.extensions import db
from feedback.invitations import lifecycle
from feedback.invitations.lifecycle import AWAITING_ANSWER
from feedback.invitations.messages import as_channel_question
from feedback.invitations.models import Invitation, InvitationMode, InvitationStatus
from feedback.security import address_hash

S = InvitationStatus
log = logging.getLogger(__name__)
KEYWORD_SOURCE = "sms_keyword"


def _address_hash(sender: str) -> str:
    """The keyed hash of the sender's number, normalised as numbers are at ingest."""
    try:
        return address_hash(normalise_phone(sender))
    except ValueError:
        return address_hash(sender)


def _latest_invitation(channel_name: str, addr_hash: str) -> Invitation | None:
    """The most recent invitation sent to this number on this medium, whatever its state."""
    return db.session.scalar(
        select(Invitation)
        .where(
            Invitation.channel.in_(channels_of_scope(channel_name)),
            Invitation.address_hash == addr_hash,
            Invitation.sent_at.is_not(None),
        )
        .order_by(Invitation.sent_at.desc())
        .limit(1)
    )


def _live_invitation(channel_name: str, addr_hash: str) -> Invitation | None:
    """The invitation a reply on this channel answers: the latest one still awaiting answers."""
    found = db.session.scalar(
        select(Invitation.id)
        .where(
            Invitation.channel == channel_name,
            Invitation.address_hash == addr_hash,
            Invitation.status.in_(AWAITING_ANSWER),
        )
        .order_by(Invitation.sent_at.desc())
        .limit(1)
    )
    invitation = lifecycle.locked(found) if found else None
    if invitation is None or invitation.status not in AWAITING_ANSWER:
        return None
    if invitation.expires_at is not None and invitation.expires_at <= utcnow():
        return None
    return invitation


def _stop(addr_hash: str, latest: Invitation | None) -> None:
    """STOP: no more surveys for this number and its client, by any channel."""
    client = latest.client_hash if latest else None
    opt_out_address(addr_hash, client, KEYWORD_SOURCE)
    stop_live_invitations(KEYWORD_SOURCE, client_hash=client, address_hash=addr_hash)


def _keyword_reply(
    match: KeywordMatch, channel_name: str, addr_hash: str, opted_out: bool
) -> list[str]:
    latest = _latest_invitation(channel_name, addr_hash)
    # A word of one language (AIDE, ARRET) says which the client uses now.
    language = match.language or (latest.language if latest else None)
    if match.keyword is Keyword.STOP:
        if opted_out:
            return []
        _stop(addr_hash, latest)
        return [texts.opted_out(language)]
    if match.keyword is Keyword.START:
        opt_in_address(channel_name, addr_hash)
        return [texts.opted_in(language)]
    if opted_out:
        return []
    program = latest.program if latest else None
    names = {"en": program.name_en, "fr": program.name_fr} if program else None
    return [texts.help_text(language, names)]


def _answer(invitation: Invitation, body: str) -> list[str]:
    """Take the reply as the answer to the current question; the next text to send."""
    assert invitation.questionnaire_version is not None
    questions = invitation.questionnaire_version.questions
    if not questions:
        return []
    conversation = turns.current(invitation)
    lifecycle.mark_opened(invitation)
    language = invitation.language
    if conversation.position < 0:  # the invitation asked the client to reply to start
        turn = turns.begin(invitation)
    else:
        turn = turns.take_reply(invitation, lambda _question, seen: parse_answer(seen, body))
    if turn.finished:
        return [texts.thanks(language)]
    asked = as_channel_question(questions[turn.position], invitation.channel)
    if turn.again:
        return [texts.reprompt(asked, language)]
    return [texts.question_prompt(asked, turn.position + 1, len(questions), language)]


def receive_text(channel_name: str, sender: str, body: str) -> list[str]:
    """Handle one inbound text from `sender` on `channel_name`; the texts to send back.

    Commits. Never raises for a client's input: an unknown number or a closed survey gets an
    empty list.
    """
    addr_hash = _address_hash(sender)
    opted_out = is_opted_out(channel_name, addr_hash, None)
    match = keyword(body)
    if match is not None and match.keyword is Keyword.START and not opted_out:
        match = None  # nothing to lift: "Start" answers "Reply OK to start", say
    if match is not None:
        replies = _keyword_reply(match, channel_name, addr_hash, opted_out)
        outcome = f"keyword_{match.keyword.value}"
    elif opted_out:
        replies, outcome = [], "opted_out"
    else:
        invitation = _live_invitation(channel_name, addr_hash)
        if invitation is None or invitation.mode is not InvitationMode.CONVERSATION:
            replies, outcome = [], "no_live_conversation"
        else:
            replies, outcome = _answer(invitation, body), "answer"
    db.session.commit()
    log.info(
        "inbound text",
        extra={"fields": {"channel": channel_name, "outcome": outcome, "replies": len(replies)}},
    )
    return replies
