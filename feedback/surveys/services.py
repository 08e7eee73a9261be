"""What the web survey may do with an invitation, decided under a row lock.

The page is read without a lock; every change (opening, answering) re-reads the invitation with
``SELECT ... FOR UPDATE`` and checks its status again, so a double submit, or a submit racing the
expiry job, finds the invitation no longer answerable and changes nothing. A page shown again
changes nothing, so it takes no lock.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import defer

from feedback.db_types import utcnow
from feedback.extensions import db
from feedback.invitations import lifecycle
from feedback.invitations.models import Invitation, InvitationStatus
from feedback.responses.services import complete_response
from feedback.security import token_hash

S = InvitationStatus


class SurveyState(enum.Enum):
    LIVE = "live"
    COMPLETED = "completed"
    EXPIRED = "expired"
    UNAVAILABLE = "unavailable"  # opted out, failed, or never sent


#: How the pages read an invitation: without its contact details, which they never show and
#: which would otherwise be decrypted on every view.
WITHOUT_CONTACT_DETAILS = (defer(Invitation.email), defer(Invitation.phone))


def invitation_for_token(token: str) -> Invitation | None:
    return db.session.scalar(
        select(Invitation)
        .where(Invitation.token_hash == token_hash(token))
        .options(*WITHOUT_CONTACT_DETAILS)
    )


def survey_state(invitation: Invitation, now: datetime | None = None) -> SurveyState:
    """The client's view of an invitation; an overdue one is expired before the job marks it."""
    if invitation.status is S.COMPLETED:
        return SurveyState.COMPLETED
    if invitation.status is S.EXPIRED:
        return SurveyState.EXPIRED
    if invitation.status in lifecycle.AWAITING_ANSWER:
        if invitation.expires_at is not None and invitation.expires_at <= (now or utcnow()):
            return SurveyState.EXPIRED
        return SurveyState.LIVE
    return SurveyState.UNAVAILABLE


def _locked(invitation: Invitation) -> Invitation:
    locked = lifecycle.locked(invitation.id)
    assert locked is not None  # invitations are never deleted
    return locked


def mark_opened(invitation: Invitation) -> None:
    """First view of a sent (or delivered) invitation: -> opened. Later views change nothing
    and cost nothing: the row the page already read says it was opened, so no lock is taken
    and nothing is written. An unopened one is locked and checked again before it moves."""
    if invitation.status not in lifecycle.UNOPENED:
        return
    locked = _locked(invitation)
    if survey_state(locked) is SurveyState.LIVE:
        lifecycle.mark_opened(locked)
    db.session.commit()


def submit_answers(invitation: Invitation, answers: dict[str, Any], language: str) -> bool:
    """Record the response in one transaction; False if the invitation is no longer live."""
    locked = _locked(invitation)
    if survey_state(locked) is not SurveyState.LIVE:
        db.session.rollback()
        return False
    complete_response(locked, answers, language=language)
    db.session.commit()
    return True
