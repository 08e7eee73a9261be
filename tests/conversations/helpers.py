"""SMS test data: a conversation-mode rule, events with a phone number, dispatching."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from feedback.channels.registry import enabled_channels
from feedback.contacts.services import ingest
from feedback.distribution.models import DistributionRule
from feedback.extensions import db
from feedback.invitations.lifecycle import queue_due
from feedback.invitations.models import Invitation as InvitationRow
from feedback.invitations.models import InvitationMode
from feedback.invitations.outbox import send_invitation
from feedback.programs.models import Program
from feedback.questionnaires.models import QuestionnaireVersion
from tests.factories import event_payload, make_program, make_questionnaire, make_rule
from tests.fakes import RecordingChannel

PHONE = "+16135550123"
OTHER_PHONE = "+16135550177"


class FakeSms(RecordingChannel):
    """An SMS channel that records what it is handed: the engine needs no provider."""

    name = "sms_fake"
    requires = frozenset({"phone"})
    medium = "sms"
    conversations = True
    quiet_hours = (21, 8)


class OtherSms(FakeSms):
    """A second SMS provider: opt-outs are shared across the medium."""

    name = "sms_other"
    conversations = False


def sms_setup(
    channel: str, mode: str = "conversation", **rule: Any
) -> tuple[Program, QuestionnaireVersion, DistributionRule]:
    """The demo program and questionnaire with an SMS rule; quiet hours off unless given."""
    program = make_program()
    version = make_questionnaire(program)
    values: dict[str, Any] = {"quiet_start_hour": 0, "quiet_end_hour": 0}
    values.update(rule)
    made = make_rule(program, version, channel=channel, mode=InvitationMode(mode), **values)
    db.session.commit()
    return program, version, made


def sms_event(
    n: int = 1,
    phone: str | None = PHONE,
    language: str = "en",
    program: str = "passport",
    contact_type: str = "call",
    **client: Any,
) -> dict:
    details: dict[str, Any] = {"reference": f"client-{n}", "timezone": "America/Toronto"}
    if phone is not None:
        details["phone"] = phone
    details.update(client)
    return event_payload(
        n, language=language, program=program, contact_type=contact_type, client=details
    )


def invite(payload: dict) -> InvitationRow:
    [result] = ingest([payload])
    assert result.status == "created", result.errors
    assert result.event is not None
    return result.event.invitation


def dispatch(now: datetime | None = None) -> list[str]:
    """What the beat's dispatch does, in this process: queue what is due (at `now`), send it."""
    ids = [
        i
        for channel in enabled_channels()
        for i in queue_due(channel, 100, timedelta(minutes=2), now=now)
    ]
    for invitation_id in ids:
        send_invitation(invitation_id)
    return ids
