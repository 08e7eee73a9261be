"""Follow-up test data: a rule whose questionnaire asks a satisfaction score and consent to be
contacted, its follow-up settings, and responses that complete as a client's would."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from feedback.db_types import utcnow
from feedback.devtools.demo import add_rule
from feedback.distribution.models import DistributionRule
from feedback.extensions import db
from feedback.follow_ups.models import FollowUp, FollowUpPolicy, FollowUpStatus
from feedback.follow_ups.services import PolicySpec, save_policy
from feedback.invitations.models import Invitation
from feedback.programs.models import Program
from feedback.questionnaires.models import QuestionnaireVersion
from feedback.questionnaires.transfer import import_document
from feedback.responses.models import Response
from feedback.responses.services import complete_response
from tests.factories import make_sent_invitation

DOCUMENT = {
    "format": "feedback-questionnaire/1",
    "code": "with-consent",
    "title": {"en": "How did we do?", "fr": "Comment avons-nous fait?"},
    "questions": [
        {
            "code": "overall",
            "kind": "rating",
            "required": True,
            "text": {
                "en": "Overall, how satisfied are you?",
                "fr": "Dans l'ensemble, êtes-vous satisfait?",
            },
        },
        {
            "code": "may_contact",
            "kind": "contact_consent",
            "text": {
                "en": "May we contact you about your answers?",
                "fr": "Pouvons-nous communiquer avec vous au sujet de vos réponses?",
            },
        },
    ],
}


@dataclass(frozen=True)
class Loop:
    rule: DistributionRule
    version: QuestionnaireVersion
    policy: FollowUpPolicy


def consenting_rule(program: Program, threshold: int = 2, due_days: int = 5) -> Loop:
    """A published questionnaire with consent, the program's rule sending it, and follow-ups
    for a satisfaction of `threshold` or less."""
    version = import_document(DOCUMENT | {"program": program.code}, publish=True)
    rule = add_rule(program, version)
    policy = save_policy(rule, PolicySpec("overall", threshold, "may_contact", due_days=due_days))
    db.session.commit()
    return Loop(rule, version, policy)


def answer(loop: Loop, score: int | None, consent: bool | None, n: int = 1) -> Invitation:
    """A client's invitation of the rule, answered and completed (committed)."""
    invitation = make_sent_invitation(loop.version, f"token-{n}", n=n)
    invitation.rule_id = loop.rule.id
    invitation.phone = f"+1613555{n:04d}"
    questions = {q.code: q for q in loop.version.questions}
    answers = {}
    if score is not None:
        answers[questions["overall"].id] = score
    if consent is not None:
        answers[questions["may_contact"].id] = consent
    complete_response(invitation, answers, "en")
    db.session.commit()
    return invitation


def make_follow_up(
    program: Program, version: QuestionnaireVersion, n: int = 1, **columns: object
) -> FollowUp:
    """An open follow-up of `program`, as a low score with consent leaves it (committed)."""
    invitation = make_sent_invitation(version, f"item-{program.code}-{n}", n=n)
    response = Response(
        invitation_id=invitation.id,
        questionnaire_version_id=version.id,
        program_id=program.id,
        channel="email",
        language="en",
        completed_at=utcnow(),
        is_complete=True,
    )
    db.session.add(response)
    db.session.flush()
    values: dict[str, object] = {
        "program_id": program.id,
        "response_id": response.id,
        "client_hash": invitation.client_hash,
        "language": "en",
        "question_code": "overall",
        "score": 1,
        "status": FollowUpStatus.OPEN,
        "due_on": utcnow().date() + timedelta(days=5),
        "email": invitation.email,
        "phone": "+16135550000",
    }
    item = FollowUp(**(values | columns))
    db.session.add(item)
    db.session.commit()
    return item
