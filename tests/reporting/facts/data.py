"""A generated data set for the facts tests, and the facts recounted in Python from its rows.

The recount walks the ORM rows one by one (no GROUP BY, no SQL date function), so that it
checks the SQL of the fact builder rather than repeating it.
"""

from __future__ import annotations

import itertools
import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from feedback.extensions import db
from feedback.invitations.models import Invitation, InvitationStatus
from feedback.programs.models import Program
from feedback.questionnaires.library import template
from feedback.questionnaires.models import QuestionnaireVersion
from feedback.questionnaires.transfer import import_document
from feedback.reporting.facts import groups
from feedback.reporting.facts.build import PAIR_TOPICS
from feedback.reporting.models import FactAnswerDaily, FactAnswerPairDaily, FactInvitationDaily
from feedback.responses.models import Response
from tests.factories import make_program
from tests.reporting.helpers import add_contact

START = datetime(2026, 3, 1, tzinfo=UTC)
DAYS = 12
#: Topics given to the after-contact questionnaire's scale questions, for the pairs.
TOPICS = {"overall": "overall", "recommend": "ease", "resolved": "timeliness"}
REGIONS = ("Atlantic", "Québec", "Ontario")


def versions() -> list[QuestionnaireVersion]:
    """Two programs, one declaring two reportable attributes, each with a tagged questionnaire."""
    made = []
    for code, reportable in (("passport", ["region", "age_band"]), ("citizenship", [])):
        program = make_program(code)
        program.reportable_attributes = reportable
        document = template("after-contact") | {"program": code, "code": "after-contact"}
        for question in document["questions"]:
            if question["code"] in TOPICS:
                question["topic"] = TOPICS[question["code"]]
        made.append(import_document(document, publish=True))
    db.session.commit()
    return made


def answers(rng: random.Random) -> dict[str, dict[str, Any]]:
    picked: dict[str, dict[str, Any]] = {"overall": {"value_int": rng.randint(1, 5)}}
    if rng.random() < 0.8:
        picked["recommend"] = {"value_int": rng.randint(0, 10)}
    if rng.random() < 0.7:
        picked["resolved"] = {"value_int": rng.randint(0, 1)}
    if rng.random() < 0.6:
        picked["how"] = {"value_choice": rng.choice(("phone", "office", "online"))}
    if rng.random() < 0.3:
        picked["comment"] = {"value_text": "Fine"}
    return picked


def contacts(
    all_versions: list[QuestionnaireVersion], rng: random.Random, n: int, start: datetime = START
) -> None:
    """`n` contacts sent over DAYS days from `start`: completed, partial, undelivered, silent."""
    for _ in range(n):
        version = rng.choice(all_versions)
        sent = start + timedelta(minutes=rng.randrange(DAYS * 24 * 60))
        fate = rng.random()
        attributes: dict[str, Any] = {"other": "not reportable"}
        if rng.random() < 0.8:
            attributes["region"] = rng.choice(REGIONS)
        if rng.random() < 0.5:
            attributes["age_band"] = rng.choice(("18-34", "35-64", 65))
        invitation = add_contact(
            version,
            sent_at=sent,
            language=rng.choice(("en", "fr")),
            contact_type=rng.choice(("call", "counter")),
            channel=rng.choice(("email", "sms")),
            attributes=attributes,
            answers=answers(rng) if fate < 0.6 else None,
            completed_at=sent + timedelta(hours=rng.uniform(0.1, 60)) if fate < 0.5 else None,
        )
        if fate > 0.9:
            invitation.status = rng.choice((InvitationStatus.UNDELIVERED, InvitationStatus.FAILED))
    db.session.commit()


def recount() -> dict[str, Counter[tuple[Any, ...]]]:
    """The three fact tables as {key: count}, counted in Python from the raw rows."""
    reportable = {p.id: p.reportable_attributes for p in db.session.scalars(select(Program))}
    invitations: Counter[tuple[Any, ...]] = Counter()
    for invitation in db.session.scalars(select(Invitation)):
        if invitation.sent_at is None or invitation.channel is None:
            continue
        event = invitation.event
        key = (
            invitation.sent_at.astimezone(UTC).date(),
            invitation.program_id,
            invitation.channel,
            event.contact_type,
            invitation.language,
            groups.encode(event.attributes, reportable[invitation.program_id]),
        )
        invitations[(*key, "sent")] += 1
        reached = invitation.status not in (InvitationStatus.UNDELIVERED, InvitationStatus.FAILED)
        invitations[(*key, "reached")] += reached
        invitations[(*key, "completed")] += invitation.completed_at is not None
    values: Counter[tuple[Any, ...]] = Counter()
    pairs: Counter[tuple[Any, ...]] = Counter()
    for response in db.session.scalars(select(Response)):
        if response.completed_at is None:
            continue
        event = response.invitation.event
        key = (
            response.completed_at.astimezone(UTC).date(),
            response.program_id,
            response.questionnaire_version_id,
            response.channel,
            event.contact_type,
            response.language,
            groups.encode(event.attributes, reportable[response.program_id]),
        )
        scales = []
        for answer in response.answers:
            if answer.value_int is not None or answer.value_choice is not None:
                values[(*key, answer.question_id, answer.value_int, answer.value_choice)] += 1
            if answer.value_int is not None and answer.question.topic in PAIR_TOPICS:
                scales.append((answer.question.topic, answer.value_int))
        for a, b in itertools.combinations(sorted(scales), 2):
            pairs[(*key[:3], *a, *b)] += 1
    return {"invitations": +invitations, "values": values, "pairs": pairs}


def stored() -> dict[str, Counter[tuple[Any, ...]]]:
    """The three fact tables as {key: count}, as stored (no zero rows expected)."""
    F, A, P = FactInvitationDaily, FactAnswerDaily, FactAnswerPairDaily
    invitations: Counter[tuple[Any, ...]] = Counter()
    for fact in db.session.scalars(select(F)):
        key = (fact.day, fact.program_id, fact.channel, fact.contact_type, fact.language)
        for measure in ("sent", "reached", "completed"):
            invitations[(*key, fact.client_group, measure)] += getattr(fact, measure)
    values: Counter[tuple[Any, ...]] = Counter()
    for fact in db.session.scalars(select(A)):
        values[
            (
                fact.day,
                fact.program_id,
                fact.questionnaire_version_id,
                fact.channel,
                fact.contact_type,
                fact.language,
                fact.client_group,
                fact.question_id,
                fact.value_int,
                fact.value_choice,
            )
        ] += fact.count
    pairs: Counter[tuple[Any, ...]] = Counter()
    for fact in db.session.scalars(select(P)):
        pairs[
            (
                fact.day,
                fact.program_id,
                fact.questionnaire_version_id,
                fact.topic_a,
                fact.value_a,
                fact.topic_b,
                fact.value_b,
            )
        ] += fact.count
    return {"invitations": +invitations, "values": values, "pairs": pairs}
