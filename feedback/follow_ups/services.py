"""Follow-ups as services: the settings of a rule, opening an item when a response asks for one,
and the staff's changes to items (owner, status, due date, notes).

The views, the signal subscriber (:mod:`.subscribers`) and the tests call these; every change a
person makes is written to the audit log here. The client's contact details are copied from the
invitation when an item opens, kept encrypted while it is not closed, and erased when it closes;
they are never written to the audit log or to a log line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, func, select

from feedback.accounts.models import Role, User, user_programs
from feedback.audit.services import record
from feedback.db_types import utcnow
from feedback.distribution.models import DistributionRule
from feedback.extensions import db
from feedback.follow_ups.models import (
    FollowUp,
    FollowUpNote,
    FollowUpPolicy,
    FollowUpStatus,
)
from feedback.invitations.models import Invitation
from feedback.questionnaires import kinds
from feedback.questionnaires.authoring import latest_published
from feedback.questionnaires.kinds.contact_consent import ContactConsent
from feedback.questionnaires.models import Question, QuestionnaireVersion
from feedback.responses.models import Answer, Response

MAX_DUE_DAYS = 365
MAX_NOTE = 4000
#: What a follow-up may become from each status; closed is final (its contact details are gone).
NEXT_STATUSES: Mapping[FollowUpStatus, frozenset[FollowUpStatus]] = {
    FollowUpStatus.OPEN: frozenset({FollowUpStatus.IN_PROGRESS, FollowUpStatus.CLOSED}),
    FollowUpStatus.IN_PROGRESS: frozenset({FollowUpStatus.OPEN, FollowUpStatus.CLOSED}),
    FollowUpStatus.CLOSED: frozenset(),
}


class FollowUpError(ValueError):
    """A change that cannot be made; `errors` maps each field to what is wrong (translated)."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{key}: {message}" for key, message in self.errors.items()))


# --- settings per rule --------------------------------------------------------------------------


@dataclass(frozen=True)
class PolicySpec:
    """A rule's follow-up settings, as a form or a test gives them."""

    score_question: str
    threshold: int
    consent_question: str
    due_days: int = 5
    enabled: bool = True


def rule_version(rule: DistributionRule) -> QuestionnaireVersion | None:
    """The questionnaire version a rule sends now: its own, else (a rule that follows the latest
    published version) its questionnaire's latest published one."""
    if rule.questionnaire_version is not None:
        return rule.questionnaire_version
    return latest_published(rule.questionnaire) if rule.questionnaire is not None else None


def scored_questions(version: QuestionnaireVersion | None) -> list[Question]:
    """The questions answered on a scale (satisfaction, NPS, effort): what a threshold fits."""
    return [q for q in version.questions if kinds.of(q).scale is not None] if version else []


def consent_questions(version: QuestionnaireVersion | None) -> list[Question]:
    """The questions asking whether the client may be contacted."""
    if version is None:
        return []
    return [q for q in version.questions if isinstance(kinds.of(q), ContactConsent)]


def policy_of(rule: DistributionRule) -> FollowUpPolicy | None:
    return db.session.scalar(select(FollowUpPolicy).where(FollowUpPolicy.rule_id == rule.id))


def _policy_snapshot(policy: FollowUpPolicy) -> dict[str, Any]:
    names = ("score_question", "threshold", "consent_question", "due_days", "enabled")
    return {name: getattr(policy, name) for name in names}


def _check_policy(rule: DistributionRule, spec: PolicySpec) -> None:
    version = rule_version(rule)
    errors: dict[str, str] = {}
    scored = {q.code: q for q in scored_questions(version)}
    question = scored.get(spec.score_question)
    if question is None:
        errors["score_question"] = _("Choose a question answered on a scale.")
    else:
        scale = kinds.of(question).scale
        assert scale is not None
        if not scale.low <= spec.threshold < scale.high:
            errors["threshold"] = _(
                "Give a score from %(low)s to %(high)s for this question.",
                low=scale.low,
                high=scale.high - 1,
            )
    if spec.consent_question not in {q.code for q in consent_questions(version)}:
        errors["consent_question"] = _(
            "Choose a question that asks whether the client may be contacted."
        )
    if not 1 <= spec.due_days <= MAX_DUE_DAYS:
        errors["due_days"] = _("Give a number of days from 1 to %(most)s.", most=MAX_DUE_DAYS)
    if errors:
        raise FollowUpError(errors)


def save_policy(rule: DistributionRule, spec: PolicySpec) -> FollowUpPolicy:
    """Create or change a rule's follow-up settings (checked against the questions the rule
    sends now), audited. The caller commits."""
    _check_policy(rule, spec)
    policy = policy_of(rule)
    before = None if policy is None else _policy_snapshot(policy)
    if policy is None:
        policy = FollowUpPolicy(rule_id=rule.id, program_id=rule.program_id)
        db.session.add(policy)
    policy.score_question = spec.score_question
    policy.threshold = spec.threshold
    policy.consent_question = spec.consent_question
    policy.due_days = spec.due_days
    policy.enabled = spec.enabled
    db.session.flush()
    if before is None:
        after = {"rule": rule.id, **_policy_snapshot(policy)}
        record("follow_up_policy.create", policy, None, after)
    else:
        record("follow_up_policy.update", policy, before, _policy_snapshot(policy))
    return policy


def carry_over_policy(old: DistributionRule, new: DistributionRule) -> FollowUpPolicy | None:
    """Give a rule that replaces another (an edited rule is a new one) the settings of the one
    it replaces, if the new rule's questions still fit them; audited. The caller commits."""
    policy = policy_of(old)
    if policy is None or policy_of(new) is not None:
        return None
    spec = PolicySpec(
        policy.score_question,
        policy.threshold,
        policy.consent_question,
        policy.due_days,
        policy.enabled,
    )
    try:
        return save_policy(new, spec)
    except FollowUpError:
        return None  # the new questionnaire cannot follow up: the manager sets it again


def rules_in_scope(scope: set[str] | None) -> list[tuple[DistributionRule, FollowUpPolicy | None]]:
    """Active rules of the programs in `scope` (None: every program), each with its settings."""
    query = (
        select(DistributionRule, FollowUpPolicy)
        .outerjoin(FollowUpPolicy, FollowUpPolicy.rule_id == DistributionRule.id)
        .where(DistributionRule.active.is_(True))
        .order_by(DistributionRule.program_id, DistributionRule.contact_type)
    )
    if scope is not None:
        query = query.where(DistributionRule.program_id.in_(scope))
    return [(rule, policy) for rule, policy in db.session.execute(query)]


# --- opening an item ----------------------------------------------------------------------------


def open_for_response(response: Response, invitation: Invitation) -> FollowUp | None:
    """Open the response's follow-up if its rule asks for one: a score at or below the
    threshold and "yes" to the consent question, with contact details to reach the client.

    Called when the response completes, before the invitation's contact details are purged.
    Idempotent: a response has at most one item. Costs one query when the rule has no settings.
    """
    if invitation.rule_id is None or not (invitation.email or invitation.phone):
        return None
    policy = db.session.scalar(
        select(FollowUpPolicy).where(
            FollowUpPolicy.rule_id == invitation.rule_id, FollowUpPolicy.enabled.is_(True)
        )
    )
    if policy is None:
        return None
    rows = db.session.execute(
        select(Question.code, Question.kind, Answer.value_int)
        .join(Answer, Answer.question_id == Question.id)
        .where(
            Answer.response_id == response.id,
            Question.code.in_([policy.score_question, policy.consent_question]),
        )
    ).all()
    answered = {row.code: row for row in rows}
    score, consent = answered.get(policy.score_question), answered.get(policy.consent_question)
    if score is None or consent is None or score.value_int is None:
        return None
    consent_kind = kinds.get(consent.kind)
    if kinds.get(score.kind).scale is None or not isinstance(consent_kind, ContactConsent):
        return None  # the questionnaire changed under the settings: nothing to go by
    if score.value_int > policy.threshold or not consent_kind.consented(consent.value_int):
        return None
    existing = db.session.scalar(select(FollowUp).where(FollowUp.response_id == response.id))
    if existing is not None:
        return existing
    item = FollowUp(
        program_id=invitation.program_id,
        rule_id=invitation.rule_id,
        response_id=response.id,
        client_hash=invitation.client_hash,
        language=response.language,
        question_code=score.code,
        score=score.value_int,
        status=FollowUpStatus.OPEN,
        due_on=utcnow().date() + timedelta(days=policy.due_days),
        email=invitation.email,
        phone=invitation.phone,
    )
    db.session.add(item)
    db.session.flush()
    record("follow_up.open", item, None, _item_snapshot(item) | {"score": item.score})
    return item


# --- managers and owners ------------------------------------------------------------------------


def program_managers(program_id: str) -> list[User]:
    """The active program managers of a program: who is emailed when an item opens."""
    return list(
        db.session.scalars(
            select(User)
            .join(user_programs, user_programs.c.user_id == User.id)
            .where(
                user_programs.c.program_id == program_id,
                User.role == Role.PROGRAM_MANAGER,
                User.active.is_(True),
            )
            .order_by(User.email)
        )
    )


def possible_owners(program_id: str) -> list[User]:
    """Who may own a program's follow-up: its active managers and the administrators."""
    admins = db.session.scalars(
        select(User).where(User.role == Role.ADMIN, User.active.is_(True)).order_by(User.email)
    )
    return sorted([*program_managers(program_id), *admins], key=lambda user: user.email)


# --- listing ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemFilter:
    """What the list shows; None (or False) means no condition."""

    status: FollowUpStatus | None = None
    owner_id: str | None = None
    program_id: str | None = None
    overdue: bool = False


def question_text(item: FollowUp, language: str) -> str:
    """The scored question as the client read it; its code once the response is deleted."""
    question = db.session.scalar(
        select(Question)
        .join(Response, Response.questionnaire_version_id == Question.version_id)
        .where(Response.id == item.response_id, Question.code == item.question_code)
    )
    return question.text(language) if question is not None else item.question_code


def is_overdue(item: FollowUp, today: date | None = None) -> bool:
    return not item.is_closed and item.due_on < (today or utcnow().date())


def _items_query(scope: set[str] | None, wanted: ItemFilter) -> Select[tuple[FollowUp]]:
    query = select(FollowUp)
    if scope is not None:
        query = query.where(FollowUp.program_id.in_(scope))
    if wanted.status is not None:
        query = query.where(FollowUp.status == wanted.status)
    if wanted.owner_id:
        query = query.where(FollowUp.owner_id == wanted.owner_id)
    if wanted.program_id:
        query = query.where(FollowUp.program_id == wanted.program_id)
    if wanted.overdue:
        query = query.where(
            FollowUp.status != FollowUpStatus.CLOSED, FollowUp.due_on < utcnow().date()
        )
    return query


def list_items(
    scope: set[str] | None, wanted: ItemFilter, page: int = 1, per_page: int = 50
) -> tuple[list[FollowUp], bool]:
    """The items in `scope` (None: every program) matching `wanted`, the soonest due first
    (closed ones last), and whether a next page exists."""
    query = (
        _items_query(scope, wanted)
        .order_by(
            (FollowUp.status == FollowUpStatus.CLOSED).asc(),
            FollowUp.due_on.asc(),
            FollowUp.created_at.asc(),
            FollowUp.id,
        )
        .offset((max(page, 1) - 1) * per_page)
        .limit(per_page + 1)
    )
    rows = list(db.session.scalars(query))
    return rows[:per_page], len(rows) > per_page


def owners_in_scope(scope: set[str] | None) -> list[User]:
    """The users owning at least one item in scope, for the list's filter."""
    query = select(User).where(
        User.id.in_(_items_query(scope, ItemFilter()).with_only_columns(FollowUp.owner_id))
    )
    return list(db.session.scalars(query.order_by(User.email)))


def count_open(scope: set[str] | None) -> int:
    query = _items_query(scope, ItemFilter()).where(FollowUp.status != FollowUpStatus.CLOSED)
    return db.session.scalar(query.with_only_columns(func.count())) or 0


# --- changing an item ---------------------------------------------------------------------------


def _item_snapshot(item: FollowUp) -> dict[str, Any]:
    """What the audit log keeps of an item: never the client's contact details."""
    return {
        "status": item.status.value,
        "owner": item.owner.email if item.owner else None,
        "due_on": item.due_on,
    }


def update_item(
    item: FollowUp, status: FollowUpStatus, owner: User | None, due_on: date
) -> FollowUp:
    """Change an item's status, owner and due date, audited; closing it erases the client's
    contact details. The caller commits."""
    errors: dict[str, str] = {}
    if status is not item.status and status not in NEXT_STATUSES[item.status]:
        errors["status"] = _("A closed follow-up cannot be reopened.")
    if owner is not None and owner.id not in {u.id for u in possible_owners(item.program_id)}:
        errors["owner"] = _("Choose a manager of this program or an administrator.")
    if errors:
        raise FollowUpError(errors)
    before = _item_snapshot(item)
    item.status, item.owner, item.due_on = status, owner, due_on
    after = _item_snapshot(item)
    if item.is_closed and item.closed_at is None:
        item.closed_at = utcnow()
        item.email = item.phone = None
        after["contact_details"] = "erased"
    record("follow_up.update", item, before, after)
    db.session.flush()
    return item


def add_note(item: FollowUp, text: str, author: User) -> FollowUpNote:
    """Append a note (never changed afterwards), audited. The caller commits."""
    text = text.strip()
    if not text:
        raise FollowUpError({"text": _("Write the note.")})
    if len(text) > MAX_NOTE:
        raise FollowUpError({"text": _("A note holds at most %(most)s characters.", most=MAX_NOTE)})
    note = FollowUpNote(follow_up=item, author_id=author.id, author=author.email, text=text)
    db.session.add(note)
    item.updated_at = utcnow()
    db.session.flush()
    # The note's length, never its text: notes about a client are erased with them, the log stays.
    record("follow_up.note", item, None, {"note_characters": len(text)})
    return note


def erase_client(client_hash: str) -> int:
    """Delete a client's follow-ups and their notes (a client's erasure request, by the keyed
    hash of their reference); each deletion is audited, without the client's details. Returns
    how many items were deleted. The caller commits."""
    items = list(db.session.scalars(select(FollowUp).where(FollowUp.client_hash == client_hash)))
    for item in items:
        record("follow_up.erase", item, _item_snapshot(item), None)
        for note in item.notes:
            db.session.delete(note)
        db.session.delete(item)
    db.session.flush()
    return len(items)


def items_to_notify(older_than: timedelta, limit: int = 100) -> list[str]:
    """Ids of open items whose managers were never emailed (the task was lost): for the sweep."""
    query = (
        select(FollowUp.id)
        .where(
            FollowUp.notified_at.is_(None),
            FollowUp.created_at < utcnow() - older_than,
            FollowUp.status != FollowUpStatus.CLOSED,
        )
        .order_by(FollowUp.created_at)
        .limit(limit)
    )
    return list(db.session.scalars(query))
