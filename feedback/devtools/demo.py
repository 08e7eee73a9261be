"""Demo data for `make run`: a program with its bilingual questionnaire and distribution rule,
staff credentials, and a few hundred simulated contacts from the last ~90 days.

The simulated contacts are created directly in final states (sent, opened, completed, expired),
with no e-mail address and no survey token, so nothing is ever sent to anyone. The tests build
their program, questionnaire and rule with the same functions (tests/factories.py), which
call the authoring and rule services like every other caller.
"""

from __future__ import annotations

import os
import random
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import insert, select, update

from feedback.accounts.models import ApiKey, Role, User
from feedback.accounts.services import create_api_key, create_user, set_password
from feedback.contacts.models import ContactEvent
from feedback.db_types import new_id, utcnow
from feedback.distribution.models import DistributionRule
from feedback.distribution.rules import RuleSpec, create_rule
from feedback.extensions import db
from feedback.invitations.models import Invitation, InvitationStatus, InvitationTransition
from feedback.programs.models import Program
from feedback.questionnaires.library import template
from feedback.questionnaires.models import Question, QuestionnaireVersion
from feedback.questionnaires.transfer import import_document
from feedback.reporting import rollups
from feedback.responses.models import Answer, Response
from feedback.security import address_hash, client_hash

S = InvitationStatus
DEMO_PROGRAM = "passport"
ADMIN_EMAIL = "admin@example.org"
API_KEY_NAME = "demo"
CREDENTIALS_FILE = "demo-credentials.txt"
DAYS = 90
# About 40 % answer: some 25 responses a week, enough for weekly figures above the threshold.
DEFAULT_CONTACTS = 600
CONTACT_TYPES = {"call": 5, "counter": 3, "online": 2}
# Listed by the demo program (no simulated contact has it) so that a walk-in point's rule can be
# made for it from the rule form (README, "Walk-in surveys").
WALK_IN_TYPE = {"code": "walk_in", "en": "Walk-in visit", "fr": "Visite sans rendez-vous"}
REGIONS = ("Atlantic", "Quebec", "Ontario", "Prairies", "British Columbia", "North")
HOW_BY_TYPE = {"call": "phone", "counter": "office", "online": "online"}
COMMENTS = {
    "en": {
        True: (
            "The agent was friendly and answered all my questions.",
            "Quick and easy, thank you.",
            "Clear instructions on the website.",
        ),
        False: (
            "I waited on hold for a long time.",
            "The forms are confusing.",
            "I had to call twice to get an answer.",
        ),
    },
    "fr": {
        True: (
            "L'agente était aimable et a répondu à toutes mes questions.",
            "Rapide et simple, merci.",
            "Les instructions sur le site Web sont claires.",
        ),
        False: (
            "J'ai attendu longtemps en ligne.",
            "Les formulaires sont difficiles à comprendre.",
            "J'ai dû appeler deux fois pour obtenir une réponse.",
        ),
    },
}


def add_program(code: str = DEMO_PROGRAM) -> Program:
    program = Program(
        code=code,
        name_en="Passport services",
        name_fr="Services de passeport",
        timezone="America/Toronto",
        contact_types=[
            {"code": "call", "en": "Call centre call", "fr": "Appel au centre d'appels"},
            {"code": "counter", "en": "Service counter visit", "fr": "Visite au comptoir"},
            {"code": "online", "en": "Online request", "fr": "Demande en ligne"},
        ],
    )
    db.session.add(program)
    db.session.flush()
    return program


def add_questionnaire(
    program: Program,
    code: str = "after-contact",
    wordings: dict[str, dict[str, dict[str, str]]] | None = None,
) -> QuestionnaireVersion:
    """The library's after-contact questionnaire (one question of each usual kind), published.

    `wordings` gives questions, by code, their per-channel wordings (e.g. for the phone).
    """
    document = template("after-contact") | {"program": program.code, "code": code}
    for question in document["questions"]:
        question["wordings"] = (wordings or {}).get(question["code"], {})
    return import_document(document, publish=True)


def add_rule(program: Program, version: QuestionnaireVersion, **overrides: Any) -> DistributionRule:
    """E-mail right after the contact, everyone, 14 days to answer, one survey per 30 days."""
    return create_rule(
        RuleSpec(program=program, version=version, **{"channel": "email", **overrides})
    )


@dataclass
class _Rows:
    """Rows for the bulk inserts, one list per table."""

    events: list[dict[str, Any]]
    invitations: list[dict[str, Any]]
    transitions: list[dict[str, Any]]
    responses: list[dict[str, Any]]
    answers: list[dict[str, Any]]


def _answers(
    rng: random.Random,
    questions: dict[str, Question],
    contact_type: str,
    language: str,
    recency: float,
) -> list[tuple[Question, dict[str, Any]]]:
    """Plausible answers: satisfaction improves a little over the period (recency 0 -> 1)."""
    satisfied = rng.random() < 0.62 + 0.18 * recency
    rating = rng.choice((4, 5)) if satisfied else rng.choices((1, 2, 3), (2, 3, 5))[0]
    picked: list[tuple[Question, dict[str, Any]]] = [(questions["overall"], {"value_int": rating})]
    if rng.random() < 0.85:
        low, high = {5: (8, 10), 4: (6, 9), 3: (4, 7)}.get(rating, (0, 5))
        picked.append((questions["recommend"], {"value_int": rng.randint(low, high)}))
    if rng.random() < 0.9:
        resolved = rng.random() < (0.92 if satisfied else 0.45)
        picked.append((questions["resolved"], {"value_int": int(resolved)}))
    if rng.random() < 0.8:
        how = (
            HOW_BY_TYPE[contact_type]
            if rng.random() < 0.85
            else rng.choice(tuple(HOW_BY_TYPE.values()))
        )
        picked.append((questions["how"], {"value_choice": how}))
    if rng.random() < 0.3:
        picked.append(
            (questions["comment"], {"value_text": rng.choice(COMMENTS[language][satisfied])})
        )
    return picked


def _simulate(
    program: Program,
    version: QuestionnaireVersion,
    rule: DistributionRule,
    contacts: int,
    rng: random.Random,
    now: datetime,
) -> _Rows:
    rows = _Rows([], [], [], [], [])
    questions = {q.code: q for q in version.questions}
    expiry = timedelta(days=rule.expiry_days)
    for n in range(contacts):
        age = timedelta(days=DAYS) * rng.random() + timedelta(hours=2)
        occurred = now - age
        language = "fr" if rng.random() < 0.3 else "en"
        contact_type = rng.choices(tuple(CONTACT_TYPES), tuple(CONTACT_TYPES.values()))[0]
        event_id, invitation_id = new_id(), new_id()
        rows.events.append(
            {
                "id": event_id,
                "source": "demo",
                "external_id": f"demo-{n:05d}",
                "program_id": program.id,
                "contact_type": contact_type,
                "occurred_at": occurred,
                "received_at": occurred + timedelta(seconds=30),
                "language": language,
                "client_hash": client_hash(f"demo-client-{n}"),
                "attributes": {"region": rng.choice(REGIONS)},
                "api_key_id": None,
            }
        )
        sent = occurred + timedelta(minutes=rng.uniform(1, 20))
        path: list[tuple[InvitationStatus, datetime, str | None]] = [
            (S.SCHEDULED, occurred + timedelta(seconds=30), None),
            (S.SENDING, sent - timedelta(seconds=2), None),
            (S.SENT, sent, None),
        ]
        fate = rng.random()
        opened = completed = None
        if fate < 0.5:  # opened; most who open also answer
            opened = sent + min(timedelta(hours=rng.uniform(0.1, 48)), (now - sent) / 2)
            path.append((S.OPENED, opened, None))
            if fate < 0.4:
                completed = opened + min(timedelta(minutes=rng.uniform(1, 8)), (now - opened) / 2)
                path.append((S.COMPLETED, completed, None))
        if completed is None and sent + expiry < now:
            path.append((S.EXPIRED, sent + expiry, "expired"))
        status, _at, reason = path[-1]
        rows.invitations.append(
            {
                "id": invitation_id,
                "event_id": event_id,
                "program_id": program.id,
                "rule_id": rule.id,
                "questionnaire_version_id": version.id,
                "channel": rule.channel,
                "language": language,
                "client_hash": client_hash(f"demo-client-{n}"),
                "address_hash": address_hash(f"demo-client-{n}@example.org"),
                "email": None,
                "phone": None,
                "timezone": "America/Toronto",
                "status": status,
                "reason": reason,
                "due_at": occurred,
                "expires_at": sent + expiry,
                "sent_at": sent,
                "opened_at": opened,
                "completed_at": completed,
                "attempts": 1,
                "created_at": occurred + timedelta(seconds=30),
                "updated_at": path[-1][1],
            }
        )
        previous = None
        for to_status, at, why in path:
            rows.transitions.append(
                {
                    "invitation_id": invitation_id,
                    "from_status": previous,
                    "to_status": to_status,
                    "reason": why,
                    "at": at,
                }
            )
            previous = to_status
        if completed is None:
            continue
        response_id = new_id()
        rows.responses.append(
            {
                "id": response_id,
                "invitation_id": invitation_id,
                "questionnaire_version_id": version.id,
                "program_id": program.id,
                "channel": rule.channel,
                "language": language,
                "started_at": opened,
                "completed_at": completed,
                "is_complete": True,
            }
        )
        recency = 1 - age / timedelta(days=DAYS)
        for question, columns in _answers(rng, questions, contact_type, language, recency):
            rows.answers.append(
                {
                    "id": new_id(),
                    "response_id": response_id,
                    "question_id": question.id,
                    "value_int": None,
                    "value_choice": None,
                    "value_text": None,
                    "answered_at": completed,
                    **columns,
                }
            )
    return rows


def _insert(rows: _Rows) -> None:
    for model, batch in (
        (ContactEvent, rows.events),
        (Invitation, rows.invitations),
        (InvitationTransition, rows.transitions),
        (Response, rows.responses),
        (Answer, rows.answers),
    ):
        if batch:
            db.session.execute(insert(model), batch)


def _credentials_path() -> Path:
    return Path(current_app.instance_path) / CREDENTIALS_FILE


def _write_credentials(text: str) -> None:
    path = _credentials_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(text)
    os.chmod(path, 0o600)  # the file may have existed with a looser mode


def _new_credentials() -> str:
    """Give the demo admin a new random password and issue a new demo API key.

    Earlier demo keys are revoked: their plaintext was only ever in the credentials file.
    """
    password = secrets.token_urlsafe(12)
    admin = db.session.scalar(select(User).where(User.email == ADMIN_EMAIL))
    if admin is None:
        create_user(ADMIN_EMAIL, password, Role.ADMIN)
    else:
        set_password(admin, password)
    db.session.execute(
        update(ApiKey)
        .where(ApiKey.name == API_KEY_NAME, ApiKey.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    _, api_key = create_api_key(API_KEY_NAME)
    base = current_app.config["PUBLIC_BASE_URL"]
    return (
        "Client feedback demo\n"
        f"URL: {base}/login\n"
        f"Admin email: {ADMIN_EMAIL}\n"
        f"Admin password: {password}\n"
        f"API key: {api_key}\n"
    )


@dataclass(frozen=True)
class DemoResult:
    created: bool  # False when the demo program was already there
    credentials: str
    credentials_path: Path
    contacts: int


def seed_demo(
    contacts: int = DEFAULT_CONTACTS, seed: int = 20260101, now: datetime | None = None
) -> DemoResult:
    """Create the demo data once; later runs only make sure the credentials file exists."""
    program = db.session.scalar(select(Program).where(Program.code == DEMO_PROGRAM))
    created = program is None
    if program is None:
        now = now or utcnow()
        program = add_program()
        program.contact_types = [*program.contact_types, WALK_IN_TYPE]
        version = add_questionnaire(program)
        rule = add_rule(program, version)
        _insert(_simulate(program, version, rule, contacts, random.Random(seed), now))
        rollups.refresh((now - timedelta(days=DAYS + 1)).date(), now.date())
    path = _credentials_path()
    admin_exists = db.session.scalar(select(User.id).where(User.email == ADMIN_EMAIL)) is not None
    if created or not admin_exists or not path.exists():
        credentials = _new_credentials()
        db.session.commit()
        _write_credentials(credentials)
    else:
        credentials = path.read_text(encoding="utf-8")
    return DemoResult(created, credentials, path, contacts if created else 0)
