"""Test data in one place: a program, a published bilingual questionnaire, a rule, an API key."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from feedback.accounts.services import create_api_key
from feedback.db_types import utcnow
from feedback.distribution.models import DistributionRule
from feedback.extensions import db
from feedback.programs.models import Program
from feedback.surveys.models import Question, QuestionKind, Questionnaire, QuestionnaireVersion


def make_program(code: str = "passport") -> Program:
    program = Program(code=code, name_en="Passport services", name_fr="Services de passeport",
                      timezone="America/Toronto")
    db.session.add(program)
    db.session.flush()
    return program


def make_questionnaire(program: Program, code: str = "after-contact") -> QuestionnaireVersion:
    questionnaire = Questionnaire(program_id=program.id, code=code,
                                  title_en="How did we do?", title_fr="Comment avons-nous fait?")
    version = QuestionnaireVersion(
        questionnaire=questionnaire, number=1,
        intro_en="Two minutes to help us improve.",
        intro_fr="Deux minutes pour nous aider à nous améliorer.",
    )
    version.questions = [
        Question(position=1, code="overall", kind=QuestionKind.RATING, required=True,
                 text_en="Overall, how satisfied are you with the service you received?",
                 text_fr="Dans l'ensemble, êtes-vous satisfait du service reçu?"),
        Question(position=2, code="recommend", kind=QuestionKind.NPS, required=False,
                 text_en="How likely are you to recommend this service to a friend?",
                 text_fr="Quelle est la probabilité que vous recommandiez ce service à un ami?"),
        Question(position=3, code="resolved", kind=QuestionKind.YES_NO, required=False,
                 text_en="Was your question resolved?",
                 text_fr="Votre question a-t-elle été réglée?"),
        Question(position=4, code="how", kind=QuestionKind.SINGLE_CHOICE, required=False,
                 text_en="How did you contact us?", text_fr="Comment nous avez-vous joints?",
                 options=[{"value": "phone", "en": "By phone", "fr": "Par téléphone"},
                          {"value": "online", "en": "Online", "fr": "En ligne"},
                          {"value": "office", "en": "In person", "fr": "En personne"}]),
        Question(position=5, code="comment", kind=QuestionKind.FREE_TEXT, required=False,
                 text_en="What could we do better?",
                 text_fr="Que pourrions-nous faire de mieux?"),
    ]
    db.session.add(questionnaire)
    db.session.flush()
    version.published_at = utcnow()
    db.session.flush()
    return version


def make_rule(program: Program, version: QuestionnaireVersion, **overrides: Any) -> DistributionRule:
    values: dict[str, Any] = {"program_id": program.id, "contact_type": None,
                              "questionnaire_version_id": version.id, "channel": "email",
                              "delay_minutes": 0, "sampling_rate": 1.0, "expiry_days": 14,
                              "fatigue_days": 30}
    values.update(overrides)
    rule = DistributionRule(**values)
    db.session.add(rule)
    db.session.flush()
    return rule


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
        "source": "crm", "external_id": f"call-{n}", "program": "passport",
        "contact_type": "call", "occurred_at": datetime(2026, 11, 20, 15, 0, tzinfo=UTC).isoformat(),
        "language": "en",
        "client": {"reference": f"client-{n}", "email": f"client{n}@example.org",
                   "timezone": "America/Toronto"},
    }
    payload.update(overrides)
    return payload
