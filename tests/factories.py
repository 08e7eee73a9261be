"""Test data in one place: a program, a published bilingual questionnaire, a rule, an API key."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from feedback.accounts.services import create_api_key
from feedback.contacts.models import ContactEvent
from feedback.db_types import utcnow
from feedback.devtools.demo import add_program, add_questionnaire, add_rule
from feedback.distribution.models import DistributionRule
from feedback.extensions import db
from feedback.invitations.models import Invitation, InvitationStatus
from feedback.programs.models import Program
from feedback.questionnaires.models import QuestionnaireVersion
from feedback.security import address_hash, client_hash, token_hash


def make_program(code: str = "passport") -> Program:
    return add_program(code)


def make_questionnaire(program: Program, code: str = "after-contact") -> QuestionnaireVersion:
    """The demo's questionnaire: one question of each kind, published."""
    return add_questionnaire(program, code)


def make_rule(
    program: Program, version: QuestionnaireVersion, **overrides: Any
) -> DistributionRule:
    """The demo's rule (e-mail, no delay, everyone, 14-day expiry, 30-day fatigue) and overrides."""
    return add_rule(program, version, **overrides)


def make_setup() -> tuple[Program, QuestionnaireVersion, DistributionRule]:
    program = make_program()
    version = make_questionnaire(program)
    rule = make_rule(program, version)
    db.session.commit()
    return program, version, rule


def make_api_key() -> str:
    _, plaintext = create_api_key("tests")
    db.session.commit()
    return plaintext


def event_payload(n: int = 1, **overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "source": "crm",
        "external_id": f"call-{n}",
        "program": "passport",
        "contact_type": "call",
        "occurred_at": datetime(2026, 11, 20, 15, 0, tzinfo=UTC).isoformat(),
        "language": "en",
        "client": {
            "reference": f"client-{n}",
            "email": f"client{n}@example.org",
            "timezone": "America/Toronto",
        },
    }
    payload.update(overrides)
    return payload


def make_sent_invitation(
    version: QuestionnaireVersion,
    token: str,
    *,
    language: str = "en",
    status: str = "sent",
    expires_in: timedelta = timedelta(days=14),
    channel: str = "email",
    n: int = 1,
) -> Invitation:
    """An invitation as dispatch leaves it after sending, whose survey link carries `token`."""
    now = utcnow()
    email = f"client{n}@example.org"
    event = ContactEvent(
        source="crm",
        external_id=f"sent-{n}",
        program_id=version.questionnaire.program_id,
        contact_type="call",
        occurred_at=now - timedelta(hours=2),
        language=language,
        client_hash=client_hash(f"client-{n}"),
    )
    db.session.add(event)
    db.session.flush()
    invitation = Invitation(
        event_id=event.id,
        program_id=event.program_id,
        questionnaire_version_id=version.id,
        channel=channel,
        language=language,
        client_hash=event.client_hash,
        address_hash=address_hash(email),
        email=email,
        status=InvitationStatus(status),
        due_at=now - timedelta(hours=1),
        sent_at=now - timedelta(hours=1),
        expires_at=now + expires_in,
        attempts=1,
        token_hash=token_hash(token),
    )
    db.session.add(invitation)
    db.session.commit()
    return invitation
