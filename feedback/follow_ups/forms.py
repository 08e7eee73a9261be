"""The follow-up pages' forms: the list's filter, an item's changes, a note, a rule's settings."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    TextAreaField,
)
from wtforms.validators import InputRequired, NumberRange

from feedback.accounts.models import User
from feedback.follow_ups.models import FollowUpStatus
from feedback.follow_ups.services import MAX_DUE_DAYS, ItemFilter
from feedback.programs.models import Program
from feedback.questionnaires.models import Question

STATUS_LABELS = {
    FollowUpStatus.OPEN: _l("Open"),
    FollowUpStatus.IN_PROGRESS: _l("In progress"),
    FollowUpStatus.CLOSED: _l("Closed"),
}
ANY = ""


def _status_choices() -> list[SelectChoice]:
    return [SelectChoice(status.value, label) for status, label in STATUS_LABELS.items()]


def _owner_choices(users: Iterable[User], nobody: Any) -> list[SelectChoice]:
    return [SelectChoice(ANY, nobody)] + [SelectChoice(user.id, user.email) for user in users]


class FilterForm(FlaskForm):
    """The list's filter (GET): nothing changes, so no CSRF token."""

    class Meta:
        csrf = False

    status = SelectField(_l("Status"), default=ANY)
    owner = SelectField(_l("Owner"), default=ANY)
    program = SelectField(_l("Program"), default=ANY)
    overdue = BooleanField(_l("Overdue only"))

    def __init__(
        self, programs: list[Program], owners: list[User], language: str, **kwargs: Any
    ) -> None:
        super().__init__(request.args, **kwargs)
        everything = [SelectChoice(ANY, _l("All"))]
        self.status.choices = everything + _status_choices()
        self.owner.choices = everything + [SelectChoice(u.id, u.email) for u in owners]
        self.program.choices = everything + [SelectChoice(p.id, p.name(language)) for p in programs]

    def clean(self) -> None:
        """An unknown choice (a stale link) is dropped rather than refused."""
        self.validate()
        for field in (self.status, self.owner, self.program):
            if field.errors:
                field.errors, field.data = [], ANY

    def wanted(self) -> ItemFilter:
        return ItemFilter(
            status=FollowUpStatus(self.status.data) if self.status.data else None,
            owner_id=self.owner.data or None,
            program_id=self.program.data or None,
            overdue=bool(self.overdue.data),
        )


class ItemForm(FlaskForm):
    status = RadioField(
        _l("Status"),
        validators=[InputRequired(message=_l("Choose a status."))],
    )
    owner = SelectField(_l("Owner"), default=ANY)
    due_on = DateField(
        _l("Due date"),
        format="%Y-%m-%d",
        validators=[InputRequired(message=_l("Enter a date like 2026-01-31."))],
    )

    def __init__(self, owners: list[User], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.status.choices = _status_choices()
        self.owner.choices = _owner_choices(owners, _l("Nobody yet"))


class NoteForm(FlaskForm):
    text = TextAreaField(
        _l("New note"),
        validators=[InputRequired(message=_l("Write the note."))],
    )


def _question_choices(questions: Iterable[Question], language: str) -> list[SelectChoice]:
    return [SelectChoice(q.code, f"{q.text(language)} ({q.code})") for q in questions]


class PolicyForm(FlaskForm):
    enabled = BooleanField(_l("Open follow-ups for this rule"), default=True)
    score_question = SelectField(
        _l("Question scored"),
        validators=[InputRequired(message=_l("Choose a question answered on a scale."))],
    )
    threshold = IntegerField(
        _l("Open a follow-up for a score at or below"),
        validators=[InputRequired(message=_l("Give a score, for example 2."))],
    )
    consent_question = SelectField(
        _l("Consent question"),
        validators=[
            InputRequired(
                message=_l("Choose a question that asks whether the client may be contacted.")
            )
        ],
    )
    due_days = IntegerField(
        _l("Days to follow up"),
        default=5,
        validators=[
            InputRequired(message=_l("Give a number of days, for example 5.")),
            NumberRange(
                min=1,
                max=MAX_DUE_DAYS,
                message=_l("Give a number of days from 1 to %(most)s.", most=MAX_DUE_DAYS),
            ),
        ],
    )

    def __init__(
        self,
        scored: Iterable[Question],
        consent: Iterable[Question],
        language: str,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.score_question.choices = _question_choices(scored, language)
        self.consent_question.choices = _question_choices(consent, language)
