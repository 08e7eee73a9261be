"""A generated data set for the composition tests: three programs, four channels, two
languages, two contact types, a reportable region (with clients who did not give one), the
public-service questionnaire plus an NPS question, comments with personal details, three periods
(this quarter, the previous one, the same quarter last year) and a few undelivered invitations.

Deterministic: the same seed gives the same rows. Satisfaction in "passport" rises sharply from
the previous quarter (a significant change); "citizenship" gives exactly the same answers in
both quarters (no change at all); "tiny" has too few responses to be shown, and "visa" is
the smallest program that can hide it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from feedback.extensions import db
from feedback.invitations.models import InvitationStatus
from feedback.programs.models import Program
from feedback.questionnaires.library import template
from feedback.questionnaires.models import QuestionnaireVersion
from feedback.questionnaires.transfer import import_document
from tests.reporting.helpers import add_contact, at

QUARTER = (date(2026, 7, 1), date(2026, 9, 30))
PREVIOUS = (date(2026, 4, 1), date(2026, 6, 30))
LAST_YEAR = (date(2025, 7, 1), date(2025, 9, 30))
CHANNELS = ("email", "email", "sms", "voice", "walk_in")
REGIONS = ("east", "west", "east", "west", None, "north")
DRIVER_CODES = (
    "ease",
    "timeliness",
    "staff-helpful",
    "staff-knowledgeable",
    "fairness",
    "clear-information",
    "confidence",
)
COMMENTS = {
    "en": (
        "The processing time was far too long, it took months. Call me at 613-555-0199.",
        "I was on hold for an hour, my client number is 1234-5678. Jane Smith",
        "The website kept showing an error, email me at jane@example.org",
    ),
    "fr": (
        "Le délai de traitement était beaucoup trop long, des mois d'attente. 613-555-0199",
        "J'ai attendu en ligne pendant une heure, mon numéro de client est 1234-5678.",
        "Le site Web affichait une erreur, écrivez-moi à marie@example.org",
    ),
}


@dataclass(frozen=True)
class Plan:
    """Responses to make for one program in one period."""

    program: str
    period: tuple[date, date]
    responses: int
    satisfied: float  # share answering 4 or 5 overall
    seed: int
    unanswered: int = 0  # invitations reached but not answered
    undelivered: int = 0


PLANS = (
    Plan("passport", QUARTER, 150, 0.85, 1, unanswered=40, undelivered=6),
    Plan("passport", PREVIOUS, 150, 0.5, 2, unanswered=40),
    Plan("passport", LAST_YEAR, 60, 0.7, 3, unanswered=20),
    Plan("citizenship", QUARTER, 80, 0.7, 4, unanswered=30, undelivered=3),
    Plan("citizenship", PREVIOUS, 80, 0.7, 4, unanswered=30),
    Plan("visa", QUARTER, 20, 0.6, 6, unanswered=8),
    Plan("tiny", QUARTER, 6, 0.5, 5, unanswered=3),
)
#: Programs with too few responses to be shown (under the default minimum of 10), and the one
#: suppressed to protect it (the smallest other program: overall = sum of the programs).
PRIMARY = "tiny"
COMPLEMENT = "visa"


def _version(code: str, name_en: str, name_fr: str) -> QuestionnaireVersion:
    db.session.add(
        Program(
            code=code,
            name_en=name_en,
            name_fr=name_fr,
            contact_types=[
                {"code": "call", "en": "Call centre call", "fr": "Appel au centre d'appels"},
                {"code": "counter", "en": "Service counter visit", "fr": "Visite au comptoir"},
            ],
            reportable_attributes=["region"],
        )
    )
    db.session.flush()
    document = template("public-service-experience") | {"program": code, "code": "pse"}
    document["questions"].append(
        {
            "code": "recommend",
            "kind": "nps",
            "text": {
                "en": "How likely are you to recommend this service to a friend?",
                "fr": "Quelle est la probabilité que vous recommandiez ce service à un ami?",
            },
        }
    )
    return import_document(document, publish=True)


def _answers(rng: random.Random, satisfied: bool, language: str) -> dict[str, dict]:
    overall = rng.choice((4, 5)) if satisfied else rng.choice((1, 2, 3))
    answers: dict[str, dict] = {"overall": {"value_int": overall}}
    for code in DRIVER_CODES:
        if rng.random() < 0.9:
            answers[code] = {"value_int": max(1, min(5, overall + rng.choice((-1, 0, 0, 1))))}
    answers["effort"] = {"value_int": max(1, min(7, overall + rng.choice((0, 1, 2))))}
    if rng.random() < 0.85:
        answers["recommend"] = {"value_int": max(0, min(10, 2 * overall + rng.choice((-1, 0, 1))))}
    if not satisfied or rng.random() < 0.2:
        answers["improve"] = {"value_text": rng.choice(COMMENTS[language])}
    return answers


def _add(version: QuestionnaireVersion, plan: Plan) -> None:
    rng = random.Random(plan.seed)
    days = (plan.period[1] - plan.period[0]).days + 1
    satisfied = round(plan.responses * plan.satisfied)
    outcomes = [True] * satisfied + [False] * (plan.responses - satisfied)
    rng.shuffle(outcomes)
    total = plan.responses + plan.unanswered + plan.undelivered
    for i in range(total):
        day = plan.period[0] + timedelta(days=(i * 7) % days)
        when = at(f"{day.isoformat()} 10:00")
        language = "fr" if i % 3 == 0 else "en"
        answered = i < plan.responses
        invitation = add_contact(
            version,
            sent_at=when,
            completed_at=when + timedelta(hours=1) if answered else None,
            answers=_answers(rng, outcomes[i], language) if answered else None,
            language=language,
            contact_type="counter" if i % 4 == 0 else "call",
            # Email and SMS invitations go unanswered more often: unequal weights.
            channel=CHANNELS[i % len(CHANNELS)] if answered else ("email", "sms")[i % 2],
        )
        region = REGIONS[i % len(REGIONS)]
        if region is not None:
            invitation.event.attributes = {"region": region}
        if i >= plan.responses + plan.unanswered:
            invitation.status = InvitationStatus.UNDELIVERED
    db.session.flush()


def generate() -> dict[str, Program]:
    """Every plan's rows (committed); the programs by code."""
    versions = {
        "passport": _version("passport", "Passport services", "Services de passeport"),
        "citizenship": _version("citizenship", "Citizenship", "Citoyenneté"),
        "visa": _version("visa", "Visitor visas", "Visas de visiteur"),
        "tiny": _version("tiny", "Small program", "Petit programme"),
    }
    for plan in PLANS:
        _add(versions[plan.program], plan)
    db.session.commit()
    return {code: version.questionnaire.program for code, version in versions.items()}
