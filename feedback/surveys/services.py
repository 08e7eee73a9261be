"""What the web survey may do with an invitation, decided under a row lock.

The page is read without a lock; every change (opening, answering) re-reads the invitation with
``SELECT ... FOR UPDATE`` and checks its status again, so a double submit, or a submit racing the
expiry job, finds the invitation no longer answerable and changes nothing. A page shown again
changes nothing, so it takes no lock.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Select, bindparam, select

from feedback.db_types import utcnow
from feedback.extensions import db
from feedback.invitations import lifecycle
from feedback.invitations.models import Invitation, InvitationStatus
from feedback.programs.models import Program
from feedback.responses.services import complete_response
from feedback.security import token_hash

S = InvitationStatus


class SurveyState(enum.Enum):
    LIVE = "live"
    COMPLETED = "completed"
    EXPIRED = "expired"
    UNAVAILABLE = "unavailable"  # opted out, failed, or never sent


class Answerable(Protocol):
    """What :func:`survey_state` reads of an invitation (a row, or a :class:`PageInvitation`)."""

    @property
    def status(self) -> InvitationStatus | None: ...

    @property
    def expires_at(self) -> datetime | None: ...


@dataclass(frozen=True, slots=True)
class PageInvitation:
    """What the survey pages read of an invitation: a few columns, not an ORM object.

    The link and the page only look at it (every change re-reads the row under a lock, below),
    so neither pays for loading a whole row into the session (its encrypted contact details,
    the identity map, the program's relationship).
    """

    id: str
    status: InvitationStatus
    expires_at: datetime | None
    language: str
    questionnaire_version_id: str | None
    program_name_en: str = ""
    program_name_fr: str = ""

    def program_name(self, language: str) -> str:
        return self.program_name_fr if language == "fr" else self.program_name_en


_PAGE_COLUMNS = (
    Invitation.id,
    Invitation.status,
    Invitation.expires_at,
    Invitation.language,
    Invitation.questionnaire_version_id,
)


#: The two reads, built once: a statement built per request costs more CPU than its execution.
_BY_TOKEN_HASH = select(*_PAGE_COLUMNS).where(Invitation.token_hash == bindparam("token_hash"))
_BY_ID = (
    select(*_PAGE_COLUMNS, Program.name_en, Program.name_fr)
    .join(Program, Program.id == Invitation.program_id)
    .where(Invitation.id == bindparam("invitation_id"))
)


def _page_invitation(statement: Select[Any], parameters: dict[str, str]) -> PageInvitation | None:
    """The first row of `statement`, read on a connection of its own: a read needs no ORM
    session (which costs about as much CPU again as the query)."""
    with db.engine.connect() as connection:
        row = connection.execute(statement, parameters).first()
    return PageInvitation(*row) if row is not None else None


def invitation_for_token(token: str) -> PageInvitation | None:
    """The invitation of a survey link (one indexed SELECT of the columns the link needs)."""
    return _page_invitation(_BY_TOKEN_HASH, {"token_hash": token_hash(token)})


def page_invitation(invitation_id: str) -> PageInvitation | None:
    """The invitation the survey page shows, with its program's names (one SELECT)."""
    return _page_invitation(_BY_ID, {"invitation_id": invitation_id})


def survey_state(invitation: Answerable, now: datetime | None = None) -> SurveyState:
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


def _locked(invitation: PageInvitation) -> Invitation:
    locked = lifecycle.locked(invitation.id)
    assert locked is not None  # invitations are never deleted
    return locked


def mark_opened(invitation: PageInvitation) -> None:
    """First view of a sent (or delivered) invitation: -> opened. Later views change nothing
    and cost nothing: the row the page already read says it was opened, so no lock is taken
    and nothing is written. An unopened one is locked and checked again before it moves."""
    if invitation.status not in lifecycle.UNOPENED:
        return
    locked = _locked(invitation)
    if survey_state(locked) is SurveyState.LIVE:
        lifecycle.mark_opened(locked)
    db.session.commit()


def submit_answers(
    invitation: PageInvitation, answers: dict[str, Any], language: str
) -> SurveyState:
    """Record the response in one transaction. LIVE when it was recorded; else the state the
    locked row was found in (say, completed by another tab a moment before), nothing recorded."""
    locked = _locked(invitation)
    state = survey_state(locked)
    if state is not SurveyState.LIVE:
        db.session.rollback()
        return state
    complete_response(locked, answers, language=language)
    db.session.commit()
    return state
