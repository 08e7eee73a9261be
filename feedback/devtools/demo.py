"""Demo data for `make run`: a program with its bilingual questionnaire and distribution rule,
staff credentials, and a few hundred simulated contacts from the last ~90 days.

The demo questionnaire is the library's public-service experience template (overall
satisfaction, its drivers, effort and the open question on what to improve, each tagged with
its topic) plus the NPS question; the program reports by region and age band, which the
simulated events carry; the comments are bilingual, some with planted personal details
(:mod:`feedback.devtools.demo_comments`) for the scrubbing to remove.

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
from feedback.devtools.demo_comments import comment
from feedback.distribution.models import DistributionRule
from feedback.distribution.rules import RuleSpec, create_rule
from feedback.extensions import db
from feedback.invitations.models import Invitation, InvitationStatus, InvitationTransition
from feedback.programs.models import Program
from feedback.questionnaires.library import template
from feedback.questionnaires.models import Question, QuestionnaireVersion
from feedback.questionnaires.transfer import import_document
from feedback.reporting.actions.demo import add_demo_actions
from feedback.reporting.facts import build as facts
from feedback.reporting.themes import store as comments
from feedback.responses.models import Answer, Response
from feedback.security import address_hash, client_hash

S = InvitationStatus
DEMO_PROGRAM = "passport"
ADMIN_EMAIL = "admin@example.org"
API_KEY_NAME = "demo"
CREDENTIALS_FILE = "demo-credentials.txt"
DAYS = 90
# About 40 % answer: some 40 responses a week, enough for weekly figures above the threshold,
# and three quarters of them leave a comment (a few hundred).
DEFAULT_CONTACTS = 900
CONTACT_TYPES = {"call": 5, "counter": 3, "online": 2}
# Listed by the demo program (no simulated contact has it) so that a walk-in point's rule can be
# made for it from the rule form (README, "Walk-in surveys").
WALK_IN_TYPE = {"code": "walk_in", "en": "Walk-in visit", "fr": "Visite sans rendez-vous"}
REGIONS = ("Atlantic", "Quebec", "Ontario", "Prairies", "British Columbia", "North")
AGE_BANDS = ("18-34", "35-54", "55-64", "65+")
#: The event attributes the demo program reports by.
REPORTABLE = ["age_band", "region"]
#: How closely each driver follows the overall rating (the rest is noise): the drivers analysis
#: should find timeliness and ease first, fairness last.
DRIVER_LINKS = {
    "ease": 0.7,
    "timeliness": 0.8,
    "staff-helpful": 0.5,
    "staff-knowledgeable": 0.4,
    "fairness": 0.2,
    "clear-information": 0.6,
    "confidence": 0.45,
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


def add_demo_questionnaire(
    program: Program, code: str = "client-experience"
) -> QuestionnaireVersion:
    """The library's public-service experience questionnaire with the NPS question added
    (before the open question), published."""
    document = template("public-service-experience") | {"program": program.code, "code": code}
    recommend = next(q for q in template("after-contact")["questions"] if q["code"] == "recommend")
    document["questions"].insert(-1, recommend)
    return import_document(document, publish=True)


def _answers(
    rng: random.Random,
    questions: dict[str, Question],
    language: str,
    recency: float,
) -> list[tuple[Question, dict[str, Any]]]:
    """Plausible answers: satisfaction improves a little over the period (recency 0 -> 1), and
    each driver follows the overall rating more or less closely (DRIVER_LINKS)."""
    satisfied = rng.random() < 0.62 + 0.18 * recency
    rating = rng.choice((4, 5)) if satisfied else rng.choices((1, 2, 3), (2, 3, 5))[0]
    picked: list[tuple[Question, dict[str, Any]]] = [(questions["overall"], {"value_int": rating})]
    for code, link in DRIVER_LINKS.items():
        if rng.random() < 0.92:
            value = rating if rng.random() < link else rng.randint(1, 5)
            picked.append((questions[code], {"value_int": value}))
    if rng.random() < 0.9:
        met = rng.choices(("yes", "partly", "no"), (8, 2, 1) if satisfied else (2, 4, 5))[0]
        picked.append((questions["need-met"], {"value_choice": met}))
    if rng.random() < 0.9:
        effort = max(1, min(7, round(rating * 1.4 + rng.gauss(0, 1))))
        picked.append((questions["effort"], {"value_int": effort}))
    if rng.random() < 0.85:
        low, high = {5: (8, 10), 4: (6, 9), 3: (4, 7)}.get(rating, (0, 5))
        picked.append((questions["recommend"], {"value_int": rng.randint(low, high)}))
    if rng.random() < 0.75:
        picked.append((questions["improve"], {"value_text": comment(rng, language, satisfied)}))
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
                "attributes": _attributes(rng),
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
        for question, columns in _answers(rng, questions, language, recency):
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


def _attributes(rng: random.Random) -> dict[str, str]:
    """A region always; a (self-identified) age band from most clients."""
    attributes = {"region": rng.choice(REGIONS)}
    if rng.random() < 0.85:
        attributes["age_band"] = rng.choice(AGE_BANDS)
    return attributes


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
        program.reportable_attributes = REPORTABLE
        version = add_demo_questionnaire(program)
        # The short one, for the phone and text walk-throughs of the README and the plugins.
        add_questionnaire(program)
        rule = add_rule(program, version)
        _insert(_simulate(program, version, rule, contacts, random.Random(seed), now))
        facts.rebuild(now)
        comments.code_new(now)
        add_demo_actions(program, now.date())
    path = _credentials_path()
    admin_exists = db.session.scalar(select(User.id).where(User.email == ADMIN_EMAIL)) is not None
    if created or not admin_exists or not path.exists():
        credentials = _new_credentials()
        db.session.commit()
        _write_credentials(credentials)
    else:
        credentials = path.read_text(encoding="utf-8")
    return DemoResult(created, credentials, path, contacts if created else 0)
