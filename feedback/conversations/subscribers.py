"""How conversations follow their invitations: through the lifecycle's signal, so that the
outbox and the receipts never need to know that a channel holds conversations."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete

from feedback import channels
from feedback.conversations.models import Conversation
from feedback.conversations.texts import asks_first_question
from feedback.extensions import db
from feedback.invitations.lifecycle import status_changed
from feedback.invitations.models import Invitation, InvitationMode, InvitationStatus

S = InvitationStatus


def _on_status_changed(
    invitation: Invitation,
    *,
    from_status: InvitationStatus,
    to_status: InvitationStatus,
    message: channels.Invitation | None = None,
    **_context: Any,
) -> None:
    if invitation.mode is not InvitationMode.CONVERSATION:
        return
    if to_status is S.SENT and message is not None:
        # The next reply answers the first question, or (if the text had no room for it)
        # starts the survey.
        position = 0 if asks_first_question(message) else -1
        db.session.add(Conversation(invitation_id=invitation.id, position=position))
    elif from_status is S.SENT and to_status is S.SCHEDULED:
        # Sent again later (a temporary receipt): the conversation starts over with it.
        db.session.execute(delete(Conversation).where(Conversation.invitation_id == invitation.id))


def connect() -> None:
    """Subscribe to the lifecycle (idempotent: blinker keeps one connection per receiver)."""
    status_changed.connect(_on_status_changed)
